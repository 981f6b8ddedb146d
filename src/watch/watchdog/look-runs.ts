// The finished runs one look of Qlik Sense judges from (issue 78). On SQLite memory holds each task's recent runs
// (RECENT_RUNS_MS, and its newest run however old) and what all its runs of keepRuns teach (run-learner.ts); a
// judgement that reaches further back (an alert open for days, a chain whose upstream may have ended weeks ago, the
// first look after a long pause) reads those runs from the store, so nothing is judged differently. On PostgreSQL
// every look reads the store.
import type { WatchdogConfig } from "./config";
import { EARLY_MS } from "./evaluation-look";
import type { RunLearner } from "./run-learner";
import { STATUS } from "./observations";
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

type Store = Pick<WatchStore, "keptRecentRuns" | "runsSince" | "runsOf" | "keptLearners" | "firstStartFrom" | "lastEndedFrom">;

/** The longest grace any task may have: the configured one, a rule's, a task's own (StewardGrace). */
function longestGrace(i: LookRunsInput): number {
  let grace = Math.max(i.cfg.grace, i.startLatencyMs);
  for (const r of i.cfg.rules) if (r.grace !== undefined && r.grace > grace) grace = r.grace;
  for (const t of i.plan.tasks.values()) if (t.overrides.graceMs !== undefined && t.overrides.graceMs > grace) grace = t.overrides.graceMs;
  return grace;
}

/** A run a look needs from before the runs held: the first start after a time, or the last run ended of those started after one. */
type OlderRun = { taskId: string; key: string; read: (store: Store) => Promise<RunRow | undefined> };

/**
 * What the open conditions need from before the runs held (`heldFromMs`), one run each: what closes them. A missed
 * start, a skip or a stopped chain closes with the first start after its due time (evaluate-closes.ts), a task turned
 * off with its first start after it was (turned-off-watch.ts), a run past its usual or in retry with the last run
 * ended of those that started with it or later. Anything later than the runs held is among them.
 */
export function olderRunsNeeded(open: readonly OpenForRuns[], heldFromMs: number, heldOf: (taskId: string) => RunList | undefined): OlderRun[] {
  const out: OlderRun[] = [];
  for (const c of open) {
    const taskId = c.taskId;
    if (!taskId) continue;
    const due = c.details.expectedAtMs ?? c.openedMs;
    const from =
      c.type === "missed"
        ? due - EARLY_MS
        : c.type === "chain_broken"
          ? due - 5_000
          : c.type === "skipped"
            ? due + 1
            : c.type === "disabled"
              ? c.openedMs
              : undefined;
    if (from !== undefined) {
      const after = c.type === "disabled";
      if (from < heldFromMs) out.push({ taskId, key: `start:${taskId}:${from}:${after}`, read: (s) => s.firstStartFrom(taskId, from, after) });
      continue;
    }
    if (c.type !== "running_long" && c.type !== "retrying") continue;
    const startedFrom = (c.details.startedAtMs ?? 0) - 1;
    const held = heldOf(taskId);
    let found = false;
    for (let k = 0; held && k < held.length && !found; k++) found = held.status(k) !== STATUS.Retry && (held.startMs(k) ?? 0) >= startedFrom;
    if (!found) out.push({ taskId, key: `ended:${taskId}:${startedFrom}`, read: (s) => s.lastEndedFrom(taskId, startedFrom) });
  }
  return out;
}

/**
 * The upstream tasks of a chain whose time constraint reaches before the runs held (none: any end of keepRuns
 * counts), and from when on their runs are read.
 */
export function chainNeeds(i: LookRunsInput, heldFromMs: number, windowFromMs: number): Map<string, number> {
  const since = i.nowMs - i.cfg.keepRuns;
  const needs = new Map<string, number>();
  for (const t of i.plan.tasks.values())
    for (const c of t.chains)
      for (const up of c.upstreamIds) {
        const at = Math.max(since, (c.constraintMs > 0 ? windowFromMs - c.constraintMs : since) - SLACK_MS);
        if (at < heldFromMs && at < (needs.get(up) ?? Number.POSITIVE_INFINITY)) needs.set(up, at);
      }
  return needs;
}

