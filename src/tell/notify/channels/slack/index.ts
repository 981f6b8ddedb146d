// Slack channel: renders the Block Kit template of the event kind and posts it to an incoming webhook; a template
// that fails or makes more than Slack takes sends the plain form (src/tell/notify/fallback).
import type { ChannelDefinition, ChannelDeps, Notification } from "../../types";
import { addCauseToSlack, causeOf, zoneOf } from "../../cause-render";
import { messageKind, templateData } from "../../notification";
import { createHttpClient, expectOk, safeUrl } from "../../../../platform/http/http-client";
import { formatWithFallback, type Formatted } from "../../fallback/format";
import { slackProblem } from "../../fallback/limits";
import { plainAlert, plainText } from "../../fallback/plain";
import { addSlackOnDuty } from "../../on-duty-post";
import { SlackChannelSchema, type SlackChannelConfig } from "./schema";

/** Slack reads &, < and > as markup in mrkdwn (a name with <!channel> would ping everyone). */
const mrkdwn = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
/** The plain form's budget: one readable message, far below Slack's 40,000 characters. */
const PLAIN_CHARS = 3_500;

function slackPayload(cfg: SlackChannelConfig, n: Notification, deps: ChannelDeps): Formatted<Record<string, unknown>> {
  const template = `slack/${messageKind(n)}.json`;
  const formatted = formatWithFallback({
    templates: deps.templates,
    template,
    strict: deps.strictTemplates,
    rich: () => {
      const payload = deps.templates.renderJson(template, templateData(n)) as Record<string, unknown>;
      const cause = causeOf(n);
      if (cause) addCauseToSlack(payload, cause, zoneOf(n));
      return payload;
    },
    tooBig: (p) => {
      const reason = slackProblem(p);
      return reason ? { template, reason } : undefined;
    },
    // Text alone, no blocks: nothing in it can be an invalid block.
    plain: (note) => ({ text: mrkdwn(plainText(plainAlert(n, note), PLAIN_CHARS, (s) => mrkdwn(s).length)) }),
  });
  const payload = formatted.value;
  if (n.onDuty) addSlackOnDuty(payload, n.onDuty);
  if (cfg.channel) payload.channel = cfg.channel;
  if (cfg.username) payload.username = cfg.username;
  if (cfg.iconEmoji) payload.icon_emoji = cfg.iconEmoji;
  return formatted;
}

export const slackChannel: ChannelDefinition<"slack"> = {
  type: "slack",
  schema: SlackChannelSchema,
  addressable: false,
  supportsDigest: true,
  templateParts: ["json"],
  // A section's text holds 3,000 characters after mrkdwn escaping; the heading and the code fence take the rest.
  scriptLogFit: { maxChars: 2_800, maxLineChars: 400, measure: (s) => s.length + 4 * (s.match(/[&<>]/g)?.length ?? 0) },
  preview: (cfg, n, deps) => ({ url: safeUrl(n.test?.target ?? cfg.webhookUrl), body: slackPayload(cfg, n, deps).value }),
  create(cfg, deps) {
    const client = createHttpClient({ baseDir: deps.baseDir });
    return {
      async send(n, signal) {
        const { value: payload, fallback } = slackPayload(cfg, n, deps);
        const url = n.test?.target ?? cfg.webhookUrl;
        const res = await client.request(url, {
          method: "POST",
          headers: { "Content-Type": "application/json; charset=utf-8", "X-Steward-Delivery": n.key },
          body: JSON.stringify(payload),
          signal,
        });
        expectOk(res, "Slack webhook");
        return { fallback };
      },
      async close() {
        client.close();
      },
    };
  },
};
