// How busy each node was, hour by hour: the run-time its runs spent in progress (started → ended) and waiting
// (created → started: Triggered, or Queued for a free engine), added up per node and hour as each ended run is first
// stored, so the weekly report shows each node's busiest hours. Small whatever the site: one row per node and hour
// (35 days: 840 rows a node), each run added once (in the transaction that stores it, only when it is new).
import type { MigrationSet } from "../../platform/store/database";
import type { SqlDb, SqlExecutor } from "../../platform/store/sql";

const HOUR = 3_600_000;
/**
 * A run counts at most its last 8 days (a queue waits at most 7 days, QRS engineTimeout ≤ 10080 minutes; a task's
 * session times out after a day by default): a result QRS dates years before its end adds 192 rows, not thousands.
 */
const MAX_SPAN_MS = 8 * 86_400_000;

export const nodeHoursMigration: MigrationSet["migrations"][number] = {
  version: 2,
  name: "run-time in progress and waiting per node and hour",
  sql: `
    CREATE TABLE watchdog_node_hours (
      node TEXT NOT NULL,
      hour_ms INTEGER NOT NULL,
      running_ms INTEGER NOT NULL,
      waiting_ms INTEGER NOT NULL,
      PRIMARY KEY (node, hour_ms)
    );
  `,
};

export interface NodeHour {
  node: string;
  hourMs: number;
  runningMs: number;
  waitingMs: number;
}

/** A run as the hours count it: waiting from `createdMs` to `startMs` (or its end, never started), then in progress. */
export interface CountedRun {
  node: string;
  createdMs: number;
  startMs?: number;
  stopMs: number;
}

/** The run's waiting and running time split at the hours it spans. */
export function hourShares(r: CountedRun): Map<number, { runningMs: number; waitingMs: number }> {
  const out = new Map<number, { runningMs: number; waitingMs: number }>();
  const created = Math.max(r.createdMs, r.stopMs - MAX_SPAN_MS);
  const start = Math.min(Math.max(r.startMs ?? r.stopMs, created), r.stopMs);
  const add = (from: number, to: number, what: "runningMs" | "waitingMs") => {
    for (let t = from; t < to; ) {
      const hour = Math.floor(t / HOUR) * HOUR;
      const end = Math.min(to, hour + HOUR);
      const share = out.get(hour) ?? { runningMs: 0, waitingMs: 0 };
      share[what] += end - t;
      out.set(hour, share);
      t = end;
    }
  };
  add(created, start, "waitingMs");
  add(start, r.stopMs, "runningMs");
  return out;
}

/** Adds a newly stored run's time to its node's hours (inside the transaction that stored it). */
export async function countRun(tx: SqlExecutor, r: CountedRun): Promise<void> {
  for (const [hourMs, s] of hourShares(r))
    await tx.run(
      `INSERT INTO watchdog_node_hours (node, hour_ms, running_ms, waiting_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (node, hour_ms) DO UPDATE SET running_ms = watchdog_node_hours.running_ms + excluded.running_ms,
         waiting_ms = watchdog_node_hours.waiting_ms + excluded.waiting_ms`,
      [r.node.toLowerCase(), hourMs, s.runningMs, s.waitingMs],
    );
}

/** Every node's hours that start in [fromMs, toMs), by node and hour. */
export async function nodeHoursBetween(db: SqlDb, fromMs: number, toMs: number): Promise<NodeHour[]> {
  const rows = await db.all<{ node: string; hour_ms: number | string; running_ms: number | string; waiting_ms: number | string }>(
    "SELECT node, hour_ms, running_ms, waiting_ms FROM watchdog_node_hours WHERE hour_ms >= ? AND hour_ms < ? ORDER BY node, hour_ms LIMIT 100000",
    [Math.floor(fromMs / HOUR) * HOUR, toMs],
  );
  return rows.map((r) => ({ node: r.node, hourMs: Number(r.hour_ms), runningMs: Number(r.running_ms), waitingMs: Number(r.waiting_ms) }));
}

export async function pruneNodeHours(db: SqlDb, beforeMs: number): Promise<void> {
  await db.run("DELETE FROM watchdog_node_hours WHERE hour_ms < ?", [beforeMs]);
}
