// Slack channel: renders the Block Kit template of the event kind and posts it to an incoming webhook.
import type { ChannelDefinition, ChannelDeps, Notification } from "../../types";
import { addCauseToSlack, causeOf, zoneOf } from "../../cause-render";
import { messageKind, templateData } from "../../notification";
import { createHttpClient, expectOk, safeUrl } from "../../../../platform/http/http-client";
import { SlackChannelSchema, type SlackChannelConfig } from "./schema";

function slackPayload(cfg: SlackChannelConfig, n: Notification, deps: ChannelDeps): Record<string, unknown> {
  const payload = deps.templates.renderJson(`slack/${messageKind(n)}.json`, templateData(n)) as Record<string, unknown>;
  const cause = causeOf(n);
  if (cause) addCauseToSlack(payload, cause, zoneOf(n));
  if (cfg.channel) payload.channel = cfg.channel;
  if (cfg.username) payload.username = cfg.username;
  if (cfg.iconEmoji) payload.icon_emoji = cfg.iconEmoji;
  return payload;
}

export const slackChannel: ChannelDefinition<"slack"> = {
  type: "slack",
  schema: SlackChannelSchema,
  addressable: false,
  supportsDigest: true,
  templateParts: ["json"],
  // A section's text holds 3,000 characters after mrkdwn escaping; the heading and the code fence take the rest.
  scriptLogFit: { maxChars: 2_800, maxLineChars: 400, measure: (s) => s.length + 4 * (s.match(/[&<>]/g)?.length ?? 0) },
  preview: (cfg, n, deps) => ({ url: safeUrl(n.test?.target ?? cfg.webhookUrl), body: slackPayload(cfg, n, deps) }),
  create(cfg, deps) {
    const client = createHttpClient({ baseDir: deps.baseDir });
    return {
      async send(n, signal) {
        const payload = slackPayload(cfg, n, deps);
        const url = n.test?.target ?? cfg.webhookUrl;
        const res = await client.request(url, {
          method: "POST",
          headers: { "Content-Type": "application/json; charset=utf-8", "X-Steward-Delivery": n.key },
          body: JSON.stringify(payload),
          signal,
        });
        expectOk(res, "Slack webhook");
      },
      async close() {
        client.close();
      },
    };
  },
};
