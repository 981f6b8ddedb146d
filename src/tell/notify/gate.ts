// The one place where modules outside notify/ may hold back an event's planned deliveries (silences, maintenance
// windows): a gate reviews each plan before it is written and may turn sends into suppressions with a reason, which
// the outbox records like any other suppression, so nothing is dropped unseen.
import { CHANNELS } from "./channels/registry";
import type { DomainEvent } from "../../platform/events/types";
import type { Plan, PlannedDelivery } from "./planner";

/**
 * What a gate may ask of the notifier while it reviews a plan: the deliveries another event would be planned (the
 * routes that take a cause's symptoms, asked with a symptom's kind before any symptom has come).
 */
export interface GateContext {
  planAs(event: DomainEvent): Promise<PlannedDelivery[]>;
}

export interface DeliveryGate {
  review(plan: Plan, now: number, ctx?: GateContext): Promise<Plan>;
}

/**
 * Why an alert due now would be held, and when to look again: what pages later than its event (an escalation) asks
 * this instead of going through the gates, which would record it as held (in a window's summary, as a silence's hold).
 */
export interface QuietSpell {
  /** When to ask again (the hold may end then, or earlier: a silence can be ended by hand). */
  until: number;
  /** For people: what holds it and until when. */
  reason: string;
}

/** Gates applied in order, each seeing what the one before left. */
export function composeGates(gates: readonly DeliveryGate[]): DeliveryGate {
  return {
    async review(plan, now, ctx) {
      let p = plan;
      for (const g of gates) p = await g.review(p, now, ctx);
      return p;
    },
  };
}

/**
 * Deliveries that would go out (sent now or folded into a digest) as an alert: the ones a gate may hold back. Data
 * sinks (InfluxDB, New Relic) are not alerts: they get every event, so their history has no holes.
 */
export const wouldSend = (d: Pick<PlannedDelivery, "action" | "channelType">): boolean =>
  (d.action === "send" || d.action === "group") && CHANNELS[d.channelType].dataSink !== true;
