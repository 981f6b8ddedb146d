// SQL of who an action's outcome reached (issue 101): a message's telling marks the action told (told_event_id), but
// that message may reach fewer receivers than the page did (its route goes to one channel, a rate limit or renotify
// drops a delivery). Each receiver a message carrying the outcome was built for is kept here, and the page's others
// get the action's update: claimed in rest_told, as an update's claim is in told_event_id (outcome-rows.ts), so two
// Stewards queue it once and a Steward killed in between leaves the claim for any Steward to queue again.
import type { SqlDb } from "../../platform/store/sql";
import { actionUpdateEventId } from "../../platform/events/action-update";
import { type RemediationAction, rowOf, TOLD_RUNNING } from "./action-row";
import { CLAIMED } from "./outcome-rows";

/** Where a message went: its channel and recipient (a mail's address; '' for a channel's one conversation). */
export interface Receiver {
  channel: string;
  recipient: string;
}

export const receiverKey = (r: Receiver) => `${r.channel}|${r.recipient.toLowerCase()}`;

/**
 * Told by a message (not while running, not by its own update, nor claimed for it), asked by a person (a rule's attempts
 * are told on its page), and not yet looked at for the receivers that message left out.
 */
export const TOLD_BY_A_MESSAGE = `requested_from <> 'rule' AND status IN ('ended', 'failed', 'skipped', 'cancelled')
  AND told_event_id IS NOT NULL AND told_event_id NOT LIKE '${TOLD_RUNNING}%' AND told_event_id NOT LIKE '%${CLAIMED}'
  AND told_event_id NOT LIKE 'action-%:update' AND rest_told IS NULL`;

export function createToldReceiverRows(db: SqlDb) {
  return {
    /** A message carrying these actions' outcomes was built for `to`: kept once per action and receiver. */
    async toldTo(actionIds: readonly number[], to: Receiver, eventId: string, now: number): Promise<void> {
      for (const id of actionIds)
        await db.run(
          `INSERT INTO remediation_told_receivers (action_id, channel, recipient, event_id, told_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (action_id, channel, recipient) DO NOTHING`,
          [id, to.channel, to.recipient.toLowerCase(), eventId, now],
        );
    },
    /** The receivers a message carrying the action's outcome was built for (`channel|recipient`, lower case). */
    async toldReceivers(actionId: number): Promise<Set<string>> {
      const rows = await db.all<{ channel: string; recipient: string }>("SELECT channel, recipient FROM remediation_told_receivers WHERE action_id = ?", [
        actionId,
      ]);
      return new Set(rows.map((r) => receiverKey({ channel: String(r.channel), recipient: String(r.recipient) })));
    },
    /** Outcomes a message told that ended since `from`, not yet looked at for the page's other receivers, oldest first. */
    async toldByMessages(from: number, limit = 50): Promise<RemediationAction[]> {
      const rows = await db.all<Record<string, unknown>>(`SELECT * FROM remediation_actions WHERE ${TOLD_BY_A_MESSAGE} AND ended_at >= ? ORDER BY id LIMIT ?`, [
        from,
        limit,
      ]);
      return rows.map(rowOf);
    },
    /** Updates to the page's other receivers claimed since `from` and not known to be queued. */
    async claimedRest(from: number, limit = 50): Promise<RemediationAction[]> {
      const rows = await db.all<Record<string, unknown>>("SELECT * FROM remediation_actions WHERE rest_told LIKE ? AND ended_at >= ? ORDER BY id LIMIT ?", [
        `%${CLAIMED}`,
        from,
        limit,
      ]);
      return rows.map(rowOf);
    },
    /** Claims the update to the receivers the telling message left out: false when another Steward looked first. */
    async claimRest(id: number): Promise<boolean> {
      const r = await db.run(`UPDATE remediation_actions SET rest_told = ? WHERE id = ? AND rest_told IS NULL`, [`${actionUpdateEventId(id)}${CLAIMED}`, id]);
      return r.changes === 1;
    },
    /** The update is in the outbox for the receivers left out. */
    async restQueued(id: number): Promise<void> {
      await db.run("UPDATE remediation_actions SET rest_told = ? WHERE id = ? AND rest_told = ?", [
        actionUpdateEventId(id),
        id,
        `${actionUpdateEventId(id)}${CLAIMED}`,
      ]);
    },
    /** The telling message reached every receiver of the page (or it has none): nothing left to tell. */
    async restNone(id: number): Promise<void> {
      await db.run("UPDATE remediation_actions SET rest_told = 'none' WHERE id = ? AND rest_told IS NULL", [id]);
    },
  };
}
