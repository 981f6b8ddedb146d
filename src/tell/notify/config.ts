// Config of the notification pipeline: named channel instances (a union on `type`), routes from events to
// channels, and pipeline settings (test mode, outbox retries, template overrides, links for templates).
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { z } from "zod";
import { type OnCallConfig, scheduleNames, scheduleOf } from "../oncall/config";
import { EVENT_KINDS, TASK_TYPES, TASK_OUTCOMES, type EventKind } from "../../platform/events/types";
import { TimeIntervalsSchema } from "../../platform/core/time-intervals";
import { DurationSchema } from "../../platform/core/duration";
import { pageAfterSchema } from "./page-after";
import { isKnownZone } from "../../platform/core/time-zone";
import { EmailAddressSchema, EmailChannelSchema } from "./channels/email/schema";
import { SlackChannelSchema } from "./channels/slack/schema";
import { TeamsChannelSchema } from "./channels/teams/schema";
import { WebhookChannelSchema } from "./channels/webhook/schema";
import { MqttChannelSchema } from "./channels/mqtt/schema";
import { InfluxDbChannelSchema } from "./channels/influxdb/schema";
import { Signl4ChannelSchema } from "./channels/signl4/schema";
import { NewRelicChannelSchema } from "./channels/newrelic/schema";
import { PagerDutyChannelSchema } from "./channels/pagerduty/schema";
import { OpsgenieChannelSchema } from "./channels/opsgenie/schema";
import { AlertmanagerChannelSchema } from "./channels/alertmanager/schema";
import { checkOnCallRecoveries } from "./on-call-route-check";
import type { QlikConfig } from "../../platform/qlik/config";
import type { NewRelicConfig } from "../newrelic/config";

export const channelConfigSchema = () =>
  z
    .discriminatedUnion("type", [
      EmailChannelSchema,
      SlackChannelSchema,
      TeamsChannelSchema,
      WebhookChannelSchema,
      MqttChannelSchema,
      InfluxDbChannelSchema,
      Signl4ChannelSchema,
      NewRelicChannelSchema,
      PagerDutyChannelSchema,
      OpsgenieChannelSchema,
      AlertmanagerChannelSchema,
    ])
    .describe("The channel's type; it decides which other keys the channel takes.");
/** For tests and scripts: built on first use and kept. Steward builds it per parse (channelConfigSchema()), so it is dropped after. */
export const ChannelConfigSchema = z.lazy(channelConfigSchema);
export type ChannelConfig = z.infer<ReturnType<typeof channelConfigSchema>>;
export type ChannelType = ChannelConfig["type"];

const CHANNEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const channelsSchema = () =>
  z
    .record(z.string().regex(CHANNEL_NAME, "channel names use letters, digits, '.', '_' and '-'"), channelConfigSchema())
    .default({})
    .describe("Named channel instances, e.g. ops-mail: { type: email, … }. Routes refer to them by name.");

const nameValueFilterSchema = () =>
  z.strictObject({
    name: z.string().min(1).describe("Custom property name (case-insensitive)."),
    value: z.string().describe("Value (case-insensitive)."),
  });

const userRefSchema = () =>
  z
    .string()
    .regex(/^[^\\/]+[\\/][^\\/]+$/, 'expected DIRECTORY\\userId, e.g. "CORP\\anna"')
    .describe("A Qlik user as DIRECTORY\\userId.");

export const RouteRecipientsSchema = z.lazy(() =>
  z
    .strictObject({
      addresses: z.array(EmailAddressSchema).default([]).describe("Extra static addresses for this route, added to the channel's `to`."),
      enableByCustomProperty: nameValueFilterSchema()
        .optional()
        .describe(
          "Static addresses (the channel's `to` and `addresses`) get the alert only when the task has this custom property value " +
            "(Butler's alertEnableByCustomProperty). Addresses from the task and the app owner are not affected.",
        ),
      fromCustomProperty: z
        .string()
        .min(1)
        .optional()
        .describe("Task custom property whose values are e-mail addresses to alert as well (Butler's alertEnabledByEmailAddress)."),
      onCall: z
        .string()
        .min(1)
        .optional()
        .describe("An `oncall:` schedule: whoever is on duty in it when the alert is sent gets it too (docs/routes.md#who-is-on-duty)."),
      appOwner: z
        .strictObject({
          enabled: z.boolean().default(true).describe("Alert the app owner (true once the block is there)."),
          include: z
            .union([z.literal("all"), z.array(userRefSchema())])
            .default("all")
            .describe('"all" or a list of owners to include.'),
          exclude: z.array(userRefSchema()).default([]).describe("Owners never alerted, even when included."),
        })
        .optional()
        .describe("Also alert the app owner at their QRS e-mail address(es)."),
    })
    .describe("Who receives e-mail for this route. Only e-mail channels address people; other channels ignore this block."),
);

