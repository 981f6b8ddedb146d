// The watchdog's look at each node's Scheduler queue: the runs QRS shows waiting for a free engine (status Queued, or
// still Triggered a minute after they were created: Qlik's help lists both before Started), per node. A node whose
// queue has stayed non-empty since some time is an episode (kept in the store, so a restart or another Steward taking
// the lease carries on); past the threshold it opens scheduler.queue_backlog once, and the first look that finds the
// queue empty closes it with a task.on_track that says what Qlik cancelled meanwhile. Part of the watchdog's look, so
// a site duty under the watchdog lease: one Steward of a cluster judges and pages it. Runs Steward started itself
// (remediation's, `ownRuns`) waiting alone are no backlog: Steward waits for a free engine before it starts one, and
// one that still queued (an admin's reload took the engine first) is Steward's to follow, not a page.
import type { Logger } from "pino";
import { describeError } from "../../platform/core/errors";
import type { WatchdogConfig } from "./config";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { Announcer } from "./announcer";
import { type Execution, STATUS } from "./observations";
import type { KeptPlan } from "./plan-update";
import { queueResolution } from "./queue-event";
import { createSchedulerSettings, nodeKey } from "./scheduler-settings";
import { detailsOf } from "./stored-details";
import type { WatchStore } from "./watch-store";
import { watchdogEvent } from "./watchdog-event";

const EPISODES = "queue_episodes";
/** A run Triggered this long ago and still not started is waiting too (a Triggered run normally starts in seconds). */
const TRIGGERED_WAIT_MS = 60_000;
/** Names listed in one page, and cancelled runs remembered per episode, at most. */
const MAX_NAMED = 20;
const MAX_CANCELLED = 200;

interface Episode {
  /** The node as QRS names it. */
  node: string;
  sinceMs: number;
  cancelled: string[];
  cancelledTasks: string[];
}

export interface QueueLookInput {
  qrs: QrsClient;
  nowMs: number;
  running: readonly Execution[];
  changed: readonly Execution[];
  plan: KeptPlan;
}

export interface QueueWatch {
  look(i: QueueLookInput): Promise<void>;
}

export const isWaiting = (e: Execution, nowMs: number) =>
  e.status === STATUS.Queued || (e.status === STATUS.Triggered && e.startMs === undefined && nowMs - e.createdMs >= TRIGGERED_WAIT_MS);
const isRunningNow = (e: Execution) => e.status === STATUS.Started || e.status === STATUS.AbortInitiated || e.status === STATUS.Aborting;

/** The execution sessions (lower case) of the runs Steward started itself and that have not ended (wired in composition). */
export type OwnRuns = () => Promise<ReadonlySet<string>>;

