// The outbox's looks for work, kept to few statements (issue 89: in a cluster on PostgreSQL the CPU goes mostly to
// statements, the Stewards' and the server's): which keys of a plan are written in one, and what a one-statement
// claim returns put as the claim's transaction returns it.
import type { SqlDb } from "../../platform/store/sql";

/**
 * A pending delivery may go only when no earlier delivery of its thread to the same channel and recipient is still
 * waiting or on its way: a follow-up never overtakes the alert it follows (a retrying one holds it back).
 */
export const NOT_HELD_BACK = `(d.thread IS NULL OR NOT EXISTS (SELECT 1 FROM notify_deliveries p WHERE p.thread = d.thread AND p.channel = d.channel
  AND p.recipient = d.recipient AND p.id < d.id AND p.status IN ('pending', 'sending')))`;

/**
 * Only the deliveries of these channels (the parameters: their names), when a Steward says which it has: in a cluster
 * whose Stewards do not all have the same channels (a channel added on one node first), a delivery is left to one
 * that can send it, instead of being given up as "no longer configured" by one that cannot.
 */
export function ofChannels(channels: readonly string[] | undefined): string {
  if (channels === undefined) return "";
  return channels.length === 0 ? " AND 1 = 0" : ` AND d.channel IN (${channels.map(() => "?").join(", ")})`;
}

/** The due deliveries, oldest first; on PostgreSQL locked (SKIP LOCKED: Stewards polling at once get different rows). */
export const dueSql = (pg: boolean, channels?: readonly string[]) => `SELECT d.* FROM notify_deliveries d WHERE d.status = 'pending'
  AND d.next_attempt_at <= ?${ofChannels(channels)} AND ${NOT_HELD_BACK} ORDER BY d.next_attempt_at, d.id LIMIT ?${pg ? " FOR UPDATE SKIP LOCKED" : ""}`;

/** PostgreSQL: the due rows locked (SKIP LOCKED) and marked in one statement, not a transaction of one statement a row. */
export const claimAllSql = (channels?: readonly string[]) => `WITH due AS MATERIALIZED (SELECT d.id FROM notify_deliveries d
  WHERE d.status = 'pending' AND d.next_attempt_at <= ?${ofChannels(channels)} AND ${NOT_HELD_BACK}
  ORDER BY d.next_attempt_at, d.id LIMIT ? FOR UPDATE SKIP LOCKED)
  UPDATE notify_deliveries n SET status = 'sending', attempts = n.attempts + 1, claimed_by = ?, updated_at = ? FROM due
  WHERE n.id = due.id AND n.status = 'pending' RETURNING n.*`;

/** Which of these delivery keys are written already: one statement for a plan's deliveries. */
export async function existingKeys(db: SqlDb, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.all<{ key: string }>(`SELECT key FROM notify_deliveries WHERE key IN (${keys.map(() => "?").join(", ")})`, [...keys]);
  return new Set(rows.map((r) => String(r.key)));
}

/**
 * The rows a one-statement claim (UPDATE … RETURNING) marked, as the claim's transaction answers: oldest due first,
 * each with the attempts made before this claim (RETURNING gives them counted).
 */
export function claimedOf<T extends { id: number; nextAttemptAt: number; attempts: number }>(rows: T[]): T[] {
  return rows.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id).map((r) => ({ ...r, attempts: r.attempts - 1 }));
}
