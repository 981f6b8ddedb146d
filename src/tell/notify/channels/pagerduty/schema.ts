// YAML block of a `pagerduty` channel: the service's Events API v2 integration key, where events go, the severity of
// each event kind, and the secret of the v3 webhook that acknowledges and resolves in Steward what was done in PagerDuty.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { z } from "zod";
import { EVENT_KINDS, type EventKind } from "../../../../platform/events/types";
import { channelCommonShape } from "../common-schema";

export const PAGERDUTY_SEVERITIES = ["critical", "error", "warning", "info"] as const;
export type PagerDutySeverity = (typeof PAGERDUTY_SEVERITIES)[number];

/** What an event kind is in PagerDuty unless `severity` says otherwise: failures and outages critical, the rest lower. */
export const DEFAULT_PAGERDUTY_SEVERITY: Partial<Record<EventKind, PagerDutySeverity>> = {
  "task.failed": "critical",
  "task.aborted": "error",
  "task.warning": "warning",
  "service.stopped": "critical",
  "data.check_failed": "error",
  "data.check_error": "warning",
  "task.missed": "error",
  "task.chain_broken": "error",
  "task.running_long": "warning",
  "app.stale": "error",
  "app.freshness_warning": "warning",
  "app.freshness_breached": "error",
  "checkin.missed": "error",
  "checkin.failed": "error",
  "license.expired": "critical",
  "steward.degraded": "critical",
  "intake.node_silent": "critical",
  "report.morning": "info",
  "report.weekly": "info",
  "maintenance.summary": "info",
  "cause.resolved": "info",
  "remediation.action_update": "info",
};

export const PagerDutyChannelSchema = z.lazy(() =>
  z
    .strictObject({
      type: z.literal("pagerduty"),
      ...channelCommonShape,
      routingKey: z.string().min(1).describe("The Integration Key (32 characters) of the service's Events API v2 integration; a credential, use ${env:…}."),
      url: z
        .string()
        .url()
        .default("https://events.pagerduty.com/v2/enqueue")
        .describe("Where events go: PagerDuty's Events API v2 (an EU account uses https://events.eu.pagerduty.com/v2/enqueue)."),
      source: z.string().min(1).max(255).optional().describe("payload.source: the Qlik Sense host an alert is about when unset."),
      severity: z
        .partialRecord(z.enum(EVENT_KINDS as [EventKind, ...EventKind[]]), z.enum(PAGERDUTY_SEVERITIES))
        .default({})
        .describe(
          "PagerDuty severity per event kind, over the defaults (task.failed, service.stopped, license.expired, steward.degraded, intake.node_silent: critical; task.aborted, missed starts and stale apps: error; warnings: warning; reports: info; anything else: warning).",
        )
        .meta({ examples: [{ "task.aborted": "critical", "task.warning": "info" }] }),
      webhookSecret: z
        .string()
        .min(8)
        .optional()
        .describe(
          "The secret PagerDuty shows when the v3 webhook subscription to POST /v4/integrations/pagerduty/webhook is made; with it, an incident acknowledged or resolved in PagerDuty is acknowledged or resolved in Steward. A credential, use ${env:…}.",
        ),
      notes: z
        .strictObject({
          apiKey: z
            .string()
            .min(1)
            .describe(
              "A PagerDuty REST API key (User Settings → API Access, or an account's General Access key) that may write notes; a credential, use ${env:…}.",
            ),
          from: z.email().describe("The login e-mail of the PagerDuty user the notes are written as (the REST API's From header)."),
          url: z.string().url().default("https://api.pagerduty.com").describe("The REST API's base URL (an EU account uses https://api.eu.pagerduty.com)."),
        })
        .optional()
        .describe(
          "What Steward's remediation did is added as a note on the PagerDuty incident (REST API, POST /incidents/{id}/notes). Unset: it goes as an event on the alert's dedup_key with the lines in custom_details (the Events API has no notes).",
        ),
      testTarget: z.string().url().optional().describe("Events API URL used instead of url while notify.testMode is on."),
    })
    .describe("Alerts in PagerDuty (Events API v2): one per Steward incident or cause, triggered, acknowledged and resolved with it."),
);

export type PagerDutyChannelConfig = z.infer<typeof PagerDutyChannelSchema>;

export function severityOf(cfg: Pick<PagerDutyChannelConfig, "severity">, kind: EventKind): PagerDutySeverity {
  return cfg.severity[kind] ?? DEFAULT_PAGERDUTY_SEVERITY[kind] ?? "warning";
}
