// The silences' delivery gate: a planned delivery of an event a silence covers is recorded as suppressed (with the
// silence named) and as held, to be sent when the silence ends if its condition still lasts. An event that ends a
// condition whose alert is held is suppressed too: nobody was told it began.
import type { Logger } from "pino";
import type { DomainEvent } from "../../platform/events/types";
import { eventTitle } from "../../hear/events/event-title";
import type { DeliveryGate } from "../notify/gate";
import { wouldSend } from "../notify/gate";
import type { Plan } from "../notify/planner";
import { conditionOf } from "./condition";
import { describeMatcher, matchesSilence } from "./matcher";
import type { SilenceRow, SilenceStore } from "./silence-store";

export const silencedReason = (s: SilenceRow): string =>
  `silenced by silence #${s.id} (${s.author}: ${s.reason}) until ${new Date(s.endsAt).toISOString()}; held, sent when it ends if the condition lasts`;

/**
 * The open incident of the condition an event opens or adds to (a missed start, a freshness promise at risk then
 * late…: tell/incidents/condition-incidents.ts); undefined for any other event. Such an event does not carry it.
 */
export type ConditionIncidentOf = (e: DomainEvent) => Promise<number | undefined>;

/** Of the silences active at `now` that cover `event` (of those `only` keeps), the one that ends last. */
export async function coveringSilence(
  store: SilenceStore,
  event: DomainEvent,
  now: number,
  only: (s: SilenceRow) => boolean = () => true,
  conditionIncidentOf?: ConditionIncidentOf,
): Promise<SilenceRow | undefined> {
  const active = (await store.active(now)).filter(only);
  // Looked up only while a snooze of incidents is active: a snooze of a condition's incident holds its further alerts.
  const incident = active.some((s) => s.matcher.incidentIds) ? await conditionIncidentOf?.(event) : undefined;
  const covering = active.filter((s) => matchesSilence(s.matcher, event, incident));
  // The silence that ends last: the release re-checks the others anyway, this one saves a move.
  return covering.reduce<SilenceRow | undefined>((a, b) => (a && a.endsAt >= b.endsAt ? a : b), undefined);
}

/** A silence naming causes: it covers an alert once the grouping put the alert's cause on it. */
export const namesCauses = (s: SilenceRow): boolean => s.matcher.causeIds !== undefined;

/**
 * `onHeld` is told after alerts were held (the releaser then sweeps often until they are settled). `afterCauses`: the
 * gate that runs after the grouping's, for the silences naming causes (a snooze from a cause's link), on what the
 * grouping let through or added (the cause's update, its page to a route it had not reached).
 */
export function createSilenceGate(
  store: SilenceStore,
  log: Logger,
  onHeld: () => void = () => undefined,
  afterCauses = false,
  conditionIncidentOf?: ConditionIncidentOf,
): DeliveryGate {
  return {
    async review(plan: Plan, now: number): Promise<Plan> {
      const event = plan.event;
      const open = plan.deliveries.filter((d) => wouldSend(d));
      const cond = conditionOf(event);
      if (cond?.role === "closes" && !afterCauses) {
        const holding = await store.heldSilencesOf(cond.key);
        if (holding.length > 0) {
          const closed = await store.closeCondition(cond.key, now);
          log.info({ eventId: event.id, condition: cond.key, closed }, "condition ended while silenced: its held alerts are not sent");
          const reason = `not sent: the alert it ends was held by silence #${holding.join(", #")} and never sent`;
          return { ...plan, deliveries: plan.deliveries.map((d) => (wouldSend(d) ? { ...d, action: "suppress", reason } : d)) };
        }
      }
      if (open.length === 0) return plan;
      const silence = await coveringSilence(store, event, now, afterCauses ? namesCauses : undefined, conditionIncidentOf);
      if (!silence) return plan;
      const title = eventTitle(event);
      // Written before the outbox row (a hold without its row is not released: see SilenceStore.due).
      for (const d of open) {
        await store.hold({
          deliveryKey: d.key,
          silenceId: silence.id,
          eventId: event.id,
          kind: event.kind,
          title,
          conditionKey: cond?.role === "opens" ? cond.key : null,
          route: d.route,
          channel: d.channel,
          recipient: d.recipient,
          heldAt: now,
        });
      }
      onHeld();
      log.info({ eventId: event.id, silence: silence.id, matcher: describeMatcher(silence.matcher), deliveries: open.length }, "alert silenced");
      const reason = silencedReason(silence);
      return { ...plan, deliveries: plan.deliveries.map((d) => (wouldSend(d) ? { ...d, action: "suppress", reason } : d)) };
    },
  };
}
