// Task run history for the dashboard's charts: one small row per finished run (outcome, task, duration), kept
// 35 days in the store, so the charts show real history across restarts without keeping whole events.
// With one Steward per Qlik node sharing nothing, each node's /ui charts the runs that node reported.
import { createRunTrends, type RunTrends } from "./run-trends";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { GroupCommit } from "../../platform/store/group-commit";
import type { EventBus } from "../../platform/core/bus";
import type { Component } from "../../platform/core/lifecycle";
import type { DomainEvents, TaskEvent } from "../../platform/events/types";
import type { MigrationSet } from "../../platform/store/database";

export const runHistoryMigrations: MigrationSet = {
  module: "run_history",
  migrations: [
    {
      version: 1,
      name: "finished task runs",
      sql: `CREATE TABLE task_runs (
          execution_id TEXT NOT NULL, outcome TEXT NOT NULL, task_id TEXT NOT NULL, task_name TEXT NOT NULL,
          task_type TEXT NOT NULL, app_name TEXT, host TEXT NOT NULL, finished_at INTEGER NOT NULL, duration_ms INTEGER,
          PRIMARY KEY (execution_id, outcome));
        CREATE INDEX task_runs_finished ON task_runs (finished_at);
        CREATE INDEX task_runs_task ON task_runs (task_id, finished_at);`,
    },
  ],
};

export const RUN_HISTORY_DAYS = 35;
const INSERT_HEAD = "INSERT OR IGNORE INTO task_runs (execution_id, outcome, task_id, task_name, task_type, app_name, host, finished_at, duration_ms)";
const ROW_PLACEHOLDERS = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
/** Rows per multi-row INSERT (9 parameters each, far below SQLite's limit). */
const ROWS_PER_INSERT = 64;
type RowValues = [string, string, string, string, string, string | null, string, number, number | null];
/** A flood of forged datagrams for real tasks must not grow the store without end: the oldest rows go first. */
export const RUN_HISTORY_MAX_ROWS = 500_000;
const DAY_MS = 86_400_000;

export type Outcome = "succeeded" | "failed" | "aborted";

export interface OutcomeBucket {
  /** Start of the bucket, ms since the epoch. */
  start: number;
  succeeded: number;
  failed: number;
  aborted: number;
}

export interface TaskDurations {
  taskId: string;
  taskName: string;
  runs: number;
  maxMs: number;
  avgMs: number;
}

export interface RunRow {
  executionId: string;
  outcome: Outcome;
  taskId: string;
  taskName: string;
  taskType: string;
  appName: string | null;
  host: string;
  finishedAt: number;
  durationMs: number | null;
}

/** The reports' reads (runsBetween, growing) are in run-trends.ts. */
export interface RunHistory extends Component, RunTrends {
  record(e: TaskEvent): void;
  /** Runs per outcome in `count` buckets of `bucketMs` ending with the bucket that holds `now`. */
  outcomes(now: number, bucketMs: number, count: number, offsetMs?: number): OutcomeBucket[];
  /** Tasks with the longest runs since `since` (successful reloads and other runs alike). */
  slowest(since: number, limit: number): TaskDurations[];
  /** Newest first. */
  runsOf(taskId: string, limit: number): RunRow[];
  /** Newest first: the runs of the tasks that reload the app of this name (any case). */
  runsOfApp(appName: string, limit: number): RunRow[];
}

