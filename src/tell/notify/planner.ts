// Plans the deliveries of one event: matching routes → channels → recipients, then test mode, rate limits
// and grouping decide what happens to each. Used both to enqueue (dispatcher) and to preview.
import type { OnDuty } from "../oncall/on-duty";
import type { ChannelConfig, NotifyConfig } from "./config";
import type { DomainEvent } from "../../platform/events/types";
import { isDataCheckEvent, isTaskEvent, isWatchdogEvent } from "../../platform/events/types";
import type { OutboxStore } from "./outbox-store";
import { resolveRecipients } from "./recipients";
import { matchRoute, type NamedRoute } from "./routing";
import { renotifyDecision } from "./renotify";
import type { PageAfter } from "./page-after";

/** A route's own "page after N failures within a window", as the decision takes it. */
export function routePageAfter(route: NamedRoute): PageAfter | undefined {
  const p = route.config.pageAfter;
  return p ? { failures: p.failures, withinMs: p.within, from: `routes.${route.name}.pageAfter` } : undefined;
}

export interface ChannelTraits {
  addressable: boolean;
  supportsDigest: boolean;
  dataSink?: boolean;
  keepsAlerts?: boolean;
}

export interface PlanContext {
  routes: NamedRoute[];
  channels: Record<string, ChannelConfig>;
  notify: NotifyConfig;
  traits(type: ChannelConfig["type"]): ChannelTraits;
  /** Routes that take events only by escalation (another route's escalate.to). */
  escalationTargets?: ReadonlySet<string> | undefined;
  /** An escalation is itself the reason to page again: `renotify` does not hold it back. */
  escalating?: boolean;
  /** The event ends the run of an action a person asked for (a retry that failed again): `renotify` does not hold it back. */
  endsAnAction?: boolean;
  /** Who is on duty in an `oncall:` schedule at an instant (src/tell/oncall); undefined: no such schedule. */
  onDuty?: (schedule: string, nowMs: number) => OnDuty | undefined;
}

export type PlannedAction = "send" | "group" | "suppress" | "duplicate";

export interface PlannedDelivery {
  route: string;
  channel: string;
  channelType: ChannelConfig["type"];
  /** Original addressee for e-mail, "" for other channels. */
  recipient: string;
  via?: string;
  /** Where it really goes in test mode. */
  target: string | null;
  key: string;
  action: PlannedAction;
  /** A note on the on-call product's open alert (notification.ts NOTE_KIND), not a page of the event. */
  alertNote?: boolean;
  reason?: string;
  rateLimit?: { key: string; windowMs: number };
  /** key: the digest's group key (an incident's follow-ups); unset for a route's own burst digest. */
  group?: { windowMs: number; sendFirst: boolean; key?: string };
}

export interface RoutePlan {
  route: string;
  matched: boolean;
  reason?: string;
  channels: string[];
  skippedRecipients: Array<{ channel: string; address: string; reason: string }>;
  staticGated?: string;
}

export interface Plan {
  event: DomainEvent;
  routes: RoutePlan[];
  deliveries: PlannedDelivery[];
}

export function deliveryKey(eventId: string, channel: string, recipient: string): string {
  return `${eventId}|${channel}|${recipient.toLowerCase()}`;
}

/** Rate limits are per route × task (or host+service, or app+check) × channel × recipient. */
function rateSubject(event: DomainEvent): string {
  if (isTaskEvent(event)) return `task:${event.task.id}`;
  if (isDataCheckEvent(event)) return `check:${event.app.id}|${event.check?.name ?? "*"}`;
  if (isWatchdogEvent(event)) return `watch:${event.condition.key}`;
  return "service" in event ? `service:${event.host}|${event.service.name}` : `site:${event.kind}`;
}

