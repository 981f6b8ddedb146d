// After the grouping's gate: an event a window holds that carries an open cause (its opening page, or a symptom) holds
// the cause's page too. Each of its deliveries the window suppressed (its own, and the cause's page to the routes of
// its symptoms, which the grouping added suppressed) is kept, to be sent at the window's end if the cause is still
// open (cause-release.ts). An event no window holds goes on: a cause over a node outside the window pages as usual.
import type { DomainEvent } from "../../platform/events/types";
import type { DeliveryGate } from "../notify/gate";
import { wouldSend } from "../notify/gate";
import type { CauseHoldStore } from "./cause-hold-store";
import type { Occurrence } from "./windows";

/** Every reason a window gives a delivery it holds starts so (gate.ts, causeHeldReason). */
export const WINDOW_REASON_PREFIX = "maintenance window ";

/** Why a cause's page waits: named on /ui/deliveries. */
export const causeHeldReason = (o: Occurrence, causeId: number): string =>
  `${WINDOW_REASON_PREFIX}${o.window} (${o.scope}) until ${new Date(o.endsAt).toISOString()} holds cause #${causeId}: paged at its end if still open`;

export function createCauseHoldGate(store: CauseHoldStore, holding: (e: DomainEvent, now: number) => Occurrence | undefined): DeliveryGate {
  return {
    async review(plan, now) {
      const cause = plan.event.cause;
      if (cause?.status !== "open") return plan;
      const o = holding(plan.event, now);
      if (!o) return plan;
      // What the gates after the window's added for the cause (none should): held the same way.
      const reason = causeHeldReason(o, cause.id);
      const deliveries = plan.deliveries.map((d) => (wouldSend(d) && !d.key.startsWith("esc:") ? { ...d, action: "suppress" as const, reason } : d));
      for (const d of deliveries) {
        if (d.action !== "suppress" || !d.reason?.startsWith(WINDOW_REASON_PREFIX) || d.alertNote) continue;
        await store.hold({
          deliveryKey: d.key,
          causeId: cause.id,
          eventId: plan.event.id,
          window: o.window,
          scope: o.scope,
          endsAt: o.endsAt,
          route: d.route,
          channel: d.channel,
          recipient: d.recipient,
          heldAt: now,
        });
      }
      return { ...plan, deliveries };
    },
  };
}