/**
 * The runs of the looks of one watchdog. A run read for an open condition is remembered while it stays open: it is
 * older than the runs held, and what comes later is among those (a run found late, stopped two days before, aside).
 */
export function createLookRuns() {
  let remembered = new Map<string, RunRow | null>();

  /** The held lists, with the tasks whose chains reach back read whole from then, and the runs the conditions need added. */
  async function widen(
    store: Store,
    held: { fromMs: number; byTask: ReadonlyMap<string, RunList> },
    since: number,
    needs: ReadonlyMap<string, number>,
    older: readonly OlderRun[],
  ): Promise<ReadonlyMap<string, RunList>> {
    if (needs.size === 0 && older.length === 0) return held.byTask;
    const out = new Map(held.byTask);
    for (const [taskId, fromMs] of needs) {
      const rows = await store.runsOf(taskId, fromMs);
      if (rows.length > 0) out.set(taskId, arrayRunList(taskId, rows));
    }
    const next = new Map<string, RunRow | null>();
    const extra = new Map<string, RunRow[]>();
    for (const o of older) {
      let row = next.get(o.key) ?? remembered.get(o.key);
      if (row === undefined) row = (await o.read(store)) ?? null;
      next.set(o.key, row);
      if (row && row.stopMs >= since && !needs.has(o.taskId)) (extra.get(o.taskId) ?? extra.set(o.taskId, []).get(o.taskId)!).push(row);
    }
    remembered = next;
    for (const [taskId, rows] of extra) {
      const own = [...(out.get(taskId)?.rows() ?? []), ...rows.filter((r, k) => rows.findIndex((x) => x.resultId === r.resultId) === k)];
      // In stop order, as the store lists them (a run read and also held is kept once).
      const unique = own.filter((r, k) => own.findIndex((x) => x.stopMs === r.stopMs && x.createdMs === r.createdMs && x.status === r.status) === k);
      out.set(
        taskId,
        arrayRunList(
          taskId,
          unique.sort((a, b) => a.stopMs - b.stopMs),
        ),
      );
    }
    return out;
  }

  return {
    /** The look's runs: those held in memory when they reach back far enough, with what its judgements need from before them. */
    async forLook(store: Store, i: LookRunsInput): Promise<LookRuns> {
      const since = i.nowMs - i.cfg.keepRuns;
      // Every task's starts and ends are judged from the grace before the last look's due times on.
      const windowFromMs = Math.max(since, Math.min(i.checkedUntilMs, i.nowMs) - longestGrace(i) - SLACK_MS);
      let held = store.keptRecentRuns();
      if (!held || held.fromMs > windowFromMs) {
        const runs = await store.runsSince(since);
        held = store.keptRecentRuns();
        // Not held (PostgreSQL, or a write ran beside the read): the look groups what it read.
        if (!held || held.fromMs > since) return { runs };
      }
      const learners = await store.keptLearners(since);
      // Without them (a write ran beside a task's relearning) a look would learn from two days of runs: it reads all.
      if (!learners) return { runs: await store.runsSince(since) };
      const h = held;
      const older = olderRunsNeeded(i.open, h.fromMs, (id) => h.byTask.get(id));
      const byTask = await widen(store, h, since, chainNeeds(i, h.fromMs, windowFromMs), older);
      return { runs: [], runsByTask: byTask, fromMs: h.fromMs, learners };
    },
    /** For the look at tasks turned off (after the look's own): the runs that close its conditions, added. */
    async forTurnedOff(store: Store, i: LookRunsInput, look: { fromMs: number; byTask: ReadonlyMap<string, RunList> }): Promise<ReadonlyMap<string, RunList>> {
      const older = olderRunsNeeded(
        i.open.filter((c) => c.type === "disabled"),
        look.fromMs,
        (id) => look.byTask.get(id),
      );
      const keep = remembered;
      const out = await widen(store, look, i.nowMs - i.cfg.keepRuns, new Map(), older);
      // The look's own remembered runs stay remembered (this pass asks for the disabled ones only).
      for (const [k, v] of keep) if (!remembered.has(k)) remembered.set(k, v);
      return out;
    },
  };
}
