// The maintenance windows' delivery gate: an event a window covers while it lasts is recorded for the window's
// summary, and its planned deliveries are suppressed with the window named. The watchdog and incidents still judge
// it; only the paging waits.
import { eventTitle } from "../../hear/events/event-title";
import type { DeliveryGate } from "../notify/gate";
import { wouldSend } from "../notify/gate";
import { conditionOf } from "../silences/condition";
import type { MaintenanceStore } from "./maintenance-store";
import { type CompiledWindow, coveringOccurrences, endingLast } from "./windows";

export function createMaintenanceGate(store: MaintenanceStore, windows: () => readonly CompiledWindow[]): DeliveryGate {
  return {
    async review(plan, now) {
      const event = plan.event;
      const inside = coveringOccurrences(windows(), event, now);
      if (inside.length === 0) return plan;
      const held = plan.deliveries.some((d) => wouldSend(d));
      const cond = conditionOf(event);
      for (const o of inside) {
        await store.seen(o);
        await store.record(
          o,
          { eventId: event.id, kind: event.kind, title: eventTitle(event), conditionKey: cond?.key ?? null, conditionRole: cond?.role ?? null, held },
          now,
        );
      }
      if (!held) return plan;
      const o = endingLast(inside)!;
      const reason = `maintenance window ${o.window} (${o.scope}) until ${new Date(o.endsAt).toISOString()}: recorded for its summary, not sent`;
      return { ...plan, deliveries: plan.deliveries.map((d) => (wouldSend(d) ? { ...d, action: "suppress", reason } : d)) };
    },
  };
}
