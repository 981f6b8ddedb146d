// SQL of the bounded wait for a free engine (remediation.engineWait): since when a pending re-run or chain's start has
// waited with its node's queue empty and every engine busy, and its end once that wait ran past the limit. Each is one
// conditional statement, so the Stewards of a cluster note the same start of the wait and end the action once.
import type { SqlDb } from "../../platform/store/sql";
import { type RemediationAction, rowOf } from "./action-row";

/** How the outcome of a wait that gave up begins ("every engine of reload01 stayed busy for 60 minutes"). */
export const GAVE_UP_WAITING = "every engine of ";

export function createEngineWaitRows(db: SqlDb) {
  return {
    /** When the action began waiting for a free engine: the first look's `now`, kept by every later look. */
    async waitingSince(id: number, now: number): Promise<number> {
      const r = await db.get<{ waiting_since: number | string | null }>(
        "UPDATE remediation_actions SET waiting_since = COALESCE(waiting_since, ?) WHERE id = ? RETURNING waiting_since",
        [now, id],
      );
      return r?.waiting_since === null || r?.waiting_since === undefined ? now : Number(r.waiting_since);
    },
    /** The wait ran out: the pending action ends without a run; undefined when another Steward ended or claimed it. */
    async waitedOut(id: number, now: number, outcome: string, answer: string): Promise<RemediationAction | undefined> {
      const r = await db.get<Record<string, unknown>>(
        `UPDATE remediation_actions SET status = 'failed', ended_at = ?, outcome = ?, qlik_answer = ?
         WHERE id = ? AND status = 'pending' RETURNING *`,
        [now, outcome, answer, id],
      );
      return r ? rowOf(r) : undefined;
    },
    /**
     * The re-run's actions still pending after the one that gave up (chain order): they would wait on the same busy
     * engines, so they end with it, not one limit after another.
     */
    async waitedOutAfter(causeId: number, afterId: number, now: number, outcome: string, answer: string): Promise<RemediationAction[]> {
      const rows = await db.all<Record<string, unknown>>(
        `UPDATE remediation_actions SET status = 'failed', ended_at = ?, outcome = ?, qlik_answer = ?
         WHERE cause_id = ? AND kind = 'rerun' AND status = 'pending' AND id > ? RETURNING *`,
        [now, outcome, answer, causeId, afterId],
      );
      return rows.map(rowOf);
    },
  };
}