export function createQueueWatch(d: {
  cfg: WatchdogConfig;
  store: WatchStore;
  log: Logger;
  announcer: Announcer;
  host: string;
  ownRuns?: OwnRuns;
}): QueueWatch {
  const { cfg, store, announcer } = d;
  const settings = createSchedulerSettings(d.log, cfg.planRefresh);
  const key = (node: string) => `queue:${nodeKey(node)}`;
  const nodeOf = (e: Execution) => e.node ?? d.host;
  /**
   * A run counts in a queue only on the node QRS names: one no node has taken (still with the Manager) waits for a
   * Scheduler, not for an engine, and a node down or a Scheduler unreachable says why (the grouping's node rule).
   */
  const queuedOnNode = (e: Execution, now: number) => e.node !== undefined && isWaiting(e, now);

  async function episodes(): Promise<Map<string, Episode>> {
    const raw = await store.getMeta(EPISODES);
    if (!raw) return new Map();
    try {
      return new Map(Object.entries(JSON.parse(raw) as Record<string, Episode>));
    } catch {
      return new Map();
    }
  }

  /** The threshold for a node: the configured one, but never later than half the node's own queue timeout. */
  const thresholdOf = (node: string) => {
    const t = settings.of(node).engineTimeoutMinutes;
    return t !== undefined && t > 0 ? Math.min(cfg.queue.backlogAfter, (t * 60_000) / 2) : cfg.queue.backlogAfter;
  };

  const names = (runs: readonly Execution[], plan: KeptPlan) => {
    const sorted = [...runs].sort((a, b) => a.createdMs - b.createdMs);
    const named = sorted.slice(0, MAX_NAMED).map((e) => `${plan.tasks.get(e.taskId)?.name ?? e.taskId} (waiting since ${new Date(e.createdMs).toISOString()})`);
    return `${named.join(", ")}${sorted.length > MAX_NAMED ? `, and ${sorted.length - MAX_NAMED} more` : ""}`;
  };

  async function openBacklog(qrs: QrsClient, node: string, ep: Episode, waiting: Execution[], running: number, plan: KeptPlan, now: number): Promise<void> {
    // The page names the limits as they are now (an admin may have changed them within the hour).
    await settings.refresh(qrs, now, true);
    const s = settings.of(node);
    const event = watchdogEvent({
      kind: "scheduler.queue_backlog",
      condition: { type: "queue_backlog", key: key(node), openedAtMs: now },
      nowMs: now,
      host: node,
      details: {
        node,
        waitingSinceMs: ep.sinceMs,
        waitingNow: waiting.length,
        runningNow: running,
        ...(s.maxConcurrentEngines !== undefined ? { maxConcurrent: s.maxConcurrentEngines } : {}),
        ...(s.engineTimeoutMinutes !== undefined ? { engineTimeoutMin: s.engineTimeoutMinutes } : {}),
        waitingTasks: names(waiting, plan),
        waitingTaskIds: [...new Set(waiting.map((e) => e.taskId))].slice(0, 200).join(","),
      },
    });
    await announcer.open({ key: key(node), type: "queue_backlog", openedMs: now, event });
  }

  async function close(k: string, ep: Episode | undefined, now: number): Promise<void> {
    const row = (await store.openConditions()).find((c) => c.key === k);
    if (!row) return;
    const details = detailsOf(row.openEvent);
    const cancelled = ep ? { cancelled: ep.cancelled.length, cancelledTasks: [...new Set(ep.cancelledTasks)].join(", ") } : {};
    const event = watchdogEvent({
      kind: "task.on_track",
      condition: { type: "queue_backlog", key: k, openedAtMs: row.openedMs, closedAtMs: now },
      nowMs: now,
      host: row.openEvent.host,
      details: { ...details, ...cancelled, resolution: queueResolution({ ...details, ...cancelled }, now) },
    });
    await announcer.close(k, now, event);
  }

  /** Steward's own runs; none when the store cannot tell (every waiting run then counts, as without remediation). */
  const ownRunsNow = async (): Promise<ReadonlySet<string> | undefined> =>
    d.ownRuns?.().catch((err: unknown) => {
      d.log.warn({ err: describeError(err) }, "watchdog: could not read the runs remediation started; the queue is judged with them");
      return undefined;
    });

  return {
    async look({ qrs, nowMs: now, running, changed, plan }) {
      await settings.refresh(qrs, now);
      const eps = await episodes();
      const before = JSON.stringify(Object.fromEntries(eps));
      // What Qlik cancelled in the queue since the last look joins its node's episode (each run once).
      for (const e of changed) {
        const ep = e.cancelledInQueue ? eps.get(nodeKey(nodeOf(e))) : undefined;
        if (!ep || ep.cancelled.includes(e.resultId) || ep.cancelled.length >= MAX_CANCELLED) continue;
        ep.cancelled.push(e.resultId);
        ep.cancelledTasks.push(plan.tasks.get(e.taskId)?.name ?? e.taskId);
      }
      const waitingBy = new Map<string, Execution[]>();
      for (const e of running) {
        if (!queuedOnNode(e, now)) continue;
        const list = waitingBy.get(nodeOf(e));
        if (list) list.push(e);
        else waitingBy.set(nodeOf(e), [e]);
      }
      const open = new Set((await store.openConditions()).filter((c) => c.type === "queue_backlog").map((c) => c.key));
      const own = waitingBy.size > 0 ? await ownRunsNow() : undefined;
      for (const [node, waiting] of waitingBy) {
        const k = nodeKey(node);
        // Steward's own runs alone: the queue is as good as empty. With others, it is judged by theirs, listing all.
        const others = own ? waiting.filter((e) => !own.has(e.executionId)) : waiting;
        if (others.length === 0) {
          waitingBy.delete(node);
          continue;
        }
        let ep = eps.get(k);
        // A reduce, not Math.min(...): a site may have thousands waiting, past what a call's arguments hold.
        if (!ep)
          eps.set(k, (ep = { node, sinceMs: others.reduce((m, e) => Math.min(m, e.createdMs), Number.POSITIVE_INFINITY), cancelled: [], cancelledTasks: [] }));
        if (now - ep.sinceMs < thresholdOf(node) || open.has(key(node))) continue;
        const inProgress = running.filter((e) => nodeOf(e) === node && isRunningNow(e)).length;
        await openBacklog(qrs, node, ep, waiting, inProgress, plan, now);
      }
      // A queue seen empty ends its episode, and the condition it opened.
      const empty = new Set(
        [...eps.keys(), ...[...open].map((k) => k.slice("queue:".length))].filter((k) => ![...waitingBy.keys()].some((n) => nodeKey(n) === k)),
      );
      for (const k of empty) {
        await close(`queue:${k}`, eps.get(k), now);
        eps.delete(k);
      }
      const after = JSON.stringify(Object.fromEntries(eps));
      if (after !== before) await store.setMeta(EPISODES, after);
    },
  };
}
