// The watch store's reads of the finished runs (watch-store.ts): from the store, or from the runs held in memory
// on SQLite (kept-runs.ts) and what they teach (run-learner.ts).
import type { SqlDb, SqlValue } from "../../platform/store/sql";
import type { KeptRuns } from "./kept-runs";
import type { RunRow } from "./run-row";
import type { KeptRun, RunList } from "./run-list";
import type { RunLearner } from "./run-learner";

type RawRun = {
  result_id: string;
  task_id: string;
  app_id: string | null;
  status: number | string;
  created_ms: number | string;
  start_ms: number | string | null;
  stop_ms: number | string;
  node?: string | null;
};
const toRun = (r: RawRun): RunRow => ({
  resultId: r.result_id,
  taskId: r.task_id,
  ...(r.app_id ? { appId: r.app_id } : {}),
  status: Number(r.status),
  createdMs: Number(r.created_ms),
  ...(r.start_ms !== null ? { startMs: Number(r.start_ms) } : {}),
  stopMs: Number(r.stop_ms),
  ...(r.node ? { node: r.node } : {}),
});

/** The kept learners from `sinceMs` on; one kept in another zone than its task's now is first made again from the store. */
async function learnersIn(db: SqlDb, kept: KeptRuns, zoneOf: (taskId: string) => string | undefined, sinceMs: number) {
  const learners = kept.learners(sinceMs);
  if (!learners) return undefined;
  // A task whose trigger's zone changed (rare): its kinds of day are counted again from what the store holds.
  const moved = [...learners].flatMap(([taskId, l]) => {
    const zone = zoneOf(taskId);
    return zone !== undefined && zone !== l.zone ? [{ taskId, zone }] : [];
  });
  for (const { taskId, zone } of moved) {
    const token = kept.readToken();
    const rows = (await db.all<RawRun>("SELECT * FROM watchdog_runs WHERE task_id = ? AND stop_ms >= ? ORDER BY stop_ms", [taskId, sinceMs])).map(toRun);
    // A write beside the read: none are answered, and the look learns from the store's runs (the next one tries again).
    if (!kept.relearn(token, taskId, zone, rows)) return undefined;
  }
  return learners;
}

export interface RunReads {
  /** The task's run that the Scheduler triggered first at or after `fromMs` (after it, `after`), skips aside. */
  firstStartFrom(taskId: string, fromMs: number, after: boolean): Promise<RunRow | undefined>;
  /** The task's run that stopped last of those that started at or after `startedFromMs` (no start: 0), retries aside. */
  lastEndedFrom(taskId: string, startedFromMs: number): Promise<RunRow | undefined>;
  /** Finished runs of the task, oldest first, since `sinceMs`. */
  runsOf(taskId: string, sinceMs: number): Promise<RunRow[]>;
  /**
   * The node that ran the task's last run that names one (QRS executingNodeName), for a condition of a task that is
   * not running: one indexed row (task_id, stop_ms), read only when a condition opens.
   */
  lastNodeOf(taskId: string): Promise<string | undefined>;
  /** Every finished run since `sinceMs` (for the chain and missed-start checks). */
  runsSince(sinceMs: number): Promise<RunRow[]>;
  /**
   * Per task whose id starts with `prefix` (a Qlik Cloud tenant's), its finished runs since `sinceMs`, oldest first
   * (a task with none left out): lists of the caller's own, of read-only runs (on SQLite the kept objects themselves).
   */
  runsWithPrefix(prefix: string, sinceMs: number): Promise<Map<string, KeptRun[]>>;
  /**
   * The runs held in memory per task (SQLite), each list complete from `fromMs` on and holding the task's newest run
   * however old (kept-runs.ts); undefined on PostgreSQL or before the runs were first read.
   */
  keptRecentRuns(): { fromMs: number; byTask: ReadonlyMap<string, RunList> } | undefined;
  /** The same runs per task, each list oldest first, when they are kept in memory (SQLite); else undefined. */
  keptRunsByTask(sinceMs: number): ReadonlyMap<string, RunList> | undefined;
  /**
   * The runs held in memory and the bytes they take, and the bytes of what is kept to learn from them (SQLite);
   * undefined where each look reads the store.
   */
  keptRunsSize(): { runs: number; bytes: number; learnedBytes: number } | undefined;
  /** The time zone each task's kinds of day are counted in (its trigger's; undefined: not a task of the plan), for the learners kept. */
  taskZones(zoneOf: (taskId: string) => string | undefined): void;
  /**
   * What each task's runs teach, kept as they were added and pruned (SQLite; undefined on PostgreSQL, before the
   * runs were read, or when one kept in another zone than its task's now could not be made again from the store).
   */
  keptLearners(sinceMs: number): Promise<ReadonlyMap<string, RunLearner> | undefined>;
  /** How many past runs are held in memory (0 on PostgreSQL, where each look reads the store): steward_watchdog_runs_held. */
  keptRunsHeld(): number;
}

