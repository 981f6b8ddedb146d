// Who sends a hand-off notice: the Steward whose claim of (schedule, shift start) lands first. A claim whose Steward
// stopped before it sent is taken over once it is STALE_MS old; a sent notice is never claimed again.
import type { SqlDb } from "../../platform/store/sql";

/** Longer than a send to a slow SMTP server takes: a claim this old without a send is a Steward that stopped. */
const STALE_MS = 5 * 60_000;
/** Sent notices are kept a quarter (what went to whom), then pruned. */
const KEEP_MS = 90 * 86_400_000;

export interface HandoverNoticeStore {
  /** True when this Steward now holds the notice of `schedule`'s shift starting at `shiftStart`; false: sent or held by another. */
  claim(schedule: string, shiftStart: number, person: string, by: string, now: number): Promise<boolean>;
  sent(schedule: string, shiftStart: number, now: number): Promise<void>;
  /** The send failed: the claim is let go, so the next look (of any Steward) tries again before the shift starts. */
  release(schedule: string, shiftStart: number): Promise<void>;
  prune(now: number): Promise<void>;
}

export function createHandoverNoticeStore(db: SqlDb): HandoverNoticeStore {
  return {
    async claim(schedule, shiftStart, person, by, now) {
      const inserted = await db.run(
        `INSERT INTO oncall_handover_notices (schedule, shift_start, person, claimed_by, claimed_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (schedule, shift_start) DO NOTHING`,
        [schedule, shiftStart, person, by, now],
      );
      if (inserted.changes > 0) return true;
      const taken = await db.run(
        `UPDATE oncall_handover_notices SET person = ?, claimed_by = ?, claimed_at = ?
         WHERE schedule = ? AND shift_start = ? AND sent_at IS NULL AND claimed_at < ?`,
        [person, by, now, schedule, shiftStart, now - STALE_MS],
      );
      return taken.changes > 0;
    },
    async sent(schedule, shiftStart, now) {
      await db.run("UPDATE oncall_handover_notices SET sent_at = ? WHERE schedule = ? AND shift_start = ?", [now, schedule, shiftStart]);
    },
    async release(schedule, shiftStart) {
      await db.run("DELETE FROM oncall_handover_notices WHERE schedule = ? AND shift_start = ? AND sent_at IS NULL", [schedule, shiftStart]);
    },
    async prune(now) {
      await db.run("DELETE FROM oncall_handover_notices WHERE shift_start < ?", [now - KEEP_MS]);
    },
  };
}
