// Config of approved remediation (src/start/remediation/): which failures a person may ask Steward to retry from an
// alert's link or REST, the delays offered, and how the Stewards of a cluster hand an action over when one stops.
import { z } from "zod";
import { DurationSchema } from "../../platform/core/duration";
import { ERROR_CLASSES } from "../../platform/events/run-context";

/** The failures that may heal by themselves: a source that was down, a file another process held, a time limit. */
export const TRANSIENT_CLASSES = ["connection", "lock", "timeout"] as const;

const nameValueSchema = () =>
  z.strictObject({ name: z.string().min(1).describe("Custom property name."), value: z.string().describe("Its value (compared case-insensitively).") });

/** One automatic rule: which failures it retries, and after how long each time. */
export const remediationRuleSchema = () =>
  z
    .strictObject({
      name: z.string().min(1).max(100).optional().describe("Named in the audit and the messages; default rules[<index>]."),
      errorClasses: z
        .array(z.enum(ERROR_CLASSES))
        .min(1)
        .refine((cs) => !cs.includes("queue"), {
          message:
            "queue is not retried by a rule: a run the queue cancelled is started again only once the queue has drained, with 'Re-run the cancelled runs' on the cause's page (docs/remediation.md)",
        })
        .default([...TRANSIENT_CLASSES])
        .describe("The failures it retries, by likely cause (the alert's error class); not queue (see the re-run action)."),
      taskIds: z.array(z.string().min(1)).optional().describe("Only these tasks (any, when left out)."),
      tags: z.array(z.string().min(1)).optional().describe("Only tasks with one of these tags."),
      customProperties: z.array(nameValueSchema()).optional().describe("Only tasks with one of these custom property values."),
      retryAfter: z
        .array(DurationSchema)
        .min(1)
        .max(5)
        .describe(
          "One delay per retry, from the failure before it: [5m, 15m] retries twice, 5 minutes after the failure, then 15 minutes after the first retry failed.",
        ),
    })
    .describe("Retry the failures it matches on its own, without a person: off unless such a rule is written.");

export type RemediationRule = z.infer<ReturnType<typeof remediationRuleSchema>>;

export const remediationSchema = () =>
  z
    .strictObject({
      offer: z
        .boolean()
        .default(true)
        .describe(
          "Offer the actions (retry, re-run, reload, chain) to people: the alert's links (with actionLinks), the dashboard's buttons, REST and MCP. false: none is offered, and each is refused on every path (REST and MCP answer 409 naming this key, a link's page says so). The automatic retries of `rules` are not offers: they run as written.",
        ),
      links: z
        .array(z.enum(["retry", "rerun", "reload", "chain"]))
        .default(["retry", "rerun"])
        .describe(
          "The actions an alert's links offer (with actionLinks): retry (a transient failure), rerun (a queue's cancelled runs), reload (the app through the Engine, on a reload task's incident), chain (start the incident's chain again from one of its tasks). Each is a button more in Slack and Teams. REST, the dashboard and MCP offer all four whatever this says.",
        ),
      retryClasses: z
        .array(z.enum(ERROR_CLASSES))
        .min(1)
        .default([...TRANSIENT_CLASSES])
        .describe("The error classes whose incidents offer a retry: those that may heal by themselves."),
      retryIn: z
        .array(DurationSchema)
        .min(1)
        .max(6)
        .prefault(["0s", "5m", "15m", "1h"])
        .describe("The delays the link's page offers ('0s': now). REST takes any delay up to maxDelay."),
      maxDelay: DurationSchema.prefault("24h").describe("The longest delay a retry may be asked for."),
      lease: DurationSchema.prefault("2m").describe(
        "How long a Steward holds an action it claimed before another Steward of the cluster may take it over (when the first stopped mid-way).",
      ),
      pollInterval: DurationSchema.prefault("15s").describe("How often a Steward looks for actions that are due."),
      rules: z
        .array(remediationRuleSchema())
        .max(50)
        .default([])
        .describe(
          "Automatic retries, off by default: the first matching rule retries a failure after its delays, and its page waits until the retries are over (a retry that heals pages nothing). Never in a maintenance window, never for a disabled task, never past the budget.",
        ),
      budget: z
        .strictObject({
          perTask: z.number().int().min(0).max(100).default(3).describe("Automatic retries of one task in any hour."),
          perNode: z.number().int().min(0).max(1000).default(10).describe("Automatic retries of the tasks of one node in any hour."),
          perSite: z.number().int().min(0).max(10_000).default(30).describe("Automatic retries on the whole site in any hour."),
        })
        .prefault({})
        .describe("How many automatic retries may start within an hour: past it, the failure pages at once."),
    })
    .describe(
      "Approved remediation: a person asks from the alert's link or REST, Steward acts once on the whole site, records it on the incident and in the audit, and says how it ended in the incident's next message. Nothing is automatic unless `rules` says so.",
    );

export type RemediationConfig = z.infer<ReturnType<typeof remediationSchema>>;
