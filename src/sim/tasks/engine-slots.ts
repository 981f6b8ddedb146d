// The simulated Scheduler's engine slots per node: a reload starts when fewer than the node's Max concurrent reloads
// (QRS maxConcurrentEngines) run there; otherwise it waits in the node's queue, first come first served, with status
// Queued (3), as Qlik's help describes the status ("Task is queued and will be started when preceding tasks have been
// processed. Queuing is controlled by the value of Max concurrent reloads"). A run that waited longer than the node's
// engineTimeout (minutes; 0 never) is cancelled: Qlik's KB says the queued task "will be cancelled due to timeout. It
// has to be triggered again". How Qlik records that is not published; the simulator's choice is in cancelQueued
// (run-attempt.ts). Written for the simulator alone: Steward reads the result from QRS and shares none of this.
import type { Timer } from "../../platform/core/clock";
import type { RunnerContext, Session, SlotKeeper } from "./run-session";

interface Waiting {
  s: Session;
  queuedMs: number;
  start: () => void;
  timer?: Timer;
}

export interface QueueView {
  running: Array<{ taskId: string; executionId: string }>;
  queued: Array<{ taskId: string; executionId: string; queuedMs: number }>;
}

export interface EngineSlots extends SlotKeeper {
  /** What runs on the node and what waits, oldest first. */
  view(nodeId: string): QueueView;
  /** The node's limit changed: runs that now fit start. */
  settingsChanged(nodeId: string): void;
}

/** `onTimeout`: the session waited longer than the node's engineTimeout and left the queue; the caller ends it. */
export function createEngineSlots(ctx: Pick<RunnerContext, "clock" | "now" | "repo" | "allTimers">, onTimeout: (s: Session) => void): EngineSlots {
  const holders = new Map<string, Set<Session>>();
  const queues = new Map<string, Waiting[]>();
  const settingsOf = (nodeId: string) => ctx.repo.site.nodes.find((n) => n.id === nodeId)?.scheduler ?? { maxConcurrentEngines: 4, engineTimeout: 30 };
  const holding = (nodeId: string) => {
    let h = holders.get(nodeId);
    if (!h) holders.set(nodeId, (h = new Set()));
    return h;
  };
  const queueOf = (nodeId: string) => {
    let q = queues.get(nodeId);
    if (!q) queues.set(nodeId, (q = []));
    return q;
  };
  const disarm = (w: Waiting) => {
    if (!w.timer) return;
    ctx.clock.clearTimeout(w.timer);
    ctx.allTimers.delete(w.timer);
    w.timer = undefined;
  };
  /** Starts queued runs while the node has a free slot. */
  const fill = (nodeId: string) => {
    const q = queueOf(nodeId);
    const h = holding(nodeId);
    while (q.length > 0 && h.size < settingsOf(nodeId).maxConcurrentEngines) {
      const w = q.shift()!;
      disarm(w);
      h.add(w.s);
      w.start();
    }
  };
  const armTimeout = (w: Waiting, nodeId: string) => {
    const minutes = settingsOf(nodeId).engineTimeout;
    if (minutes <= 0) return;
    const t = ctx.clock.setTimeout(
      () => {
        ctx.allTimers.delete(t);
        w.timer = undefined;
        const q = queueOf(nodeId);
        const i = q.indexOf(w);
        if (i < 0) return;
        q.splice(i, 1);
        onTimeout(w.s);
      },
      Math.max(0, w.queuedMs + minutes * 60_000 - ctx.now()),
    );
    ctx.allTimers.add(t);
    w.timer = t;
  };

  return {
    acquire(s, start, onQueued) {
      const nodeId = s.node.id;
      const h = holding(nodeId);
      if (h.size < settingsOf(nodeId).maxConcurrentEngines && queueOf(nodeId).length === 0) {
        h.add(s);
        start();
        return;
      }
      const w: Waiting = { s, queuedMs: ctx.now(), start };
      queueOf(nodeId).push(w);
      onQueued();
      armTimeout(w, nodeId);
    },
    release(s) {
      const nodeId = s.node.id;
      const q = queueOf(nodeId);
      const i = q.findIndex((w) => w.s === s);
      if (i >= 0) disarm(q.splice(i, 1)[0]!);
      if (holding(nodeId).delete(s)) fill(nodeId);
    },
    view(nodeId) {
      return {
        running: [...holding(nodeId)].map((s) => ({ taskId: s.task.model.id, executionId: s.executionId })),
        queued: queueOf(nodeId).map((w) => ({ taskId: w.s.task.model.id, executionId: w.s.executionId, queuedMs: w.queuedMs })),
      };
    },
    settingsChanged(nodeId) {
      fill(nodeId);
      // A new timeout applies to the runs already waiting, counted from when each was queued.
      for (const w of queueOf(nodeId)) {
        disarm(w);
        armTimeout(w, nodeId);
      }
    },
  };
}
