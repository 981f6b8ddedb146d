// SQL of the Engine reload actions the worker follows: their end is their reload job's, not a run of the task.
import type { SqlDb } from "../../platform/store/sql";
import { type RemediationAction, rowOf } from "./action-row";

export function createReloadRows(db: SqlDb) {
  return {
    /** Engine reloads started and not yet ended: the worker follows their reload jobs. */
    async startedReloads(limit = 20): Promise<RemediationAction[]> {
      const rows = await db.all<Record<string, unknown>>("SELECT * FROM remediation_actions WHERE kind = 'reload' AND status = 'started' ORDER BY id LIMIT ?", [
        limit,
      ]);
      return rows.map(rowOf);
    },
    /** An Engine reload's job ended: once on the site (the row must still be started). */
    async reloadEnded(id: number, now: number, outcome: string, line: string | null, answer: string): Promise<RemediationAction | undefined> {
      const r = await db.get<Record<string, unknown>>(
        `UPDATE remediation_actions SET status = 'ended', ended_at = ?, outcome = ?, outcome_line = ?, qlik_answer = ?
         WHERE id = ? AND kind = 'reload' AND status = 'started' RETURNING *`,
        [now, outcome, line, answer, id],
      );
      return r ? rowOf(r) : undefined;
    },
  };
}
