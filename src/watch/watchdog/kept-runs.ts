// The finished runs a look learns from, kept in memory on the SQLite file. Each look reads every run of the last
// keepRuns (35 days: about 14,000 rows on a site with 400 runs a day), so the read grew with the history and became
// most of a look's cost. The file is held by one process (an exclusive lock) and every write of watchdog_runs goes
// through the watch store, so the runs read once stay true if each write and prune is applied here too. On
// PostgreSQL other Stewards write as well: there each look reads the store.
import type { RunRow } from "./run-row";

export interface KeptRuns {
  /** The kept runs with a stop at or after `sinceMs`, oldest first; undefined when they reach back less far. */
  since(sinceMs: number): RunRow[] | undefined;
  /**
   * The same runs per task (each list oldest first), without grouping them all again: the kept lists themselves,
   * read-only and good until the next write or prune (a look reads them between its writes), so a look does not
   * copy every run it keeps.
   */
  byTask(sinceMs: number): Map<string, readonly RunRow[]> | undefined;
  /** Everything the store holds from `sinceMs` on, as just read from it (oldest first). */
  load(sinceMs: number, rows: RunRow[]): void;
  /** Runs the store has just committed (a run it already had is left as it was, as the insert does). */
  added(rows: readonly RunRow[]): void;
  /** The store dropped the runs that stopped before `beforeMs`. */
  pruned(beforeMs: number): void;
  /** How many runs are held (steward_watchdog_runs_held: what this costs in memory grows with it). */
  size(): number;
}

/** The index of the first run in `runs` (in stop order) that stopped at or after `ms` (`after`: after `ms`). */
function firstFrom(runs: readonly RunRow[], ms: number, after = false): number {
  let lo = 0;
  let hi = runs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const stop = runs[mid]!.stopMs;
    if (stop < ms || (after && stop === ms)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Puts `run` in its place in stop order, after the runs that stopped at the same time. Mostly a push. */
function insertInOrder(runs: RunRow[], run: RunRow): void {
  if (runs.length === 0 || runs[runs.length - 1]!.stopMs <= run.stopMs) runs.push(run);
  else runs.splice(firstFrom(runs, run.stopMs, true), 0, run);
}

export function createKeptRuns(): KeptRuns {
  /** From when on every run of the store is here; undefined until a first load. */
  let from: number | undefined;
  const ids = new Set<string>();
  /** In stop order; runs that stopped at the same time in the order they came (as the store's index keeps them). */
  let ordered: RunRow[] = [];
  /** The same runs per task, each list in the same order. */
  const tasks = new Map<string, RunRow[]>();

  const keep = (r: RunRow) => {
    if (ids.has(r.resultId)) return;
    ids.add(r.resultId);
    // Shared by every look from now on: a caller that changed one would change what the store says.
    const run = Object.freeze(r);
    insertInOrder(ordered, run);
    const own = tasks.get(run.taskId);
    if (own) insertInOrder(own, run);
    else tasks.set(run.taskId, [run]);
  };

  return {
    since(sinceMs) {
      if (from === undefined || sinceMs < from) return undefined;
      return ordered.slice(firstFrom(ordered, sinceMs));
    },
    byTask(sinceMs) {
      if (from === undefined || sinceMs < from) return undefined;
      const out = new Map<string, readonly RunRow[]>();
      for (const [taskId, runs] of tasks) {
        // Mostly the whole list: the prune after each look leaves little before the next look's window.
        if (runs[0]!.stopMs >= sinceMs) out.set(taskId, runs);
        else {
          const first = firstFrom(runs, sinceMs);
          if (first < runs.length) out.set(taskId, runs.slice(first));
        }
      }
      return out;
    },
    load(sinceMs, rows) {
      ids.clear();
      tasks.clear();
      ordered = [];
      for (const r of rows) keep(r);
      from = sinceMs;
    },
    added(rows) {
      if (from === undefined) return;
      for (const r of rows) if (r.stopMs >= from) keep(r);
    },
    pruned(beforeMs) {
      if (from === undefined) return;
      // Each look prunes: only the tasks of the runs that went are touched, not every task's list.
      const gone = firstFrom(ordered, beforeMs);
      const touched = new Set<string>();
      for (let k = 0; k < gone; k++) {
        ids.delete(ordered[k]!.resultId);
        touched.add(ordered[k]!.taskId);
      }
      if (gone > 0) ordered.splice(0, gone);
      for (const taskId of touched) {
        const runs = tasks.get(taskId)!;
        runs.splice(0, firstFrom(runs, beforeMs));
        if (runs.length === 0) tasks.delete(taskId);
      }
      from = Math.max(from, beforeMs);
    },
    size: () => ordered.length,
  };
}
