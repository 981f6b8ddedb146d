// The rows of a subscription mail being sent: claimed by one Steward before it is sent (several Stewards on one store
// send it once), held longer while the SMTP server takes it, and marked sent or failed (sender.ts).
import type { SqlDb } from "../../../platform/store/sql";

export function createMailClaims(db: SqlDb) {
  return {
    /** Claims a mail for `holdMs`; false when another Steward claimed it first. */
    async claim(id: number, now: number, holdMs: number): Promise<boolean> {
      const res = await db.run("UPDATE status_mails SET claimed_until = ? WHERE id = ? AND state = 'pending' AND claimed_until <= ?", [now + holdMs, id, now]);
      return res.changes === 1;
    },
    /** Holds a claimed mail longer while its send goes on. */
    renewClaim: (id: number, until: number) => db.run("UPDATE status_mails SET claimed_until = ? WHERE id = ? AND state = 'pending'", [until, id]),
    async sent(id: number): Promise<void> {
      await db.run("UPDATE status_mails SET state = 'sent', attempts = attempts + 1, last_error = NULL WHERE id = ?", [id]);
    },
    /** A failed attempt: again at `dueAt`, or given up (state failed) when `dueAt` is undefined. */
    async failed(id: number, error: string, dueAt: number | undefined): Promise<void> {
      await db.run("UPDATE status_mails SET attempts = attempts + 1, last_error = ?, claimed_until = 0, due_at = ?, state = ? WHERE id = ?", [
        error.slice(0, 500),
        dueAt ?? 0,
        dueAt === undefined ? "failed" : "pending",
        id,
      ]);
    },
  };
}