export const RouteSchema = z.lazy(() =>
  z
    .strictObject({
      name: z.string().min(1).optional().describe("Shown in previews, delivery lists and metrics; defaults to route-<n>."),
      enabled: z.boolean().default(true).describe("false switches the route off without deleting it."),
      on: z
        .array(z.enum(EVENT_KINDS as [EventKind, ...EventKind[]]))
        .min(1)
        .describe("Event kinds, e.g. [task.failed, task.aborted]."),
      to: z.array(z.string().min(1)).min(1).describe("Channel names."),
      taskTypes: z.array(z.enum(TASK_TYPES)).optional().describe("Only these task types."),
      outcomes: z.array(z.enum(TASK_OUTCOMES)).optional().describe("Only these outcomes (usually implied by `on`)."),
      taskIds: z.array(z.string().min(1)).optional().describe("Only these tasks, by id."),
      taskNames: z.array(z.string().min(1)).optional().describe("Task names; * matches any characters."),
      taskTags: z.array(z.string().min(1)).optional().describe("Tasks with any of these Qlik tags."),
      appIds: z.array(z.string().min(1)).optional().describe("Only tasks of these apps, by id."),
      appTags: z.array(z.string().min(1)).optional().describe("Apps with any of these Qlik tags."),
      streams: z.array(z.string().min(1)).optional().describe("Apps published to any of these streams."),
      taskCustomProperties: z.array(nameValueFilterSchema()).optional().describe("Tasks with any of these custom property values."),
      appCustomProperties: z.array(nameValueFilterSchema()).optional().describe("Apps with any of these custom property values."),
      hosts: z.array(z.string().min(1)).optional().describe("Events from these hosts (task node or service host)."),
      services: z.array(z.string().min(1)).optional().describe("Service events for these service names."),
      sources: z
        .array(z.enum(["udp", "reconcile", "test", "cloud", "engine"]))
        .optional()
        .describe("How Steward learnt of the task event."),
      recipients: RouteRecipientsSchema.optional(),
      attachScriptLog: z
        .boolean()
        .optional()
        .describe(
          "E-mail channels: attach the reload's script log to this route's mails for every outcome, success included (true), or never (false). " +
            "Unset: the channel's attachScriptLog decides (failed and aborted tasks). Such a route makes the intake fetch logs of successful reloads too.",
        ),
      rateLimit: DurationSchema.optional().describe("At most one alert per route × task (or host+service) × channel × recipient in this window."),
      activeTimes: TimeIntervalsSchema.optional().describe("Business hours: the route takes an event only when its time falls inside these."),
      mutedTimes: TimeIntervalsSchema.optional().describe("Off hours: the route takes no event whose time falls inside these."),
      renotify: z
        .union([
          z.literal("once"),
          z.literal("every"),
          z.strictObject({ nth: z.number().int().min(2).max(1000).describe("Notify on the 1st failure of an incident and then on every n-th.") }),
          z.strictObject({ digest: DurationSchema.describe("Notify on the 1st failure, then fold the incident's later failures into one digest per window.") }),
        ])
        .default("once")
        .describe(
          "How often a task's open incident notifies again on this route: once (default: its 1st failure pages, later ones update the incident, " +
            "and it pages again only after it recovered, or by escalate), every failure (Butler's behaviour, what import-butler sets), { nth: 4 }, or { digest: 1h }. " +
            "task.recovered always goes; InfluxDB and New Relic always get every event.",
        ),
      lateFailures: z
        .boolean()
        .default(false)
        .describe(
          "A failure Steward heard of only after the task ran again successfully (its UDP datagram was lost and reconciliation found it later): " +
            "true sends it on this route as a notice saying so; false (default) records it in the task's history and the report only. " +
            "PagerDuty, Opsgenie / JSM, Alertmanager and SIGNL4 never get one (nothing would end its alert); InfluxDB and New Relic always do.",
        ),
      pageAfter: pageAfterSchema()
        .optional()
        .describe(
          "Tolerance for a known-flaky source: this route pages a task's incident only once the task has failed `failures` times within `within` " +
            "(the failures before are held and listed in the page); an incident that never got there recovers without a page. " +
            "Unset: incidents.pageAfter for the task or app, else the 1st failure pages.",
        ),
      group: z
        .strictObject({
          window: DurationSchema.describe("Events in this window are folded into one digest message."),
          sendFirst: z.boolean().default(false).describe("Send the first event at once and fold the rest of the burst into a digest."),
        })
        .optional()
        .describe("Alert-storm control for message channels (email, Slack, Teams, webhook); MQTT and InfluxDB get every event."),
      escalate: z
        .strictObject({
          after: DurationSchema.describe("How long an incident this route alerted on may stay unacknowledged before the next route is told."),
          to: z.string().min(1).describe("The route told then (its name). It takes events only by escalation; it may escalate further."),
        })
        .optional()
        .describe("Escalation: an incident not acknowledged (and not recovered) within `after` of this route's alert is sent on route `to`."),
    })
    .describe("Events → channels. Every filter that is present must match; within a filter any listed value matches."),
);

