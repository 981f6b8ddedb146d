// Previews: which routes take an event, which deliveries would follow (and why some would not), and what
// each channel would send. Shared by POST /v4/alerts/preview (with the outbox, so rate limits and
// duplicates show) and `steward alert preview` (offline, without the store).
import { scheduleOf } from "../oncall/config";
import { onDuty } from "../oncall/on-duty";
import type { NotifierConfig } from "./config";
import type { ChannelDeps, ChannelDefinition } from "./types";
import type { DomainEvent } from "../../platform/events/types";
import { varsOptionsFor } from "./channel-setup";
import { CHANNELS } from "./channels/registry";
import { buildNotification } from "./notification";
import { mentionFor } from "./on-duty-post";
import type { OutboxStore } from "./outbox-store";
import { planEvent, type Plan, type PlanContext, type PlannedDelivery } from "./planner";
import { nameRoutes, routeAttachScriptLog } from "./routing";

export interface PreviewDelivery extends PlannedDelivery {
  rendered?: unknown;
  /** Why the rich form cannot be rendered; `rendered` is then the plain form that would be sent (when it can be built). */
  renderError?: string;
}

export interface Preview {
  event: DomainEvent;
  testMode: boolean;
  routes: Plan["routes"];
  deliveries: PreviewDelivery[];
}

/** `rota`: the config's schedules as they stand (with the overrides people made); without it, the config's own. */
export function planContextFor(config: NotifierConfig, rota?: (configured: NotifierConfig["oncall"]) => NotifierConfig["oncall"]): PlanContext {
  return {
    routes: nameRoutes(config.routes),
    escalationTargets: new Set(config.routes.flatMap((r) => (r.escalate ? [r.escalate.to] : []))),
    channels: config.channels,
    notify: config.notify,
    traits: (type) => ({
      addressable: CHANNELS[type].addressable,
      supportsDigest: CHANNELS[type].supportsDigest,
      dataSink: CHANNELS[type].dataSink === true,
      keepsAlerts: CHANNELS[type].keepsAlerts === true,
    }),
    onDuty: (name, nowMs) => {
      const schedule = scheduleOf(rota ? rota(config.oncall) : config.oncall, name);
      return schedule ? onDuty(schedule, nowMs) : undefined;
    },
  };
}

export async function previewEvent(
  config: NotifierConfig,
  ctx: PlanContext,
  channelDeps: (name: string) => ChannelDeps,
  event: DomainEvent,
  outbox: OutboxStore | undefined,
  now: number,
): Promise<Preview> {
  const plan = await planEvent(ctx, event, outbox, now);
  const deliveries = plan.deliveries.map((d): PreviewDelivery => {
    if (d.action === "duplicate") return d;
    const ch = config.channels[d.channel]!;
    try {
      const def = CHANNELS[ch.type] as ChannelDefinition<typeof ch.type>;
      const n = buildNotification(
        { deliveryId: 0, key: d.key, channel: d.channel, route: d.route, events: [event], recipient: d.recipient, target: d.target, attempt: 0 },
        varsOptionsFor(config, ch),
      );
      const attach = routeAttachScriptLog(config.routes, d.route);
      const who = mentionFor(config, d.channel, d.route, now);
      const sent = { ...n, ...(attach === undefined ? {} : { attachScriptLog: attach }), ...(who ? { onDuty: who } : {}) };
      const deps = channelDeps(d.channel);
      try {
        return { ...d, rendered: def.preview(ch as never, sent, { ...deps, strictTemplates: true }) };
      } catch (err) {
        // A template that fails: the error, and the plain form that would go out instead.
        return { ...d, renderError: err instanceof Error ? err.message : String(err), rendered: def.preview(ch as never, sent, deps) };
      }
    } catch (err) {
      return { ...d, renderError: err instanceof Error ? err.message : String(err) };
    }
  });
  return { event, testMode: config.notify.testMode.enabled, routes: plan.routes, deliveries };
}
