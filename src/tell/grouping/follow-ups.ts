// Follow-ups only for what was sent: a watchdog condition's end (task.on_track) reaches a channel and recipient only if
// they received the page of that condition on its own. A condition held as a cause's symptom, silenced, or sent only
// to another route is followed up by its cause's recovered page or not at all (issue 64: 23 "back on track" pages
// answered notices the route never took). Runs after grouping, which puts the cause on the events it decided on.
import type { DomainEvent } from "../../platform/events/types";
import { isWatchdogEvent, WATCH_CONDITIONS } from "../../platform/events/types";
import type { SqlDb } from "../../platform/store/sql";
import { type DeliveryGate, wouldSend } from "../notify/gate";
import type { PlannedDelivery } from "../notify/planner";

/** How long a page's receivers are kept: longer than any condition stays open and is still followed up. */
const KEEP_MS = 40 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;
/** Deliveries the grouping added for a cause's own pages: they are the cause's, never a condition's follow-up. */
const CAUSE_KEYS = /^cause-(page|recovered|update):/;

const WATCHED: ReadonlySet<string> = new Set(WATCH_CONDITIONS);
/** The watchdog's own conditions (a missed start … a task turned off); check-ins and freshness have recoveries of their own. */
const conditionKey = (e: DomainEvent) => (isWatchdogEvent(e) && WATCHED.has(e.condition.type) ? e.condition.key : undefined);
const receiver = (d: PlannedDelivery) => [d.channel, d.recipient.toLowerCase()] as const;

export function createFollowUpGate(db: SqlDb): DeliveryGate {
  let prunedAt = Number.NEGATIVE_INFINITY;
  async function record(key: string, deliveries: readonly PlannedDelivery[], now: number) {
    for (const d of deliveries)
      await db.run(
        "INSERT INTO page_receivers (condition_key, channel, recipient, at) VALUES (?, ?, ?, ?) ON CONFLICT (condition_key, channel, recipient) DO UPDATE SET at = excluded.at",
        [key, ...receiver(d), now],
      );
    if (now - prunedAt >= PRUNE_EVERY_MS) {
      prunedAt = now;
      await db.run("DELETE FROM page_receivers WHERE at < ?", [now - KEEP_MS]);
    }
  }
  return {
    async review(plan, now) {
      const e = plan.event;
      const key = conditionKey(e);
      if (key === undefined || !isWatchdogEvent(e)) return plan;
      const own = plan.deliveries.filter((d) => wouldSend(d) && !CAUSE_KEYS.test(d.key));
      if (e.kind !== "task.on_track") {
        // Sent on its own: its end is followed up there. Sent carrying a cause: the cause's recovered page says it.
        if (!e.cause && own.length > 0) await record(key, own, now);
        return plan;
      }
      // The cause's recovered page rides on this event where its routes take it: that is no follow-up of the condition.
      if (e.cause?.status === "closed" || own.length === 0) return plan;
      const rows = await db.all<{ channel: string; recipient: string }>("SELECT channel, recipient FROM page_receivers WHERE condition_key = ?", [key]);
      const got = new Set(rows.map((r) => `${r.channel}\u0000${r.recipient}`));
      const reason = "follows up a page this channel did not receive (the condition was held, silenced, or sent elsewhere)";
      return {
        ...plan,
        deliveries: plan.deliveries.map((d) =>
          wouldSend(d) && !CAUSE_KEYS.test(d.key) && !got.has(receiver(d).join("\u0000")) ? { ...d, action: "suppress", reason } : d,
        ),
      };
    },
  };
}
