// The failed and aborted runs of a span as the incidents recorded them (one row per run, in the store the Stewards of
// a site share): what the reports' "Failures by cause" counts, each run with its task's name and error class.
import type { SqlDb } from "../../platform/store/sql";

export interface FailedRun {
  /** The run's executionId, lower case (as a cause records its runs). */
  executionId: string;
  outcome: "failed" | "aborted";
  taskId: string;
  /** The task's name as its incident names it; its id when the incident was deleted since. */
  taskName: string;
  errorClass: string | null;
  finishedAt: number;
}

/** Runs that ended failed or aborted in [from, to), oldest first, at most `limit`. */
export async function failedRunsBetween(db: SqlDb, from: number, to: number, limit: number): Promise<FailedRun[]> {
  const rows = await db.all<Record<string, string | number | null>>(
    `SELECT r.execution_id, r.outcome, r.task_id, r.error_class, r.finished_at, i.title FROM incident_runs r LEFT JOIN incidents i ON i.id = r.incident_id
     WHERE r.finished_at >= ? AND r.finished_at < ? AND r.outcome IN ('failed', 'aborted') ORDER BY r.finished_at, r.execution_id LIMIT ?`,
    [from, to, limit],
  );
  return rows.map((r) => ({
    executionId: String(r.execution_id).toLowerCase(),
    outcome: r.outcome === "aborted" ? "aborted" : "failed",
    taskId: String(r.task_id).toLowerCase(),
    taskName: r.title === null || r.title === undefined ? String(r.task_id) : String(r.title),
    errorClass: r.error_class === null || r.error_class === undefined ? null : String(r.error_class),
    finishedAt: Number(r.finished_at),
  }));
}
