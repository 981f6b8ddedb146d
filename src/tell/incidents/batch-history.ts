// The histories of a batch of runs (failure-batch.ts) read once per task instead of once per run: a flood of one
// task's failures is the usual batch, and its runs' histories are mostly the same rows. Each run's history is what
// it would be if the run were recorded alone, in batch order: its task's runs that ended before it, without itself
// and without the runs of the batch that come after it, newest first. A run whose history the task's rows cannot
// complete (other runs ended between it and the batch's latest) is read on its own.
import type { SqlExecutor } from "../../platform/store/sql";
import type { PastRun } from "./incident-store";

export interface HistoryOf {
  taskId: string;
  executionId: string;
  /** When the run ended: its history is the runs that ended before. */
  at: number;
}

interface Row {
  t?: string;
  i?: number;
  execution_id: string;
  outcome: string;
  finished_at: number;
  duration_ms: number | null;
}

const BY_TASK = `SELECT r.t, h.execution_id, h.outcome, h.finished_at, h.duration_ms
  FROM json_to_recordset(?::text::json) AS r(t text, a bigint, n int)
  CROSS JOIN LATERAL (SELECT execution_id, outcome, finished_at, duration_ms FROM incident_runs
    WHERE task_id = r.t AND finished_at < r.a ORDER BY finished_at DESC LIMIT r.n) h`;
const BY_RUN = `SELECT r.i, h.execution_id, h.outcome, h.finished_at, h.duration_ms
  FROM json_to_recordset(?::text::json) AS r(i int, t text, a bigint, e text)
  CROSS JOIN LATERAL (SELECT execution_id, outcome, finished_at, duration_ms FROM incident_runs
    WHERE task_id = r.t AND finished_at < r.a AND execution_id <> r.e ORDER BY finished_at DESC LIMIT ?) h`;

const newestFirst = (a: Row, b: Row) => Number(b.finished_at) - Number(a.finished_at);
const toPast = (h: Row): PastRun => ({
  outcome: h.outcome,
  finishedAt: Number(h.finished_at),
  durationMs: h.duration_ms === null ? null : Number(h.duration_ms),
  tables: null,
});

/** Every run's history (at most `limit` runs, newest first), in the order of `runs`. Sends its first statement at once. */
export async function batchHistories(tx: SqlExecutor, runs: readonly HistoryOf[], limit: number): Promise<PastRun[][]> {
  const position = new Map(runs.map((r, i) => [r.executionId, i]));
  const tasks = new Map<string, { at: number; n: number }>();
  for (const r of runs) {
    const t = tasks.get(r.taskId) ?? { at: r.at, n: limit };
    tasks.set(r.taskId, { at: Math.max(t.at, r.at), n: t.n + 1 });
  }
  const rows = await tx.all<Row>(BY_TASK, [JSON.stringify([...tasks].map(([t, v]) => ({ t, a: v.at, n: v.n })))]);
  const byTask = new Map<string, Row[]>();
  for (const row of rows) {
    const list = byTask.get(String(row.t));
    if (list) list.push(row);
    else byTask.set(String(row.t), [row]);
  }
  for (const list of byTask.values()) list.sort(newestFirst);
  // The rows of run i's history: not itself, not a run of the batch after it.
  const belongs = (row: Row, i: number, r: HistoryOf) =>
    Number(row.finished_at) < r.at && row.execution_id !== r.executionId && (position.get(row.execution_id) ?? -1) <= i;
  // The runs of a batch share most of their history rows: each row becomes a PastRun once (they are only read).
  const pasts = new Map<Row, PastRun>();
  const pastOf = (row: Row) => {
    let p = pasts.get(row);
    if (!p) pasts.set(row, (p = toPast(row)));
    return p;
  };
  const out: PastRun[][] = [];
  const short: number[] = [];
  runs.forEach((r, i) => {
    const read = byTask.get(r.taskId) ?? [];
    const mine: Row[] = [];
    for (const row of read) {
      if (mine.length >= limit) break;
      if (belongs(row, i, r)) mine.push(row);
    }
    // Complete when it has `limit` runs, or when the task's read stopped short of its limit (nothing older exists).
    if (mine.length >= limit || read.length < tasks.get(r.taskId)!.n) out.push(mine.map(pastOf));
    else {
      out.push([]);
      short.push(i);
    }
  });
  if (short.length === 0) return out;
  const more = await tx.all<Row>(BY_RUN, [
    JSON.stringify(short.map((i) => ({ i, t: runs[i]!.taskId, a: runs[i]!.at, e: runs[i]!.executionId }))),
    limit + runs.length,
  ]);
  for (const row of more.sort(newestFirst)) {
    const i = Number(row.i);
    if ((position.get(row.execution_id) ?? -1) > i || out[i]!.length >= limit) continue;
    out[i]!.push(toPast(row));
  }
  return out;
}
