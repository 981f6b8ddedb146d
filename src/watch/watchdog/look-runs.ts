// The finished runs one look of Qlik Sense judges from (issue 78). On SQLite memory holds each task's recent runs
// (RECENT_RUNS_MS, and its newest run however old) and what all its runs of keepRuns teach (run-learner.ts); a
// judgement that reaches further back (an alert open for days, a chain whose upstream may have ended weeks ago, the
// first look after a long pause) reads those runs from the store, so nothing is judged differently. On PostgreSQL
// every look reads the store.
import type { WatchdogConfig } from "./config";
import { EARLY_MS } from "./evaluation-look";
import type { RunLearner } from "./run-learner";
import { arrayRunList, type RunList } from "./run-list";
import type { Plan } from "./qrs-plan";
import type { RunRow, WatchStore } from "./watch-store";

/**
 * How far back memory holds every run: two days, so a look that follows the last by minutes or hours (a restart, a
 * QRS outage) reads nothing more, and a site's memory stops growing after its second day (5,800 tasks: about 36,000
 * runs, under 1 MiB).
 */
export const RECENT_RUNS_MS = 2 * 86_400_000;

/** Starts and ends a few seconds off a due time still count (EARLY_MS before it, chains 5 s): read a minute more. */
const SLACK_MS = EARLY_MS + 60_000;

export interface LookRuns {
  /** Every run since keepRuns when they were read from the store for the look; empty when `runsByTask` has them. */
  runs: RunRow[];
  runsByTask?: ReadonlyMap<string, RunList>;
  learners?: ReadonlyMap<string, RunLearner>;
  /** From when on `runsByTask` holds every run of every task (older ones only for the tasks that needed them). */
  fromMs?: number;
}

/** An open condition as far as its runs go: which task, and the times it waits on. */
export interface OpenForRuns {
  type: string;
  taskId?: string;
  openedMs: number;
  details: { expectedAtMs?: number; startedAtMs?: number };
}

export interface LookRunsInput {
  cfg: WatchdogConfig;
  plan: Pick<Plan, "tasks">;
  nowMs: number;
  /** Due times up to this were judged by an earlier look. */
  checkedUntilMs: number;
  /** How late starts usually are (added to the configured grace). */
  startLatencyMs: number;
  open: readonly OpenForRuns[];
}

type Store = Pick<WatchStore, "keptRecentRuns" | "runsSince" | "runsOf" | "keptLearners">;

/** The longest grace any task may have: the configured one, a rule's, a task's own (StewardGrace). */
function longestGrace(i: LookRunsInput): number {
  let grace = Math.max(i.cfg.grace, i.startLatencyMs);
  for (const r of i.cfg.rules) if (r.grace !== undefined && r.grace > grace) grace = r.grace;
  for (const t of i.plan.tasks.values()) if (t.overrides.graceMs !== undefined && t.overrides.graceMs > grace) grace = t.overrides.graceMs;
  return grace;
}

/**
 * From when on each task's runs are read, where that is before the look's own window: an open condition's times (a
 * start after it closes it; a run in progress then is looked up by its start) and the upstream tasks of a chain, by
 * its time constraint (none: any end of keepRuns counts).
 */
export function olderNeeds(i: LookRunsInput, windowFromMs: number, chains = true): Map<string, number> {
  const since = i.nowMs - i.cfg.keepRuns;
  const needs = new Map<string, number>();
  const need = (taskId: string, fromMs: number) => {
    const at = Math.max(since, fromMs - SLACK_MS);
    if (at < windowFromMs && at < (needs.get(taskId) ?? Number.POSITIVE_INFINITY)) needs.set(taskId, at);
  };
  for (const c of i.open) {
    if (!c.taskId) continue;
    const started = c.details.startedAtMs ?? (c.type === "running_long" || c.type === "retrying" ? since : c.openedMs);
    need(c.taskId, Math.min(c.openedMs, c.details.expectedAtMs ?? c.openedMs, started));
  }
  if (chains)
    for (const t of i.plan.tasks.values())
      for (const c of t.chains) for (const up of c.upstreamIds) need(up, c.constraintMs > 0 ? windowFromMs - c.constraintMs : since);
  return needs;
}

/** The look's runs: those held in memory when they reach back far enough, with older ones read for the tasks that need them. */
export async function runsForLook(store: Store, i: LookRunsInput): Promise<LookRuns> {
  const since = i.nowMs - i.cfg.keepRuns;
  // Every task's starts and ends are judged from the grace before the last look's due times on.
  const windowFromMs = Math.max(since, Math.min(i.checkedUntilMs, i.nowMs) - longestGrace(i) - SLACK_MS);
  let held = store.keptRecentRuns();
  let runs: RunRow[] = [];
  if (!held || held.fromMs > windowFromMs) {
    runs = await store.runsSince(since);
    held = store.keptRecentRuns();
    // Not held (PostgreSQL, or a write ran beside the read): the look groups what it read.
    if (!held || held.fromMs > since) return { runs };
  }
  const learners = await store.keptLearners(since);
  const byTask = await withOlderRuns(store, held, olderNeeds(i, held.fromMs));
  return { runs: [], runsByTask: byTask, fromMs: held.fromMs, ...(learners ? { learners } : {}) };
}

/** The held lists, with each task that needs runs from before them read from the store from when it needs them. */
export async function withOlderRuns(
  store: Pick<WatchStore, "runsOf">,
  held: { fromMs: number; byTask: ReadonlyMap<string, RunList> },
  needs: ReadonlyMap<string, number>,
): Promise<ReadonlyMap<string, RunList>> {
  if (needs.size === 0) return held.byTask;
  const out = new Map(held.byTask);
  for (const [taskId, fromMs] of needs) {
    if (fromMs >= held.fromMs) continue;
    const rows = await store.runsOf(taskId, fromMs);
    if (rows.length > 0) out.set(taskId, arrayRunList(taskId, rows));
  }
  return out;
}
