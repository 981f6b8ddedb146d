// The one place where modules outside notify/ may hold back an event's planned deliveries (silences, maintenance
// windows): a gate reviews each plan before it is written and may turn sends into suppressions with a reason, which
// the outbox records like any other suppression, so nothing is dropped unseen.
import { CHANNELS } from "./channels/registry";
import type { DomainEvent } from "../../platform/events/types";
import type { Plan, PlannedDelivery } from "./planner";
import type { SqlExecutor } from "../../platform/store/sql";

/**
 * What a gate may ask of the notifier while it reviews a plan: the deliveries another event would be planned (the
 * routes that take a cause's symptoms, asked with a symptom's kind before any symptom has come).
 */
export interface GateContext {
  planAs(event: DomainEvent): Promise<PlannedDelivery[]>;
}

export interface DeliveryGate {
  review(plan: Plan, now: number, ctx?: GateContext): Promise<Plan>;
  /**
   * The last word, inside the transaction that writes the plan's deliveries (`tx`): what must be true together with
   * them or not at all (who received a page, read and written under a lock, so a recovery and its page queued at the
   * same moment by two Stewards, or a store outage between the two writes, cannot disagree).
   */
  settle?(plan: Plan, tx: SqlExecutor, now: number): Promise<Plan>;
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
    async settle(plan, tx, now) {
      let p = plan;
      for (const g of gates) if (g.settle) p = await g.settle(p, tx, now);
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