export const routesSchema = () => z.array(RouteSchema).default([]).describe("Which events go to which channels.");

export const notifySchema = () =>
  z
    .strictObject({
      testMode: z
        .strictObject({
          enabled: z.boolean().default(false).describe("Turn test mode on."),
          email: EmailAddressSchema.optional().describe("Every e-mail goes here instead: one per original recipient, subject prefixed with it."),
          unaffected: z.array(z.string().min(1)).default([]).describe("Channels that keep delivering normally in test mode (e.g. InfluxDB)."),
        })
        .prefault({})
        .describe(
          "Test mode: nobody but the test targets receives anything. E-mail goes to testMode.email; other channels go to their " +
            "testTarget, or are held back when they have none.",
        ),
      outbox: z
        .strictObject({
          concurrency: z.number().int().min(1).max(64).default(4).describe("Deliveries sent at the same time."),
          initialBackoff: DurationSchema.prefault("5s").describe("Wait before the first retry; doubles each time, with jitter."),
          maxBackoff: DurationSchema.prefault("10m").describe("Longest wait between two retries."),
          maxAge: DurationSchema.prefault("24h").describe("A delivery still failing this long after it was queued is dead-lettered."),
          maxAttempts: z.number().int().min(1).max(1000).default(100).describe("Attempts after which a failing delivery is dead-lettered."),
          keep: DurationSchema.prefault("14d").describe("Finished deliveries (delivered, dead, suppressed) are deleted after this."),
          unroutedMaxBytes: z
            .number()
            .int()
            .min(1024 * 1024)
            .max(4 * 1024 * 1024 * 1024)
            .default(64 * 1024 * 1024)
            .describe(
              "Bytes the store keeps of the events no route took, for `steward config rehearse` (a new route pages on them there); kept up to `keep`, and beyond these bytes the oldest are deleted first.",
            ),
        })
        .prefault({})
        .describe("The durable outbox: every delivery is stored before the first attempt and retried with backoff."),
      webhookSpool: z
        .strictObject({
          dir: z
            .string()
            .min(1)
            .optional()
            .describe(
              "Folder (relative to the config file) where a PagerDuty or Opsgenie / JSM webhook that arrives while the store is unreachable is kept until it answers. Default: <dataDir>/webhook-spool, this Steward's own. A cluster should give every Steward the same folder (a share or a shared volume): then each applies what any of them kept, and a Steward that never comes back leaves nothing unapplied.",
            )
            .meta({ examples: ["//fileserver/steward/webhook-spool"] }),
        })
        .prefault({})
        .describe("The on-call webhooks' spool through a store outage (docs/channels.md)."),
      templatesDir: z
        .string()
        .min(1)
        .optional()
        .describe("Folder (relative to the config file) whose templates override the built-in ones.")
        .meta({ examples: ["./alert-templates"] }),
      subjectPrefix: z
        .string()
        .max(100)
        .default("[Qlik Sense]")
        .describe(
          "What the subject of every mail Steward sends starts with: alerts, recoveries, reports and Steward's own state (the built-in templates read it as it.subjectPrefix). Empty for none.",
        )
        .meta({ examples: ["[Qlik Sense]", "[QS PROD]"] }),
      timeZone: z
        .string()
        .min(1)
        .refine(isKnownZone, { message: "not an IANA time zone name (e.g. Europe/Stockholm)" })
        .optional()
        .describe(
          "The site's IANA time zone: every time in messages, event sentences, the dashboard, /status and the reports is shown in it, with its name. Default: the zone of the machine Steward runs on.",
        ),
      links: z
        .array(
          z.strictObject({
            id: z.string().min(1).describe("Name templates pick the link by."),
            linkText: z.string().min(1).describe("Text of the link."),
            comment: z.string().default("").describe("Free text for people reading the config."),
            url: z.string().url().describe("Where the link goes."),
          }),
        )
        .default([])
        .describe("Extra links offered to templates as genericUrls (Butler's genericUrls)."),
    })
    .describe("Notification pipeline settings.");

