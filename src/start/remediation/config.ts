// Config of approved remediation (src/start/remediation/): which failures a person may ask Steward to retry from an
// alert's link or REST, the delays offered, and how the Stewards of a cluster hand an action over when one stops.
import { z } from "zod";
import { DurationSchema } from "../../platform/core/duration";
import { ERROR_CLASSES } from "../../platform/events/run-context";

/** The failures that may heal by themselves: a source that was down, a file another process held, a time limit. */
export const TRANSIENT_CLASSES = ["connection", "lock", "timeout"] as const;

export const remediationSchema = () =>
  z
    .strictObject({
      offer: z
        .boolean()
        .default(true)
        .describe(
          "Offer 'retry this task' on the incidents of retryClasses: a link in the alert (with actionLinks) and POST /v4/incidents/{id}/retry. Nothing is ever done without a person asking.",
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
    })
    .describe(
      "Approved remediation: a person asks from the alert's link or REST, Steward acts once on the whole site, records it on the incident and in the audit, and says how it ended in the incident's next message. Nothing is automatic.",
    );

export type RemediationConfig = z.infer<ReturnType<typeof remediationSchema>>;
