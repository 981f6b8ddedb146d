// The queue rule: a node's Scheduler queue backed up is the cause. scheduler.queue_backlog opens it (its page), with
// the tasks waiting and those that wait for them listed from the start; while it is open, what follows on that node
// is its symptom, recorded and not sent: a run Qlik cancelled after waiting in the queue (task.failed or task.aborted
// of class `queue`, its details saying the wait timed out: not a script error; one that waited and then failed for a
// reason of its own, "Failed to start session", is its own cause), a missed start or a stopped chain of a task that last ran there, and (through
// the upstream rule, which finds the tasks this cause holds) the apps left stale and the freshness promises they feed.
// The queue emptying (its task.on_track) ends it, as a node back up ends a node's cause: its recovered page names the
// runs Qlik cancelled, to start again if their data is needed before their next trigger. A cancellation with no
// backlog open (the watchdog off, or a short queue) opens the cause itself and is its page.
import type { DomainEvent, TaskEvent, WatchdogEvent } from "../../platform/events/types";
import { isTaskEvent, isWatchdogEvent } from "../../platform/events/types";
import type { CauseStore, SymptomInput } from "./cause-store";
import type { ChainGraph } from "./chain-graph";
import { afterRecovery, type CauseDecision, symptomReason, waitingEntry } from "./decision";
import { nodeOf } from "./node-down";
import type { TaskNodes } from "./task-nodes";

/** The symptom kind of a run Qlik cancelled in the queue (its event is a task.failed): over once the queue is. */
export const CANCELLED_IN_QUEUE = "task.cancelled_in_queue";
/** What the queue emptying ends: runs cancelled while it lasted, starts and chains it held up, apps it left stale. */
const OVER_WHEN_EMPTY = new Set([CANCELLED_IN_QUEUE, "task.missed", "task.chain_broken", "app.stale", "task.waiting"]);
/** What a node's backed-up queue holds up, when it happens to a task that runs there (or an app it reloads). */
const HELD_UP = new Set(["task.missed", "task.chain_broken", "app.stale", "app.freshness_warning", "app.freshness_breached"]);
/** A cancellation heard just after its cause ended (the look that found the queue empty came first) joins it. */
const LATE_WITHIN_MS = 3_600_000;

const isQueueCondition = (e: DomainEvent): e is WatchdogEvent => isWatchdogEvent(e) && e.condition.type === "queue_backlog";
export const isCancelledInQueue = (e: DomainEvent): e is TaskEvent =>
  isTaskEvent(e) && (e.kind === "task.failed" || e.kind === "task.aborted") && e.errorClass === "queue";

export interface QueueRuleDeps {
  store: CauseStore;
  taskNodes: TaskNodes;
  graph(): ChainGraph | undefined;
  /** Whether the run (its execution id) is one Steward's remediation started (wired late; none without remediation). */
  ownRun?: (executionId: string) => Promise<boolean>;
  /** The tasks (lower-case ids) a retry or re-run is due or running for (wired late; none without remediation). */
  heldTasks?: () => Promise<ReadonlyMap<string, unknown>>;
}

/** After the queue emptied, another symptom of its cause ended: the cause is over once only what the drain ends is left. */
async function settleAfterDrain(
  store: CauseStore,
  heldTasks: QueueRuleDeps["heldTasks"],
  dec: CauseDecision | undefined,
  now: number,
): Promise<CauseDecision | undefined> {
  if (dec?.action !== "suppress" || !dec.recovering || dec.toldWherePaged) return dec;
  if (!(await store.get(dec.parentId))?.causeKey.startsWith("queue:")) return dec;
  const symptoms = await store.symptoms(dec.parentId);
  // Only after its queue was seen empty (a cause opened by a cancellation, with no backlog, ends with its tasks).
  const queue = symptoms.filter((s) => s.subject.startsWith("watch:queue:"));
  if (queue.length === 0 || queue.some((s) => s.state === "open")) return dec;
  const open = symptoms.filter((s) => s.state === "open");
  if (open.some((s) => !OVER_WHEN_EMPTY.has(s.kind))) return dec;
  // A cancelled run being re-run: its outcome is the cause's to tell, where the page went (it ends the cause then).
  const held = open.some((s) => s.taskId !== null) ? await heldTasks?.() : undefined;
  if (held && open.some((s) => s.taskId !== null && held.has(s.taskId))) return dec;
  return (await store.closeOver(dec.parentId, now)) ? { action: "pass", parentId: dec.parentId } : dec;
}

