// Failures Steward heard of only after their task ran again successfully (a lost datagram that reconciliation found
// later): they opened no incident and paged nobody, so the task's history and the reports say what they were. Told
// apart by the store alone: a failed run linked to no incident, whose task's next success was recorded before it; or
// one a killed Steward recorded in an incident that the success closed before its page went, marked when handled again.
import type { SqlDb, SqlExecutor } from "../../platform/store/sql";

/** A failure heard of after its task's next success. */
export interface LateFailure {
  executionId: string;
  taskId: string;
  outcome: "failed" | "aborted";
  finishedAt: number;
  /** When the success that was recorded before it ended. */
  succeededAt: number;
}

/**
 * The first success after a failed run that was recorded before the failure was; NULL for any other run. `r` is the
 * run's row. A run seeded from QRS (source 'qrs') is no late one: it was read from the past on purpose. Only a failure
 * linked to no incident is looked at (every other one is not late): a page of runs costs an index probe per such run.
 */
export const SUCCEEDED_BEFORE_HEARD = `(CASE WHEN r.heard_late_ms IS NOT NULL THEN r.heard_late_ms
  WHEN r.outcome <> 'succeeded' AND r.incident_id IS NULL AND r.source = 'event' THEN
  (SELECT s.finished_at FROM incident_runs s WHERE s.task_id = r.task_id AND s.outcome = 'succeeded' AND s.finished_at > r.finished_at
    AND s.recorded_at <= r.recorded_at ORDER BY s.finished_at LIMIT 1) END)`;

const BETWEEN = `SELECT * FROM (SELECT r.execution_id, r.task_id, r.outcome, r.finished_at, ${SUCCEEDED_BEFORE_HEARD} AS succeeded_at FROM incident_runs r
    WHERE r.outcome IN ('failed', 'aborted') AND (r.incident_id IS NULL OR r.heard_late_ms IS NOT NULL) AND r.source = 'event' AND r.finished_at >= ? AND r.finished_at < ?) x
  WHERE x.succeeded_at IS NOT NULL ORDER BY x.finished_at DESC LIMIT ?`;

/** Failures in [from, to) heard of after their task's next success, newest first, at most `limit`. */
export async function lateFailuresBetween(db: SqlDb, from: number, to: number, limit: number): Promise<LateFailure[]> {
  const rows = await db.all<Record<string, string | number | null>>(BETWEEN, [from, to, limit]);
  return rows.map((r) => ({
    executionId: String(r.execution_id),
    taskId: String(r.task_id),
    outcome: r.outcome === "aborted" ? "aborted" : "failed",
    finishedAt: Number(r.finished_at),
    succeededAt: Number(r.succeeded_at),
  }));
}

/** The failed run was handled again after the success at `succeededAt` closed its incident: it was heard late. */
export async function markHeardLate(x: SqlExecutor, executionId: string, outcome: string, succeededAt: number): Promise<void> {
  await x.run("UPDATE incident_runs SET heard_late_ms = ? WHERE execution_id = ? AND outcome = ? AND heard_late_ms IS NULL", [
    succeededAt,
    executionId,
    outcome,
  ]);
}
