// Refuses a replayed on-call webhook (issue 86): a captured signed PagerDuty delivery was taken 300 times. A delivery
// is taken when its own time (inside the signed body) is within the age window and its event id was not taken
// before; ids are kept in the store for as long as the window would accept the delivery, so a replay is refused on
// every Steward of a cluster. The caller answers a refusal with a 4xx, which the access guard audits once per caller
// and minute, with a count of the repeats.
import type { Clock } from "../../platform/core/clock";
import type { SqlDb } from "../../platform/store/sql";

/** How old a delivery may be: PagerDuty sends at once and retries within minutes. */
export const WEBHOOK_MAX_AGE_MS = 10 * 60_000;
/** How far ahead of this server's clock a delivery's time may be (the product's clock and ours differ a little). */
export const WEBHOOK_MAX_AHEAD_MS = 2 * 60_000;
const PRUNE_EVERY_MS = 60_000;

export type ReplayVerdict = { ok: true } | { ok: false; reason: string };

export interface ReplayGuard {
  /** Takes the delivery `eventId` of `product`, which says it happened at `atMs` (undefined: the product sends no time). */
  take(product: string, eventId: string, atMs: number | undefined): Promise<ReplayVerdict>;
}

export function createReplayGuard(db: SqlDb, clock: Clock): ReplayGuard {
  let prunedAt = Number.NEGATIVE_INFINITY;
  return {
    async take(product, eventId, atMs) {
      const now = clock.now();
      if (atMs !== undefined) {
        if (now - atMs > WEBHOOK_MAX_AGE_MS)
          return {
            ok: false,
            reason: `the delivery is from ${new Date(atMs).toISOString()}, older than ${WEBHOOK_MAX_AGE_MS / 60_000} minutes: a replay is refused`,
          };
        if (atMs - now > WEBHOOK_MAX_AHEAD_MS)
          return { ok: false, reason: `the delivery is from ${new Date(atMs).toISOString()}, ahead of this server's clock: refused` };
      }
      if (now - prunedAt >= PRUNE_EVERY_MS) {
        prunedAt = now;
        await db.run("DELETE FROM on_call_webhook_events WHERE expires_at < ?", [now]);
      }
      const expires = (atMs ?? now) + WEBHOOK_MAX_AGE_MS + WEBHOOK_MAX_AHEAD_MS;
      const r = await db.run(
        "INSERT INTO on_call_webhook_events (product, event_id, taken_at, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (product, event_id) DO NOTHING",
        [product, eventId, now, expires],
      );
      return r.changes === 1 ? { ok: true } : { ok: false, reason: `delivery ${eventId} was taken already: a replay is refused` };
    },
  };
}