export function createRunReads(db: SqlDb, kept: KeptRuns | undefined): RunReads {
  let zoneOf: (taskId: string) => string | undefined = () => undefined;
  const one = async (sql: string, params: SqlValue[]) => {
    const row = await db.get<RawRun>(sql, params);
    return row ? toRun(row) : undefined;
  };
  return {
    firstStartFrom: (taskId, fromMs, after) =>
      one(`SELECT * FROM watchdog_runs WHERE task_id = ? AND stop_ms >= ? AND created_ms ${after ? ">" : ">="} ? AND status <> 9 ORDER BY created_ms LIMIT 1`, [
        taskId,
        fromMs,
        fromMs,
      ]),
    lastEndedFrom: (taskId, startedFromMs) =>
      one("SELECT * FROM watchdog_runs WHERE task_id = ? AND status <> 10 AND COALESCE(start_ms, 0) >= ? ORDER BY stop_ms DESC LIMIT 1", [
        taskId,
        startedFromMs,
      ]),
    async lastNodeOf(taskId) {
      const row = await db.get<{ node: string }>("SELECT node FROM watchdog_runs WHERE task_id = ? AND node IS NOT NULL ORDER BY stop_ms DESC LIMIT 1", [
        taskId,
      ]);
      return row?.node ?? undefined;
    },
    runsOf: async (taskId, sinceMs) =>
      (await db.all<RawRun>("SELECT * FROM watchdog_runs WHERE task_id = ? AND stop_ms >= ? ORDER BY stop_ms", [taskId, sinceMs])).map(toRun),
    async runsSince(sinceMs) {
      // Read from the store, and kept from then on unless a write ran beside the read.
      const token = kept?.readToken() ?? -1;
      const rows = (await db.all<RawRun>("SELECT * FROM watchdog_runs WHERE stop_ms >= ? ORDER BY stop_ms", [sinceMs])).map(toRun);
      const held = kept?.recent();
      if (kept && (!held || sinceMs < held.fromMs)) kept.load(token, sinceMs, rows);
      return rows;
    },
    async runsWithPrefix(prefix, sinceMs) {
      // On SQLite read once, then kept as the writes are applied (prefix-runs.ts), unless a write ran beside the read.
      const held = kept?.prefixRuns(prefix, sinceMs);
      if (held) return held;
      const token = kept?.readToken() ?? -1;
      // SQLite compares the bytes, so a range finds them by the index; elsewhere a collation may order ':' apart.
      const range = db.dialect === "sqlite" ? "task_id >= ? AND task_id < ? AND " : "";
      const rows = (
        await db.all<RawRun>(`SELECT * FROM watchdog_runs WHERE ${range}substr(task_id, 1, ?) = ? AND stop_ms >= ? ORDER BY stop_ms`, [
          ...(range ? [prefix, `${prefix}\uffff`] : []),
          prefix.length,
          prefix,
          sinceMs,
        ])
      ).map(toRun);
      if (kept?.loadPrefix(token, prefix, sinceMs, rows)) return kept.prefixRuns(prefix, sinceMs)!;
      const byTask = new Map<string, KeptRun[]>();
      for (const r of rows) (byTask.get(r.taskId) ?? byTask.set(r.taskId, []).get(r.taskId)!).push(r);
      return byTask;
    },
    keptRecentRuns: () => kept?.recent(),
    keptRunsByTask: (sinceMs) => kept?.byTask(sinceMs),
    keptRunsSize: () => kept?.size(),
    taskZones(fn) {
      zoneOf = fn;
      kept?.setZones(fn);
    },
    keptLearners: async (sinceMs) => (kept ? learnersIn(db, kept, zoneOf, sinceMs) : undefined),
    keptRunsHeld: () => kept?.size().runs ?? 0,
  };
}
