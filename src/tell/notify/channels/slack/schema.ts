// YAML block of a `slack` channel: an incoming-webhook URL and optional display overrides.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { z } from "zod";
import { channelCommonShape } from "../common-schema";

export const SlackChannelSchema = z.lazy(() =>
  z
    .strictObject({
      type: z.literal("slack"),
      ...channelCommonShape,
      webhookUrl: z.string().url().describe("Slack incoming-webhook URL; use ${env:…}, it is a credential."),
      channel: z.string().min(1).optional().describe("Channel override, for legacy webhooks that allow it."),
      username: z.string().min(1).optional().describe("Sender name shown in Slack; default: the webhook's name."),
      iconEmoji: z.string().min(1).optional().describe('e.g. ":rotating_light:".'),
      testTarget: z.string().url().optional().describe("Webhook URL used instead of webhookUrl while notify.testMode is on."),
    })
    .describe("Alerts to Slack as Block Kit messages."),
);

export type SlackChannelConfig = z.infer<typeof SlackChannelSchema>;