/** `keyPrefix` makes the deliveries of an escalation distinct from the alert's own on the same channel. */
export async function planEvent(ctx: PlanContext, event: DomainEvent, outbox: OutboxStore | undefined, now: number, keyPrefix = ""): Promise<Plan> {
  const routes: RoutePlan[] = [];
  const deliveries: PlannedDelivery[] = [];
  const planned = new Map<string, string>();
  const test = ctx.notify.testMode;
  /** Each delivery the routes ask for, decided once all are known: the store is asked which exist in one statement. */
  const asked: Array<{ route: NamedRoute; ch: ChannelConfig; channelName: string; traits: ChannelTraits; base: PlannedDelivery }> = [];

  for (const route of ctx.routes) {
    const m = ctx.escalationTargets?.has(route.name)
      ? { matched: false, reason: "an escalation target: takes events only when a route escalates to it" }
      : matchRoute(route.config, event);
    const rp: RoutePlan = { route: route.name, matched: m.matched, reason: m.reason, channels: [], skippedRecipients: [] };
    routes.push(rp);
    if (!m.matched) continue;
    for (const channelName of route.config.to) {
      const ch = ctx.channels[channelName];
      if (!ch) continue;
      rp.channels.push(channelName);
      const traits = ctx.traits(ch.type);
      let recipients: Array<{ address: string; via?: string }> = [{ address: "" }];
      if (traits.addressable) {
        const staticTo = ch.type === "email" ? ch.to : [];
        const schedule = route.config.recipients?.onCall;
        const duty = schedule !== undefined ? { schedule, ...(ctx.onDuty?.(schedule, now) ?? { why: "no such schedule" }) } : undefined;
        const resolved = resolveRecipients(staticTo, route.config, event, duty);
        recipients = resolved.recipients;
        if (resolved.staticGated) rp.staticGated = resolved.staticGated;
        for (const s of resolved.skipped) rp.skippedRecipients.push({ channel: channelName, ...s });
      }
      for (const rcpt of recipients) {
        const key = keyPrefix + deliveryKey(event.id, channelName, rcpt.address);
        const base: PlannedDelivery = {
          route: route.name,
          channel: channelName,
          channelType: ch.type,
          recipient: rcpt.address,
          via: rcpt.via,
          target: null,
          key,
          action: "send",
        };
        asked.push({ route, ch, channelName, traits, base });
      }
    }
  }
  const written = outbox ? await outbox.existingKeys(asked.map((a) => a.base.key)) : new Set<string>();
  for (const a of asked) {
    deliveries.push(
      await decide(
        a.route,
        a.ch,
        a.channelName,
        a.traits,
        a.base,
        event,
        outbox,
        written,
        now,
        planned,
        test,
        ctx.escalating === true || ctx.endsAnAction === true,
      ),
    );
  }
  return { event, routes, deliveries };
}

/**
 * A failure heard of after its task's next success (issue 84): nothing will end an alert for it, so no channel that
 * keeps alerts open gets it; the time series get it as every run; a message channel only on a route that asks.
 */
function lateFailureDecision(route: NamedRoute, traits: ChannelTraits, event: DomainEvent): string | undefined {
  if (!isTaskEvent(event) || !event.heardAfterSuccess) return undefined;
  if (traits.dataSink) return undefined;
  const { succeededAt, incidentId } = event.heardAfterSuccess;
  const when =
    incidentId !== undefined
      ? `incident ${incidentId} ended when the task ran again successfully at ${succeededAt}, before this page could be queued (the Steward that recorded the failure stopped, or the store was away)`
      : `the task ran again successfully at ${succeededAt} before Steward heard of this failure`;
  if (traits.keepsAlerts) return `${when}: an on-call product is sent no alert that nothing would end`;
  return route.config.lateFailures ? undefined : `${when}: sent as a notice only on routes with lateFailures: true`;
}

async function decide(
  route: NamedRoute,
  ch: ChannelConfig,
  channelName: string,
  traits: ChannelTraits,
  d: PlannedDelivery,
  event: DomainEvent,
  outbox: OutboxStore | undefined,
  written: ReadonlySet<string>,
  now: number,
  planned: Map<string, string>,
  test: NotifyConfig["testMode"],
  /** An escalation, or the end of a person's action: the reason to page again, whatever `renotify` says. */
  pagesAgain: boolean,
): Promise<PlannedDelivery> {
  const earlier = planned.get(d.key);
  if (earlier) return { ...d, action: "duplicate", reason: `already planned by route ${earlier}` };
  planned.set(d.key, route.name);
  if (written.has(d.key)) return { ...d, action: "duplicate", reason: "this event was already handled for this channel and recipient" };
  if (!ch.enabled) return { ...d, action: "suppress", reason: "channel is disabled" };
  const late = lateFailureDecision(route, traits, event);
  if (late) return { ...d, action: "suppress", reason: late };

  if (test.enabled && !test.unaffected.includes(channelName)) {
    if (ch.type === "email") d = { ...d, target: test.email ?? null };
    else if ("testTarget" in ch && ch.testTarget) d = { ...d, target: ch.testTarget };
    else return { ...d, action: "suppress", reason: "test mode: this channel has no testTarget" };
  }

  const again = pagesAgain ? ({ action: "send" } as const) : renotifyDecision(route.config.renotify, event, traits, routePageAfter(route));
  if (again.action === "suppress") return { ...d, action: "suppress", reason: again.reason };

  if (route.config.rateLimit) {
    const rateKey = `${route.name}|${rateSubject(event)}|${channelName}|${d.recipient.toLowerCase()}`;
    const until = await outbox?.rateLimitedUntil(rateKey, now);
    if (until !== undefined)
      return {
        ...d,
        action: "suppress",
        reason: `rate limit: one alert per ${route.config.rateLimit / 1000}s; next allowed at ${new Date(until).toISOString()}`,
      };
    d = { ...d, rateLimit: { key: rateKey, windowMs: route.config.rateLimit } };
  }

  if (again.action === "group") return { ...d, action: "group", group: { windowMs: again.windowMs, sendFirst: false, key: again.groupKey } };
  if (route.config.group && traits.supportsDigest) {
    return { ...d, action: "group", group: { windowMs: route.config.group.window, sendFirst: route.config.group.sendFirst } };
  }
  return d;
}
