// SQL of action updates (action-updates.ts): the outcomes no message told yet, and the claim that makes one Steward
// of a cluster tell each once. The claim is written in told_event_id, as a message's telling is (action-store.ts
// `tell`), so an outcome is told by a message or by its update, never both: `<update id>:claimed` while it is being
// queued (a Steward killed then leaves it for any Steward to queue again), the update's id once it is queued. The
// actions of one re-run that ended together the same way (an engine wait that gave up ends the later ones with it) are
// claimed in one statement under one update, so a cluster tells the re-run once, not once per run.
import type { SqlDb } from "../../platform/store/sql";
import { type RemediationAction, rowOf, TOLD_RUNNING } from "./action-row";
import { GAVE_UP_WAITING } from "./engine-wait-rows";

export const CLAIMED = ":claimed";
/**
 * Ended one way or another, asked by a person (a rule's attempts are told on its page; a rule's re-run that gave up
 * waiting for a free engine has no page saying so, so it is told too), and not told yet.
 */
export const UNTOLD = `status IN ('ended', 'failed', 'skipped', 'cancelled')
  AND (requested_from <> 'rule' OR (kind = 'rerun' AND status = 'failed' AND outcome LIKE '${GAVE_UP_WAITING}%'))
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
    /**
     * The actions of `a`'s re-run that ended with it: the same cause, who asked, moment, status and outcome, oldest
     * (chain order) first; told or not. Just `a` for any other action.
     */
    async endedWith(a: RemediationAction): Promise<RemediationAction[]> {
      if (a.kind !== "rerun" || a.causeId <= 0 || a.endedAt === null || a.outcome === null) return [a];
      const rows = await db.all<Record<string, unknown>>(
        `SELECT * FROM remediation_actions WHERE cause_id = ? AND kind = 'rerun' AND requested_by = ? AND ended_at = ? AND status = ? AND outcome = ? ORDER BY id`,
        [a.causeId, a.requestedBy, a.endedAt, a.status, a.outcome],
      );
      return rows.length > 0 ? rows.map(rowOf) : [a];
    },
    /**
     * Claims one update for the untold among `ids` (one statement: of two Stewards claiming at once, one gets them);
     * the ids claimed, none when a message told them or another Steward claimed them first.
     */
    async claimUpdates(ids: readonly number[], eventId: string): Promise<number[]> {
      if (ids.length === 0) return [];
      const rows = await db.all<{ id: number | string }>(
        `UPDATE remediation_actions SET told_event_id = ? WHERE id IN (${ids.map(() => "?").join(", ")}) AND ${UNTOLD} RETURNING id`,
        [`${eventId}${CLAIMED}`, ...ids],
      );
      return rows.map((r) => Number(r.id)).sort((x, y) => x - y);
    },
    /** The update is in the outbox: told by it, every action it was claimed for. */
    async updateQueued(eventId: string): Promise<void> {
      await db.run("UPDATE remediation_actions SET told_event_id = ? WHERE told_event_id = ?", [eventId, `${eventId}${CLAIMED}`]);
    },
  };
}
