// The finished runs of a Qlik Cloud tenant's tasks (their ids share the tenant's prefix) over keepRuns, kept in
// memory on the SQLite file once read, as kept-runs.ts keeps the site's recent runs: every write and prune of
// watchdog_runs goes through the watch store, which applies it here too. Each Cloud look read all of them from the
// store again: at three hourly tasks that is 2,000 rows by the fourth week, read 144 times a simulated day, a tenth of
// the four-week scenario's CPU (issue 89). Only the numbers a Cloud judgement reads are kept, one frozen object each:
// a tenant's runs of 35 days are a few thousand.
import type { KeptRun } from "./run-list";

export interface PrefixRuns {
  /**
   * Per task whose id starts with `prefix`, its runs that stopped at or after `sinceMs`, oldest stop first (a task with
   * none is left out); undefined when they are not kept from that far back.
   */
  get(prefix: string, sinceMs: number): Map<string, KeptRun[]> | undefined;
  /** Everything the store holds of the prefix's tasks from `sinceMs` on, as just read from it (oldest stop first). */
  load(prefix: string, sinceMs: number, rows: readonly KeptRun[]): void;
  /** Runs the store has just inserted (new to it). */
  added(rows: readonly KeptRun[]): void;
  /** The store dropped the runs that stopped before `beforeMs`. */
  pruned(beforeMs: number): void;
  /** How many runs are kept. */
  size(): number;
}

const frozen = (r: KeptRun): KeptRun =>
  Object.freeze({
    taskId: r.taskId,
    status: r.status,
    createdMs: r.createdMs,
    ...(r.startMs !== undefined ? { startMs: r.startMs } : {}),
    stopMs: r.stopMs,
  });

/** The first position whose run stopped after `ms` (a run stopping at the same time as others goes after them, as the store's rowid orders them). */
function after(rows: readonly KeptRun[], ms: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]!.stopMs <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first position whose run stopped at or after `ms`. */
function atOrAfter(rows: readonly KeptRun[], ms: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]!.stopMs < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Adds a run to its task's list, where its stop puts it (mostly the newest: appended). */
function insert(tasks: Map<string, KeptRun[]>, r: KeptRun): void {
  const list = tasks.get(r.taskId);
  if (!list) {
    tasks.set(r.taskId, [frozen(r)]);
    return;
  }
  const last = list.at(-1);
  if (!last || last.stopMs <= r.stopMs) list.push(frozen(r));
  else list.splice(after(list, r.stopMs), 0, frozen(r));
}

export function createPrefixRuns(): PrefixRuns {
  const kept = new Map<string, { fromMs: number; tasks: Map<string, KeptRun[]> }>();
  return {
    get(prefix, sinceMs) {
      const k = kept.get(prefix);
      if (!k || sinceMs < k.fromMs) return undefined;
      const out = new Map<string, KeptRun[]>();
      for (const [taskId, list] of k.tasks) {
        const from = atOrAfter(list, sinceMs);
        if (from < list.length) out.set(taskId, list.slice(from));
      }
      return out;
    },
    load(prefix, sinceMs, rows) {
      const tasks = new Map<string, KeptRun[]>();
      for (const r of rows) insert(tasks, r);
      kept.set(prefix, { fromMs: sinceMs, tasks });
    },
    added(rows) {
      if (kept.size === 0) return;
      for (const r of rows) for (const [prefix, k] of kept) if (r.taskId.startsWith(prefix) && r.stopMs >= k.fromMs) insert(k.tasks, r);
    },
    pruned(beforeMs) {
      for (const k of kept.values()) {
        for (const [taskId, list] of k.tasks) {
          const n = atOrAfter(list, beforeMs);
          if (n === list.length) k.tasks.delete(taskId);
          else if (n > 0) list.splice(0, n);
        }
        k.fromMs = Math.max(k.fromMs, beforeMs);
      }
    },
    size() {
      let n = 0;
      for (const k of kept.values()) for (const list of k.tasks.values()) n += list.length;
      return n;
    },
  };
}