/** With `writes`, a run's row joins the store's shared transaction (group commit) instead of a commit of its own. */
/** With `siteWide`, runs come from the cluster's feed (record), not from this Steward's bus. */
export function createRunHistory(
  db: DatabaseSync,
  bus: EventBus<DomainEvents>,
  now: () => number = Date.now,
  maxRows = RUN_HISTORY_MAX_ROWS,
  writes?: GroupCommit,
  siteWide = false,
): RunHistory {
  const insert = db.prepare(`${INSERT_HEAD} VALUES ${ROW_PLACEHOLDERS}`);
  const pruneOld = db.prepare("DELETE FROM task_runs WHERE finished_at < ?");
  const pruneExcess = db.prepare("DELETE FROM task_runs WHERE rowid <= (SELECT MAX(rowid) FROM task_runs) - ?");
  const prune = () => {
    pruneOld.run(now() - RUN_HISTORY_DAYS * DAY_MS);
    pruneExcess.run(maxRows);
  };
  const outcomeRows = db.prepare(
    "SELECT CAST((finished_at - ?) / ? AS INTEGER) AS b, outcome, COUNT(*) AS n FROM task_runs WHERE finished_at >= ? AND finished_at < ? GROUP BY b, outcome",
  );
  const slowestRows = db.prepare(
    `SELECT task_id, MAX(task_name) AS task_name, COUNT(*) AS runs, MAX(duration_ms) AS max_ms, AVG(duration_ms) AS avg_ms
     FROM task_runs WHERE finished_at >= ? AND duration_ms IS NOT NULL GROUP BY task_id ORDER BY max_ms DESC LIMIT ?`,
  );
  const runsRows = db.prepare("SELECT * FROM task_runs WHERE task_id = ? ORDER BY finished_at DESC LIMIT ?");
  // Newest first along the finished_at index, stopping at the limit: no index of its own for a rare question.
  const appRunsRows = db.prepare("SELECT * FROM task_runs WHERE app_name = ? COLLATE NOCASE ORDER BY finished_at DESC LIMIT ?");
  let inserted = 0;
  let unsubscribe: (() => void) | undefined;
  /** Rows recorded this turn, written by the one group-commit write queued for them. */
  const waiting: RowValues[] = [];
  const multiInsert = new Map<number, StatementSync>();
  const insertOf = (rows: number): StatementSync => {
    if (rows === 1) return insert;
    let st = multiInsert.get(rows);
    if (!st) {
      st = db.prepare(`${INSERT_HEAD} VALUES ${Array.from({ length: rows }, () => ROW_PLACEHOLDERS).join(", ")}`);
      multiInsert.set(rows, st);
    }
    return st;
  };
  const writeRows = (rows: RowValues[]) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + ROWS_PER_INSERT);
      insertOf(chunk.length).run(...chunk.flat());
      // Pruning now and then keeps the write path to one statement.
      const before = inserted;
      inserted += chunk.length;
      const every = Math.min(500, maxRows);
      if (Math.floor(inserted / every) > Math.floor(before / every)) prune();
    }
  };

  const history: Omit<RunHistory, keyof RunTrends> = {
    name: "dashboard-run-history",
    async start() {
      prune();
      if (siteWide) return;
      const off = [bus.on("task.succeeded", history.record), bus.on("task.failed", history.record), bus.on("task.aborted", history.record)];
      unsubscribe = () => off.forEach((f) => f());
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = undefined;
    },
    record(e) {
      const stop = Date.parse(e.execution?.stopTime ?? e.receivedAt);
      const finishedAt = Number.isFinite(stop) ? stop : now();
      const duration = e.execution?.durationMs;
      const row: RowValues = [
        e.executionId,
        e.outcome,
        e.task.id,
        e.task.name || e.task.id,
        e.taskType,
        e.app?.name ?? null,
        e.host,
        finishedAt,
        duration === undefined ? null : Math.round(duration),
      ];
      if (!writes) return writeRows([row]);
      // The rows of one turn go into the shared transaction together, as multi-row INSERTs (one savepoint and a
      // few statements for a burst of runs instead of one of each per run).
      waiting.push(row);
      if (waiting.length > 1) return;
      // The charts are a convenience: rows lost with a failed commit are not worth failing the events for.
      writes.write(() => writeRows(waiting.splice(0))).catch(() => undefined);
    },
    outcomes(at, bucketMs, count, offsetMs = 0) {
      // Buckets are aligned to whole bucketMs (shifted by offsetMs, e.g. to local midnight).
      const end = Math.floor((at - offsetMs) / bucketMs) * bucketMs + bucketMs + offsetMs;
      const start = end - count * bucketMs;
      const buckets: OutcomeBucket[] = Array.from({ length: count }, (_, i) => ({ start: start + i * bucketMs, succeeded: 0, failed: 0, aborted: 0 }));
      for (const r of outcomeRows.all(start, bucketMs, start, end) as Array<{ b: number; outcome: Outcome; n: number }>) {
        const bucket = buckets[Number(r.b)];
        if (bucket && (r.outcome === "succeeded" || r.outcome === "failed" || r.outcome === "aborted")) bucket[r.outcome] += Number(r.n);
      }
      return buckets;
    },
    slowest(since, limit) {
      return (slowestRows.all(since, limit) as Array<{ task_id: string; task_name: string; runs: number; max_ms: number; avg_ms: number }>).map((r) => ({
        taskId: r.task_id,
        taskName: r.task_name,
        runs: Number(r.runs),
        maxMs: Number(r.max_ms),
        avgMs: Number(r.avg_ms),
      }));
    },
    runsOf(taskId, limit) {
      return (runsRows.all(taskId, limit) as Array<Record<string, unknown>>).map(runRow);
    },
    runsOfApp(appName, limit) {
      return (appRunsRows.all(appName, limit) as Array<Record<string, unknown>>).map(runRow);
    },
  };
  return { ...history, ...createRunTrends(db) };
}

function runRow(r: Record<string, unknown>): RunRow {
  return {
    executionId: String(r.execution_id),
    outcome: r.outcome as Outcome,
    taskId: String(r.task_id),
    taskName: String(r.task_name),
    taskType: String(r.task_type),
    appName: r.app_name === null ? null : String(r.app_name),
    host: String(r.host),
    finishedAt: Number(r.finished_at),
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
  };
}
