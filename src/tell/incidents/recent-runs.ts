// A task's latest runs, kept in memory as they are recorded, so that a run's history is not read back from the
// store every time (on a flood of one task's failures that read was a fifth of a run's CPU). Only for a store one
// process holds (the SQLite file): there every run is recorded through here, so the window is exact. On
// PostgreSQL other Stewards record runs too, and the history is read from the store.
import type { SqlDb } from "../../platform/store/sql";
import type { PastRun } from "./past-run";

export interface KeptRun extends PastRun {
  executionId: string;
}

/**
 * Runs kept per task: the history reads 50, and more let runs recorded out of order still find theirs. The intake
 * works on sixteen runs at once (intake.concurrency) and announces up to 128 more in the background on SQLite
 * (intake-processor.ts), so a run may be recorded after about 150 that ended later: at 80, 7,600 of a 10,000/s
 * burst's 80,000 runs read their history from the store, at 200 under 100 (issue 89).
 */
export const KEPT_PER_TASK = 200;
/** Tasks kept; the least recently used one goes first. A site's busy tasks fit; the others read the store. */
const KEPT_TASKS = 1_000;
/**
 * Runs kept across all tasks (about 200 bytes each with their execution id: 1.2 MiB). Without it the windows filled
 * for as long as a task had fewer than KEPT_PER_TASK runs, a daily task's for two months, so on a site of thousands
 * of tasks the heap grew day after day (issue 78). With it the least recently used tasks go first once a few days'
 * runs are held. At 25,000 the ×50 site (5,800 tasks) still filled it in its second week, 4 MiB more heap after day 7
 * (issue 89); at 6,000 it is full within the first week, and 30 tasks failing at once (30 × 200) keep their windows
 * whole. A task whose window went reads its history from the store, as every task does on PostgreSQL.
 */
export const KEPT_RUNS = 6_000;

interface Window {
  /** Newest first. */
  runs: KeptRun[];
  /** False once runs older than the window exist in the store (the window was trimmed, or loaded full). */
  complete: boolean;
}

export interface RecentRuns {
  /** True when the task's window is kept (else load it first). */
  has(taskId: string): boolean;
  /** The task's newest runs as the store returned them, newest first, at most KEPT_PER_TASK. */
  load(taskId: string, newestFirst: KeptRun[]): void;
  /**
   * The task's runs that ended before `before`, newest first, at most `limit`, as the store would answer; undefined
   * when the window cannot say (the task is not kept, or older runs outside the window would be needed).
   */
  read(taskId: string, before: number, excludeExecution: string, limit: number): PastRun[] | undefined;
  /**
   * When the task's first success after `at` ended (`{ at: undefined }`: none), as the store would answer; undefined
   * when the window cannot say (the task is not kept, or runs older than the window could be that success).
   */
  successAfter(taskId: string, at: number): { at: number | undefined } | undefined;
  /** A run just recorded. */
  add(taskId: string, run: KeptRun): void;
  /** The store changed in a way not seen here (a transaction rolled back, runs seeded): read it again. */
  forget(taskId: string): void;
  /** Runs were purged from the store. */
  clear(): void;
  /** The tasks and runs held (at most KEPT_TASKS and about KEPT_RUNS). */
  held(): { tasks: number; runs: number };
}

const byConnection = new WeakMap<SqlDb, RecentRuns>();

/** The runs kept for a store one process holds, shared by everything that records runs on that connection. */
export function recentRunsOf(db: SqlDb): RecentRuns {
  let kept = byConnection.get(db);
  if (!kept) {
    kept = createRecentRuns();
    byConnection.set(db, kept);
  }
  return kept;
}

export function createRecentRuns(): RecentRuns {
  const windows = new Map<string, Window>();
  /** The runs of every window together. */
  let runs = 0;

  function drop(taskId: string): void {
    const w = windows.get(taskId);
    if (!w) return;
    runs -= w.runs.length;
    windows.delete(taskId);
  }

  /** The least recently used windows go until the budgets hold; the window `keep` (just used) stays. */
  function trim(keep: string): void {
    for (const taskId of windows.keys()) {
      if (windows.size <= KEPT_TASKS && runs <= KEPT_RUNS) return;
      if (taskId !== keep) drop(taskId);
    }
  }

  function touch(taskId: string): Window | undefined {
    const w = windows.get(taskId);
    if (w) {
      // Map order is the eviction order: a task used now goes last.
      windows.delete(taskId);
      windows.set(taskId, w);
    }
    return w;
  }

  return {
    has: (taskId) => windows.has(taskId),
    load(taskId, newestFirst) {
      drop(taskId);
      const w = { runs: newestFirst.slice(0, KEPT_PER_TASK), complete: newestFirst.length < KEPT_PER_TASK };
      windows.set(taskId, w);
      runs += w.runs.length;
      trim(taskId);
    },
    read(taskId, before, excludeExecution, limit) {
      const w = touch(taskId);
      if (!w) return undefined;
      const out: PastRun[] = [];
      for (const r of w.runs) {
        if (r.finishedAt >= before || r.executionId === excludeExecution) continue;
        out.push(r);
        if (out.length === limit) return out;
      }
      return w.complete ? out : undefined;
    },
    successAfter(taskId, at) {
      const w = touch(taskId);
      if (!w) return undefined;
      // Every run the store holds beyond the window ended no later than the window's oldest: exact once that is before `at`.
      const oldest = w.runs[w.runs.length - 1];
      if (!w.complete && (oldest === undefined || oldest.finishedAt >= at)) return undefined;
      let first: number | undefined;
      for (const r of w.runs) {
        if (r.finishedAt <= at) break;
        if (r.outcome === "succeeded") first = r.finishedAt;
      }
      return { at: first };
    },
    add(taskId, run) {
      const w = windows.get(taskId);
      if (!w) return;
      // Newest first; among equal end times the newer record first, as a store read would likely give them.
      let i = 0;
      while (i < w.runs.length && w.runs[i]!.finishedAt > run.finishedAt) i++;
      if (i === w.runs.length && !w.complete) return; // older than every run kept: outside the window
      for (let j = i; j < w.runs.length && w.runs[j]!.finishedAt === run.finishedAt; j++) {
        if (w.runs[j]!.executionId === run.executionId && w.runs[j]!.outcome === run.outcome) return; // kept already
      }
      w.runs.splice(i, 0, run);
      runs++;
      if (w.runs.length > KEPT_PER_TASK) {
        runs -= w.runs.length - KEPT_PER_TASK;
        w.runs.length = KEPT_PER_TASK;
        w.complete = false;
      }
      if (runs > KEPT_RUNS) trim(taskId);
    },
    forget: drop,
    clear() {
      windows.clear();
      runs = 0;
    },
    held: () => ({ tasks: windows.size, runs }),
  };
}
