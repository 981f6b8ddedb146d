// Whether this cycle's data came through an app's Qlik task chain (issue 102): the tasks upstream of its reload, by the
// task-event triggers the watchdog read from QRS. A reload of the app counts only when it started after the upstream
// tasks' successful runs of the cycle; while one of them failed (and has not succeeded since) no reload of the app
// brings new data: it reloads the same old inputs, as a dashboard's own 07:00 refresh does after its chain's head failed.
import type { TaskView } from "../watchdog/evaluate";
import { STATUS } from "../watchdog/observations";
import type { PendingRun } from "./chain-eta";

const SUCCEEDED: number = STATUS.Success;
/** The run did not deliver. A skipped run neither delivers nor holds anything up; Reset is Qlik's, after a restart. */
const FAILED = new Set<number>([STATUS.Aborted, STATUS.Fail, STATUS.Error]);
/** A chain deeper than any real one (or a loop of triggers) is followed no further. */
const MAX_DEPTH = 20;

export interface ChainFeed {
  /** The tasks upstream of the app's reload (not its reload itself), nearest first. */
  upstream: Array<{ id: string; name: string }>;
  /**
   * An upstream run of the cycle that failed and has not succeeded since: nothing reaches the app past it
   * (`nextRunMs`: the failed task's next planned start, when its schedule has one).
   */
  blocked?: { task: string; taskId: string; atMs: number; nextRunMs?: number };
  /** When the last upstream run of the cycle that succeeded ended: the app's data is new from a reload after it. */
  arrivedMs?: number;
  /** An upstream task runs now (the chain's next run, or one started again after a failure): its data is on the way. */
  running?: boolean;
}

/**
 * The failed run that holds the data up for a deadline: nothing planned runs that task again before it (its schedule's
 * next start is after the deadline). An ad hoc run that failed at 08:00 with tonight's 01:30 start to come holds nothing.
 */
export function heldUpBy(feed: ChainFeed | undefined, deadlineMs: number, pending: readonly PendingRun[] = []): ChainFeed["blocked"] {
  const b = feed?.blocked;
  if (!b || (b.nextRunMs !== undefined && b.nextRunMs < deadlineMs)) return undefined;
  // A retry or re-run of the failed task that is due before the deadline runs it again: it holds nothing up yet.
  const again = pending.some((p) => p.taskId.toLowerCase() === b.taskId.toLowerCase() && p.dueMs < deadlineMs);
  return again ? undefined : b;
}

/** The app's data came through its chain: its last successful reload started after the cycle's upstream runs. */
export function dataThrough(feed: ChainFeed | undefined, app: { lastSuccessMs?: number; lastSuccessStartMs?: number }, slackMs: number): boolean {
  if (!feed) return true;
  if (feed.blocked || feed.running) return false;
  const reloadStart = app.lastSuccessStartMs ?? app.lastSuccessMs ?? Number.NEGATIVE_INFINITY;
  return feed.arrivedMs === undefined || reloadStart >= feed.arrivedMs - slackMs;
}

/**
 * The app's upstream chain this cycle (its runs from `cycleStartMs`, up to `untilMs` when a past deadline is judged), or
 * undefined when Steward knows no task upstream of the app's reload.
 */
export function chainFeed(appId: string, tasks: readonly TaskView[], cycleStartMs: number, untilMs = Number.POSITIVE_INFINITY): ChainFeed | undefined {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const own = tasks.filter((t) => t.appId?.toLowerCase() === appId.toLowerCase());
  const seen = new Set(own.map((t) => t.id));
  const upstream: TaskView[] = [];
  let level = own;
  for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth++) {
    const next: TaskView[] = [];
    for (const t of level)
      for (const a of t.after ?? []) {
        // A trigger on the upstream's failure runs a clean-up, not the data's way.
        if (!a.onSuccess) continue;
        for (const id of a.upstreamIds) {
          const u = byId.get(id);
          if (!u || seen.has(id)) continue;
          seen.add(id);
          next.push(u);
        }
      }
    upstream.push(...next);
    level = next;
  }
  if (upstream.length === 0) return undefined;
  // A past deadline is judged by the runs before it: a later run (the next cycle's) says nothing of it.
  const thisCycle = upstream.filter((u) => u.lastRunMs !== undefined && u.lastRunMs >= cycleStartMs && u.lastRunMs <= untilMs);
  // A failed task started again is not a block any more: it runs.
  const failed = thisCycle.filter((u) => FAILED.has(u.lastStatus ?? -1) && u.runningSinceMs === undefined).sort((a, b) => a.lastRunMs! - b.lastRunMs!)[0];
  const running = upstream.some((u) => u.runningSinceMs !== undefined);
  const succeeded = thisCycle.filter((u) => u.lastStatus === SUCCEEDED).map((u) => u.lastRunMs!);
  return {
    upstream: upstream.map((u) => ({ id: u.id, name: u.name })),
    ...(failed
      ? {
          blocked: {
            task: failed.name,
            taskId: failed.id,
            atMs: failed.lastRunMs!,
            ...(failed.nextExpectedMs !== undefined ? { nextRunMs: failed.nextExpectedMs } : {}),
          },
        }
      : {}),
    ...(succeeded.length > 0 ? { arrivedMs: Math.max(...succeeded) } : {}),
    ...(running && untilMs === Number.POSITIVE_INFINITY ? { running } : {}),
  };
}
