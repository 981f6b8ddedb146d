// Config of approved remediation (src/start/remediation/): which failures a person may ask Steward to retry from an
// alert's link or REST, the delays offered, and how the Stewards of a cluster hand an action over when one stops.
import { z } from "zod";
import { lazySection } from "../../platform/config/lazy-section";
import { DurationSchema } from "../../platform/core/duration";
import { ERROR_CLASSES } from "../../platform/events/run-context";

/** The failures that may heal by themselves: a source that was down, a file another process held, a time limit. */
export const TRANSIENT_CLASSES = ["connection", "lock", "timeout"] as const;

const nameValueSchema = () =>
  z.strictObject({ name: z.string().min(1).describe("Custom property name."), value: z.string().describe("Its value (compared case-insensitively).") });

/** One automatic rule: which failures it retries, and after how long each time; or, with `queue`, the re-run of the queue's cancellations. */
export const remediationRuleSchema = () =>
  z
    .strictObject({
      name: z.string().min(1).max(100).optional().describe("Named in the audit and the messages; default rules[<index>]."),
      errorClasses: z
        .array(z.enum(ERROR_CLASSES))
        .min(1)
        .refine((cs) => !cs.includes("queue") || cs.length === 1, {
          message:
            "queue stands alone in a rule: a run the queue cancelled is re-run once the queue has drained, in chain order, not retried after delays; write [queue] in a rule of its own (docs/remediation.md)",
        })
        .default([...TRANSIENT_CLASSES])
        .describe(
          "The failures it retries, by likely cause (the alert's error class). [queue] alone: it re-runs the runs the Scheduler's queue cancelled, once the node's queue has drained, in chain order (no retryAfter).",
        ),
      taskIds: z.array(z.string().min(1)).optional().describe("Only these tasks (any, when left out)."),
      tags: z.array(z.string().min(1)).optional().describe("Only tasks with one of these tags."),
      customProperties: z.array(nameValueSchema()).optional().describe("Only tasks with one of these custom property values."),
      retryAfter: z
        .array(DurationSchema)
        .min(1)
        .max(5)
        .optional()
        .describe(
          "One delay per retry, from the failure before it: [5m, 15m] retries twice, 5 minutes after the failure, then 15 minutes after the first retry failed. Required, except in a [queue] rule, which takes none.",
        ),
    })
    .superRefine((r, ctx) => {
      const queue = r.errorClasses.includes("queue");
      if (queue && r.retryAfter)
        ctx.addIssue({
          code: "custom",
          path: ["retryAfter"],
          message: "a [queue] rule takes no retryAfter: its re-runs start once the node's queue has drained, one after another in chain order",
        });
      if (!queue && !r.retryAfter) ctx.addIssue({ code: "custom", path: ["retryAfter"], message: "required: one delay per retry, for example [5m, 15m]" });
    })
    .describe("Retry the failures it matches on its own, without a person: off unless such a rule is written.");

/** A rule that re-runs the queue's cancellations once the queue drained (errorClasses [queue]), not a retry after delays. */
export const isRerunRule = (r: RemediationRule): boolean => r.errorClasses.includes("queue");

const approvalSchema = () => z.enum(["one-person", "two-person"]).default("one-person");

export type RemediationRule = z.infer<ReturnType<typeof remediationRuleSchema>>;

export const remediationSchema = () =>
  z
    .strictObject({
      offer: z
        .boolean()
        .default(true)
        .describe(
          "Offer the actions (retry, re-run, reload, chain) to people: the alert's links (with actionLinks), the dashboard's buttons, REST and MCP. false: none is offered, and each is refused on every path (REST and MCP answer 409 naming this key, a link's page says so). The automatic retries and re-runs of `rules` are not offers: they run as written.",
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
        "How long a Steward holds an action it claimed before another Steward of the cluster may take it over (when the first stopped mid-way); once it sent the start, at least as long as that request may take (qlik.timeoutMs per attempt, with qlik.retries), so a start still on its way to Qlik is never sent twice.",
      ),
      pollInterval: DurationSchema.prefault("15s").describe("How often a Steward looks for actions that are due."),
      engineWait: DurationSchema.prefault("60m").describe(
        "How long a re-run or a chain's start waits for a free engine on its node once the node's queue is empty and every engine is busy (an admin's long reloads): past it the action ends, not started, and that is told where the page went. A wait in Qlik's queue is not counted: Qlik's own queue timeout ends it.",
      ),
      rules: z
        .array(remediationRuleSchema())
        .max(50)
        .default([])
        .describe(
          "Automatic remediation, off by default: the first matching rule retries a failure after its delays, and its page waits until the retries are over (a retry that heals pages nothing); a [queue] rule re-runs the queue's cancellations once the queue has drained, each once. Never in a maintenance window, never for a disabled task, never past the budget.",
        ),
      approval: z
        .strictObject({
          retry: approvalSchema().describe("'Retry the task' (link, dashboard, REST, MCP)."),
          rerunCancelled: approvalSchema().describe("'Re-run the cancelled runs' (link, dashboard, REST, MCP)."),
          reload: approvalSchema().describe("'Reload the app' through the Engine (link, dashboard, REST, MCP)."),
          chain: approvalSchema().describe("'Restart the chain' from a task (link, dashboard, REST, MCP)."),
          directStarts: approvalSchema().describe(
            "A direct start of a task over REST (POST/PUT /v4/reloadtask/{id}/start and Butler's other start paths) or MQTT (mqtt.taskStart): one-person (the default) starts it at once, as Butler does; two-person records a REST start of one task by its id as an action waiting for a second person (202 with its id and where to confirm it) and refuses starts over MQTT (a topic names no verified person). Steward's own starts (schedules, chains, event triggers) are not under it.",
          ),
          within: DurationSchema.prefault("1h").describe(
            "How long an action waits for the second person; unconfirmed by then it is cancelled, and a new press starts again.",
          ),
        })
        .prefault({})
        .describe(
          "Who must agree before an action a person asked for runs: one-person (the default) runs it on the first press; two-person records the first press as waiting for a second person, refuses the same person confirming, and runs it once a second, different person confirms. Rules are never held: the rule is the approval.",
        ),
      budget: z
        .strictObject({
          perTask: z.number().int().min(0).max(100).default(3).describe("Automatic retries and re-runs of one task in any hour."),
          perNode: z.number().int().min(0).max(1000).default(10).describe("Automatic retries and re-runs of the tasks of one node in any hour."),
          perSite: z.number().int().min(0).max(10_000).default(30).describe("Automatic retries and re-runs on the whole site in any hour."),
        })
        .prefault({})
        .describe(
          "How many automatic retries and re-runs may be asked for within an hour: past it, a failure pages at once and a cancelled run is left to a person. Failures of one cause (one data source) spend it through their probe only: each probe retry counts once, and the retries of the other tasks that follow a probe that succeeded count as one together (each still counts for its own task).",
        ),
    })
    .describe(
      "Approved remediation: a person asks from the alert's link or REST, Steward acts once on the whole site, records it on the incident and in the audit, and says how it ended in the incident's next message. Nothing is automatic unless `rules` says so.",
    );

export type RemediationConfig = z.infer<ReturnType<typeof remediationSchema>>;

/** The block as the config's schema holds it: built when a file has a remediation: block (or the reference is made). */
export const RemediationSchema = lazySection(remediationSchema);
