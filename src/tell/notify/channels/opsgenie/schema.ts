// YAML block of an `opsgenie` channel (Opsgenie, or Jira Service Management's operations, which took over its alert API):
// the API integration's key, the API's base URL, the priority of each event kind, and the token its outgoing webhook
// sends so that an alert acknowledged or closed there is acknowledged or resolved in Steward.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { z } from "zod";
import { EVENT_KINDS, type EventKind } from "../../../../platform/events/types";
import { channelCommonShape } from "../common-schema";
import { opsgenieUrlProblem } from "../api-url-checks";
import { DEFAULT_PAGERDUTY_SEVERITY } from "../pagerduty/schema";

export const OPSGENIE_PRIORITIES = ["P1", "P2", "P3", "P4", "P5"] as const;
export type OpsgeniePriority = (typeof OPSGENIE_PRIORITIES)[number];

const BY_SEVERITY = { critical: "P1", error: "P2", warning: "P3", info: "P5" } as const;

export const OpsgenieChannelSchema = z.lazy(() =>
  z
    .strictObject({
      type: z.literal("opsgenie"),
      ...channelCommonShape,
      apiKey: z
        .string()
        .min(1)
        .describe(
          "The API key of the team's API integration (Opsgenie: Teams → Integrations → API; JSM: Operations → Integrations → API); a credential, use ${env:…}.",
        ),
      url: z
        .string()
        .url()
        .default("https://api.opsgenie.com")
        .describe(
          "The alert API's base URL, /v2/alerts is added: https://api.opsgenie.com, https://api.eu.opsgenie.com for an EU account, https://api.atlassian.com/jsm/ops/integration for Jira Service Management.",
        ),
      source: z.string().min(1).max(100).default("Qlik Sense Steward").describe("The alert's source field."),
      tags: z.array(z.string().min(1).max(50)).max(10).default(["qlik-sense"]).describe("Tags every alert carries (the event kind is added)."),
      responders: z
        .array(
          z.strictObject({
            type: z.enum(["team", "user", "escalation", "schedule"]).describe("What the name is: a team, a user (their e-mail), an escalation or a schedule."),
            name: z.string().min(1).describe("Its name in the product."),
          }),
        )
        .default([])
        .describe("Who the alert is for, when the API integration's own team routing is not enough."),
      priority: z
        .partialRecord(z.enum(EVENT_KINDS as [EventKind, ...EventKind[]]), z.enum(OPSGENIE_PRIORITIES))
        .default({})
        .describe(
          "Priority per event kind, over the defaults (task.failed, service.stopped, license.expired, steward.degraded, intake.node_silent: P1; task.aborted, missed starts and stale apps: P2; warnings: P3; reports: P5; anything else: P3).",
        )
        .meta({ examples: [{ "task.aborted": "P1", "task.warning": "P4" }] }),
      webhookToken: z
        .string()
        .min(16)
        .optional()
        .describe(
          "A random value the product's outgoing Webhook integration sends as the X-Steward-Webhook-Token header to POST /v4/integrations/opsgenie/webhook; with it, an alert acknowledged or closed there is acknowledged or resolved in Steward. A credential, use ${env:…}.",
        ),
      testTarget: z.string().url().optional().describe("Base URL used instead of url while notify.testMode is on."),
    })
    .superRefine((c, ctx) => {
      for (const key of ["url", "testTarget"] as const) {
        const problem = c[key] === undefined ? undefined : opsgenieUrlProblem(c[key]);
        if (problem) ctx.addIssue({ code: "custom", path: [key], message: problem });
      }
    })
    .describe("Alerts in Opsgenie or Jira Service Management: one per Steward incident or cause (its alias), created, acknowledged and closed with it."),
);

export type OpsgenieChannelConfig = z.infer<typeof OpsgenieChannelSchema>;

export function priorityOf(cfg: Pick<OpsgenieChannelConfig, "priority">, kind: EventKind): OpsgeniePriority {
  const severity = DEFAULT_PAGERDUTY_SEVERITY[kind];
  return cfg.priority[kind] ?? (severity ? BY_SEVERITY[severity] : "P3");
}
