// SQL of the two-person rule's rows: the actions waiting for a second person, their expiry, and the confirmation
// (one conditional UPDATE: awaiting → pending, never by the person who asked), for SQLite and PostgreSQL alike.
import type { SqlDb } from "../../platform/store/sql";
import { type RemediationAction, rowOf } from "./action-row";

export function createApprovalRows(db: SqlDb) {
  return {
    /** The task's action waiting for a second person, if any. */
    async awaitingOfTask(taskId: string): Promise<RemediationAction | undefined> {
      const r = await db.get<Record<string, unknown>>("SELECT * FROM remediation_actions WHERE task_id = ? AND status = 'awaiting'", [taskId.toLowerCase()]);
      return r ? rowOf(r) : undefined;
    },
    /** The actions asked for together under this approval key that still wait for a second person. */
    async awaiting(key: string): Promise<RemediationAction[]> {
      const rows = await db.all<Record<string, unknown>>("SELECT * FROM remediation_actions WHERE approval_key = ? AND status = 'awaiting' ORDER BY id", [key]);
      return rows.map(rowOf);
    },
    /** Ends the actions nobody confirmed before `before` (asked then): a later press starts a new approval. */
    async expireAwaiting(before: number, now: number, outcome: string): Promise<number> {
      return (
        await db.run("UPDATE remediation_actions SET status = 'cancelled', ended_at = ?, outcome = ? WHERE status = 'awaiting' AND requested_at < ?", [
          now,
          outcome,
          before,
        ])
      ).changes;
    },
    /**
     * The second person's confirmation, in one statement: the key's awaiting actions become pending, unless the one who
     * asked is the one confirming. Returns the actions it confirmed (none: someone else confirmed first, or the same person).
     */
    async confirm(key: string, c: { by: string; from: string; ip?: string; at: number }): Promise<RemediationAction[]> {
      const rows = await db.all<Record<string, unknown>>(
        `UPDATE remediation_actions SET status = 'pending', confirmed_by = ?, confirmed_from = ?, confirmed_ip = ?, confirmed_at = ?
         WHERE approval_key = ? AND status = 'awaiting' AND LOWER(requested_by) <> LOWER(?) RETURNING *`,
        [c.by, c.from, c.ip ?? null, c.at, key, c.by],
      );
      return rows.map(rowOf).sort((a, b) => a.id - b.id);
    },
  };
}
