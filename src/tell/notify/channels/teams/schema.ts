// YAML block of a `teams` channel: a Power Automate "Workflows" webhook URL that accepts Adaptive Cards.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { z } from "zod";
import { channelCommonShape } from "../common-schema";

export const TeamsChannelSchema = z.lazy(() =>
  z
    .strictObject({
      type: z.literal("teams"),
      ...channelCommonShape,
      webhookUrl: z.string().url().describe('Workflows webhook URL ("Post to a channel when a webhook request is received"); a credential.'),
      testTarget: z
        .string()
        .url()
        .optional()
        .describe("Webhook URL used instead of webhookUrl while notify.testMode is on.")
        .meta({ examples: ["https://corp.webhook.office.com/workflows/test/triggers/manual/paths/invoke"] }),
    })
    .describe("Alerts to Microsoft Teams as Adaptive Cards through a Workflows webhook."),
);

export type TeamsChannelConfig = z.infer<typeof TeamsChannelSchema>;