export type RouteConfig = z.infer<typeof RouteSchema>;
export type NotifyConfig = z.infer<ReturnType<typeof notifySchema>>;

interface NotifyParts {
  channels: Record<string, ChannelConfig>;
  routes: RouteConfig[];
  notify: NotifyConfig;
  oncall?: OnCallConfig | undefined;
}

/** Cross-references the schema alone cannot see: route targets, test-mode names, test address, on-call recoveries. */
export function checkNotifyReferences(config: NotifyParts, ctx: z.RefinementCtx): void {
  const names = Object.keys(config.channels);
  const known = new Set(names);
  const routeNames = new Set<string>();
  config.routes.forEach((route, i) => {
    route.to.forEach((name, j) => {
      if (!known.has(name)) {
        ctx.addIssue({
          code: "custom",
          path: ["routes", i, "to", j],
          message: `no channel named "${name}"${names.length ? ` (channels: ${names.join(", ")})` : " (no channels are defined)"}`,
        });
      }
    });
    const onCall = route.recipients?.onCall;
    if (onCall !== undefined && !scheduleOf(config.oncall, onCall)) {
      const schedules = scheduleNames(config.oncall);
      ctx.addIssue({
        code: "custom",
        path: ["routes", i, "recipients", "onCall"],
        message: `no oncall schedule named "${onCall}"${schedules.length ? ` (schedules: ${schedules.join(", ")})` : " (no oncall: schedules are defined)"}`,
      });
    }
    if (route.name !== undefined) {
      if (routeNames.has(route.name)) ctx.addIssue({ code: "custom", path: ["routes", i, "name"], message: `route name "${route.name}" is used twice` });
      routeNames.add(route.name);
    }
  });
  checkEscalationReferences(config.routes, ctx);
  checkOnCallRecoveries(config, ctx);
  config.notify.testMode.unaffected.forEach((name, i) => {
    if (!known.has(name)) ctx.addIssue({ code: "custom", path: ["notify", "testMode", "unaffected", i], message: `no channel named "${name}"` });
  });
  const hasEmail = Object.values(config.channels).some((c) => c.type === "email");
  if (config.notify.testMode.enabled && hasEmail && !config.notify.testMode.email) {
    ctx.addIssue({ code: "custom", path: ["notify", "testMode", "email"], message: "required when test mode is on and an email channel exists" });
  }
}

/** escalate.to names another route (by its name, or route-<n> when unnamed). */
function checkEscalationReferences(routes: RouteConfig[], ctx: z.RefinementCtx): void {
  const names = routes.map((r, i) => r.name ?? `route-${i + 1}`);
  routes.forEach((route, i) => {
    const to = route.escalate?.to;
    if (to === undefined) return;
    const path = ["routes", i, "escalate", "to"];
    if (to === names[i]) ctx.addIssue({ code: "custom", path, message: "a route cannot escalate to itself" });
    else if (!names.includes(to)) ctx.addIssue({ code: "custom", path, message: `no route named "${to}" (routes: ${names.join(", ")})` });
  });
}

/** What the notifier reads of the whole config: its channels and routes, its own section, and links to Qlik. */
export interface NotifierConfig {
  channels: Record<string, ChannelConfig>;
  routes: RouteConfig[];
  notify: NotifyConfig;
  qlik?: QlikConfig;
  newRelic?: NewRelicConfig;
  /** http.publicUrl: the dashboard an alert links to (PagerDuty's and Opsgenie's links, Alertmanager's generatorURL). */
  http?: { publicUrl?: string };
  /** Who is on duty (src/tell/oncall): a route's recipients.onCall names one. */
  oncall?: OnCallConfig | undefined;
}
