// SQL of action updates (action-updates.ts): the outcomes no message told yet, and the claim that makes one Steward
// of a cluster tell each once. The claim is written in told_event_id, as a message's telling is (action-store.ts
// `tell`), so an outcome is told by a message or by its update, never both: `<update id>:claimed` while it is being
// queued (a Steward killed then leaves it for any Steward to queue again), the update's id once it is queued.
import type { SqlDb } from "../../platform/store/sql";
import { type RemediationAction, rowOf, TOLD_RUNNING } from "./action-row";

export const CLAIMED = ":claimed";
/** Ended one way or another, asked by a person (a rule's attempts are told on its page), and not told yet. */
export const UNTOLD = `status IN ('ended', 'failed', 'skipped', 'cancelled') AND requested_from <> 'rule'
  AND (told_event_id IS NULL OR told_event_id LIKE '${TOLD_RUNNING}%')`;

export function createOutcomeRows(db: SqlDb) {
  return {
    /** Outcomes untold that ended in [from, to], oldest first. */
    async untoldOutcomes(from: number, to: number, limit = 50): Promise<RemediationAction[]> {
      const rows = await db.all<Record<string, unknown>>(
        `SELECT * FROM remediation_actions WHERE ${UNTOLD} AND ended_at >= ? AND ended_at <= ? ORDER BY id LIMIT ?`,
        [from, to, limit],
      );
      return rows.map(rowOf);
    },
    /** Updates claimed since `from` and not known to be queued (their Steward may have stopped in between). */
    async claimedUpdates(from: number, limit = 50): Promise<RemediationAction[]> {
      const rows = await db.all<Record<string, unknown>>("SELECT * FROM remediation_actions WHERE told_event_id LIKE ? AND ended_at >= ? ORDER BY id LIMIT ?", [
        `%${CLAIMED}`,
        from,
        limit,
      ]);
      return rows.map(rowOf);
    },
    /** Claims the outcome's update for `eventId`: false when a message told it, or another Steward claimed it first. */
    async claimUpdate(id: number, eventId: string): Promise<boolean> {
      const r = await db.run(`UPDATE remediation_actions SET told_event_id = ? WHERE id = ? AND ${UNTOLD}`, [`${eventId}${CLAIMED}`, id]);
      return r.changes === 1;
    },
    /** The update is in the outbox: told by it. */
    async updateQueued(id: number, eventId: string): Promise<void> {
      await db.run("UPDATE remediation_actions SET told_event_id = ? WHERE id = ? AND told_event_id = ?", [eventId, id, `${eventId}${CLAIMED}`]);
    },
  };
}
