// YAML block of a `signl4` channel: the team's inbound webhook URL, how incidents are labelled, and whether
// a later success (or a service running again) resolves the incident Steward opened.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { z } from "zod";
import { channelCommonShape } from "../common-schema";

const SeveritySchema = z.number().int().min(0).max(99);

export const Signl4ChannelSchema = z.lazy(() =>
  z
    .strictObject({
      type: z.literal("signl4"),
      ...channelCommonShape,
      url: z.string().url().describe("The team's inbound webhook URL (https://connect.signl4.com/webhook/<team secret>); a credential, use ${env:…}."),
      serviceName: z.string().min(1).default("Qlik Sense").describe("Sent as X-S4-Service (Butler's serviceName)."),
      severity: z
        .strictObject({
          failed: SeveritySchema.default(1).describe("Failed tasks."),
          aborted: SeveritySchema.default(10).describe("Aborted tasks."),
          warning: SeveritySchema.default(10).describe("task.warning events routed here (a successful run that looks wrong)."),
          serviceStopped: SeveritySchema.default(1).describe("Stopped services."),
          site: SeveritySchema.default(2).describe("Site events routed here: license.*, qliksense.version_changed, influxdb.field_conflict."),
        })
        .prefault({})
        .describe("Severity per kind of incident (Butler's reloadTaskFailure/reloadTaskAborted.severity)."),
      resolve: z
        .boolean()
        .default(true)
        .describe(
          "Resolve the incident when the task later succeeds or the service runs again. Route task.recovered (or task.succeeded) / service.started to this channel for it.",
        ),
      testTarget: z
        .string()
        .url()
        .optional()
        .describe("Webhook URL used instead of url while notify.testMode is on.")
        .meta({ examples: ["https://connect.signl4.com/webhook/test-team"] }),
    })
    .describe("Incidents in SIGNL4: one per task (or service), opened on failure or abort and resolved on the next success."),
);

export type Signl4ChannelConfig = z.infer<typeof Signl4ChannelSchema>;
