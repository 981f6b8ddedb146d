// The retries and re-runs remediation has yet to start or is starting (a person asked, or a rule did): the freshness
// projection reads them through the composition root, so a chain that a due retry continues is not called stopped and
// a promise it can still keep is not told "late" (issue 102). An ask waiting for a second person is not due yet.
import type { SqlDb } from "../../platform/store/sql";

export interface DueRun {
  taskId: string;
  dueMs: number;
}

/** At most this many: a queue's re-run asks for 200 at most, and a projection needs only the tasks of its chains. */
const LIMIT = 500;

export function createPendingRuns(db: SqlDb): () => Promise<DueRun[]> {
  return async () => {
    const rows = await db.all<{ task_id: string; due_at: number }>(
      `SELECT task_id, due_at FROM remediation_actions WHERE status IN ('pending', 'claimed', 'started') AND kind <> 'reload' ORDER BY due_at LIMIT ${LIMIT}`,
    );
    return rows.map((r) => ({ taskId: String(r.task_id), dueMs: Number(r.due_at) }));
  };
}
