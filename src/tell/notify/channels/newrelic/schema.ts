// YAML block of a `newrelic` channel: which accounts (from newRelic.accounts) get task and service events,
// as New Relic events and/or log entries, and which attributes they carry.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { z } from "zod";
import { channelCommonShape } from "../common-schema";

export const NewRelicChannelSchema = z.lazy(() =>
  z
    .strictObject({
      type: z.literal("newrelic"),
      ...channelCommonShape,
      accounts: z.array(z.string().min(1)).default([]).describe("Accounts every event goes to (Butler's sendToAccount.always)."),
      accountsFromCustomProperty: z
        .string()
        .min(1)
        .optional()
        .describe(
          "Task custom property whose values name more accounts (Butler's sendToAccount.byCustomProperty, e.g. Butler_FailedTask_Event_NewRelicAccount).",
        ),
      event: z.boolean().default(true).describe("Send to the Event API (qs_reloadTaskFailedEvent, qs_serviceStateEvent …)."),
      log: z.boolean().default(true).describe("Send to the Log API with the end of the script log (qs_reloadTaskFailedLog …)."),
      logTailLines: z.number().int().min(0).max(500).default(20).describe("Script log lines in the log entry (Butler's tailScriptLogLines)."),
      headers: z.record(z.string().min(1), z.string()).default({}).describe("Extra request headers."),
      attributes: z
        .record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]))
        .default({})
        .describe("Static attributes on every event and log entry."),
      taskTagsAsAttributes: z.boolean().default(true).describe('qs_taskTag_<tag>: "true" per task tag (Butler\'s useTaskTags).'),
      appTagsAsAttributes: z.boolean().default(true).describe('qs_appTag_<tag>: "true" per app tag (Butler\'s useAppTags).'),
      testTarget: z
        .string()
        .min(1)
        .optional()
        .describe("Account name used instead while notify.testMode is on.")
        .meta({ examples: ["test-account"] }),
    })
    // A disabled channel may wait for its accounts: the import keeps Butler's headers and attributes that way.
    .refine((c) => !c.enabled || c.accounts.length > 0 || c.accountsFromCustomProperty !== undefined, {
      message: "name accounts, accountsFromCustomProperty, or both (or set enabled: false)",
      path: ["accounts"],
    })
    .describe("Task and service events to New Relic (Event API and Log API), to one or several accounts."),
);

export type NewRelicChannelConfig = z.infer<typeof NewRelicChannelSchema>;