export function createQueueRule(d: QueueRuleDeps) {
  const { store } = d;
  const cause = (node: string) => ({ key: `queue:${nodeOf(node)}`, title: `reload queue backed up on ${nodeOf(node)}` });
  /**
   * The node with an open queue cause this event's task (or, for an app, one of the app's tasks) last ran on, if any:
   * while a node's queue is backed up, what its tasks miss and the apps they leave stale are its symptoms.
   */
  async function openQueueOf(e: WatchdogEvent): Promise<string | undefined> {
    const tasks = e.task ? [e.task.id] : e.app ? (d.graph()?.tasksOfApp(e.app.id) ?? []) : [];
    for (const id of tasks.slice(0, 50)) {
      const node = await d.taskNodes.nodeOf(id);
      if (node !== undefined && (await store.isOpen(cause(node).key))) return node;
    }
    return undefined;
  }
  const held = (parentId: number, node: string): CauseDecision => ({ action: "suppress", parentId, reason: symptomReason(parentId, cause(node).title) });

  /** The tasks that wait in the queue and the ones that start after them: listed with the cause, as waiting. */
  async function listWaiting(parentId: number, taskIds: readonly string[], eventId: string, now: number): Promise<void> {
    const g = d.graph();
    const tasks = taskIds.flatMap((id) => {
      const t = g?.task(id.toLowerCase());
      return t ? [t, ...(g?.downstreamOf(t.id) ?? [])] : [];
    });
    await store.addWaiting(
      parentId,
      tasks.map((t) => waitingEntry(t, eventId)),
      now,
    );
  }

  /**
   * The queue emptied: its cause is over (what it held up is listed as over), unless something of another kind holds
   * it (a promise it put at risk, until the app is fresh: issue 102; a failure of its own). Then the queue's end is
   * still told where the cause's page went (issue 101): the page said the queue backed up, and its words say what Qlik
   * cancelled meanwhile; the cause's recovered page comes when the last of the rest ends.
   */
  async function emptied(e: WatchdogEvent, now: number): Promise<CauseDecision | undefined> {
    const touched = await store.recover(`watch:${e.condition.key}`, now);
    let waits: number | undefined;
    for (const t of touched) {
      if (t.closed) continue;
      // Only a queue's own cause ends with its queue (a node's cause that held the backlog ends when the node is back).
      if (!(await store.get(t.parentId))?.causeKey.startsWith("queue:")) continue;
      const open = (await store.symptoms(t.parentId)).filter((s) => s.state === "open");
      if (open.some((s) => !OVER_WHEN_EMPTY.has(s.kind))) {
        waits ??= t.parentId;
        continue;
      }
      if (await store.closeOver(t.parentId, now)) return { action: "pass", parentId: t.parentId };
    }
    const held = afterRecovery(touched, "symptom(s) open");
    if (held?.action !== "suppress" || waits === undefined) return held;
    return {
      ...held,
      parentId: waits,
      toldWherePaged: true,
      reason: `the queue emptied; cause #${waits} stays open for what it left: told where its page went`,
    };
  }

  return {
    /**
     * Another symptom of a queue's cause ended (a promise fresh again, a failure healed) after the queue emptied: once
     * what is left open is only what the drain ends (runs cancelled, apps stale, starts missed), the cause is over and
     * this event is its recovered page (not while a cancelled run is being re-run: its outcome ends it). Without this, a
     * stale app whose run Qlik cancelled kept it open for good.
     */
    settled: (dec: CauseDecision | undefined, now: number) => settleAfterDrain(store, d.heldTasks, dec, now),
    /** The backlog's own events: scheduler.queue_backlog opens the node's cause, its task.on_track ends it. */
    async review(e: DomainEvent, now: number, pageTo?: string): Promise<CauseDecision | undefined> {
      if (!isQueueCondition(e)) return undefined;
      if (e.kind === "task.on_track") return emptied(e, now);
      const node = typeof e.data.node === "string" ? e.data.node : e.host;
      // A node down (or its Scheduler unreachable) explains a queue that does not move: its cause holds the backlog.
      const down = `node:${nodeOf(node)}`;
      if (await store.isOpen(down)) {
        const n = await store.attach(
          { key: down, title: `Qlik services down on ${nodeOf(node)}` },
          { subject: `watch:${e.condition.key}`, kind: e.kind, eventId: e.id },
          now,
        );
        return { action: "suppress", parentId: n.parentId, reason: `the queue of a node whose cause is open (cause #${n.parentId}): listed there, not sent` };
      }
      const { parentId, opened } = await store.attach(
        cause(node),
        // The node's queue is the cause, not a task: the symptom names none (the waiting tasks are listed below).
        { subject: `watch:${e.condition.key}`, kind: e.kind, eventId: e.id },
        now,
        pageTo,
      );
      const ids = typeof e.data.waitingTaskIds === "string" ? e.data.waitingTaskIds.split(",").filter(Boolean) : [];
      await listWaiting(parentId, ids, e.id, now);
      return opened ? { action: "pass", parentId } : held(parentId, node);
    },
    /**
     * What happens on a node whose queue is backed up: a run Qlik cancelled there (opening the cause when none is),
     * and a missed start or stopped chain of a task that last ran there.
     */
    async symptom(e: DomainEvent, now: number, pageTo?: string): Promise<CauseDecision | undefined> {
      // A run automatic remediation re-ran once the queue drained, cancelled again: it pages on its own, once, rather
      // than joining the new backlog as one more cancellation (src/start/remediation/rerun-hold.ts: never a silent loop).
      if (isCancelledInQueue(e) && e.pageAfter?.from.startsWith("remediation.rules")) return undefined;
      if (isCancelledInQueue(e)) {
        const node = e.host;
        const entry: SymptomInput = {
          subject: `task:${e.task.id.toLowerCase()}`,
          kind: CANCELLED_IN_QUEUE,
          eventId: e.id,
          runId: e.executionId,
          taskId: e.task.id,
          taskName: e.task.name,
          ...(e.app ? { appId: e.app.id, appName: e.app.name } : {}),
          ...(e.app?.stream ? { stream: e.app.stream } : {}),
        };
        const open = await store.isOpen(cause(node).key);
        const ended = open ? undefined : await store.lastClosed(cause(node).key, now - LATE_WITHIN_MS);
        // Steward's own run (a retry, a re-run) waiting alone is no backlog (the watchdog leaves it out), so no backlog
        // ends to close a cause it would open: it is the action's outcome, paged as the task's own failure.
        if (!open && !ended && (await d.ownRun?.(e.executionId))) return undefined;
        if (ended) {
          await store.listInClosed(ended.id, entry, now);
          return {
            action: "suppress",
            parentId: ended.id,
            reason: `cancelled while the queue on ${nodeOf(node)} was backed up (cause #${ended.id}, which has ended): listed there, not sent`,
          };
        }
        const { parentId, opened } = await store.attach(cause(node), entry, now, pageTo);
        await listWaiting(parentId, [e.task.id], e.id, now);
        return opened ? { action: "pass", parentId } : held(parentId, node);
      }
      if (!isWatchdogEvent(e) || !HELD_UP.has(e.kind)) return undefined;
      const node = await openQueueOf(e);
      if (node === undefined) return undefined;
      const { parentId } = await store.attach(
        cause(node),
        {
          subject: `watch:${e.condition.key}`,
          kind: e.kind,
          eventId: e.id,
          ...(e.task ? { taskId: e.task.id, taskName: e.task.name } : {}),
          ...(e.app ? { appId: e.app.id, appName: e.app.name } : {}),
          ...(e.app?.stream ? { stream: e.app.stream } : {}),
        },
        now,
      );
      return held(parentId, node);
    },
  };
}
