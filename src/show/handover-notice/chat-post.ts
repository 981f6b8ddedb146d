// The hand-off notice in Slack or Teams (issue 106): where a route to the schedule (recipients.onCall) posts to a
// Slack or Teams channel, the notice is posted there too, beginning with a mention of the incoming person by the ids
// oncall.people gives them (as an alert's post mentions the person on duty), so that person gets the product's own
// notification. A person without an id for the product is named in plain text.
import { createHttpClient, expectOk } from "../../platform/http/http-client";
import type { SlackChannelConfig } from "../../tell/notify/channels/slack/schema";
import type { TeamsChannelConfig } from "../../tell/notify/channels/teams/schema";
import { addSlackOnDuty, addTeamsOnDuty } from "../../tell/notify/on-duty-post";
import type { OnDutyMention } from "../../tell/oncall/mention";
import type { HandoverNotice } from "./notice-text";

export type ChatChannel = SlackChannelConfig | TeamsChannelConfig;

/** Slack reads &, < and > as markup in mrkdwn. */
const mrkdwn = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
/** Teams reads a TextBlock as Markdown. */
const cardText = (s: string) => s.replace(/[\\`*_~[\]<>#]/g, "\\$&").replace(/^([ \t]*)([-+])/gm, "$1\\$2");

function slackBody(cfg: SlackChannelConfig, notice: HandoverNotice, who: OnDutyMention): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    text: mrkdwn(notice.subject),
    blocks: [
      { type: "header", text: { type: "plain_text", text: notice.subject.slice(0, 150) } },
      { type: "section", text: { type: "mrkdwn", text: mrkdwn(notice.text).slice(0, 2_900) } },
    ],
  };
  addSlackOnDuty(payload, who);
  if (cfg.channel) payload.channel = cfg.channel;
  if (cfg.username) payload.username = cfg.username;
  if (cfg.iconEmoji) payload.icon_emoji = cfg.iconEmoji;
  return payload;
}

function teamsBody(notice: HandoverNotice, who: OnDutyMention): unknown {
  const card = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body: [
      { type: "TextBlock", text: cardText(notice.subject), size: "Medium", weight: "Bolder", wrap: true },
      { type: "TextBlock", text: cardText(notice.text), wrap: true },
    ],
  };
  const payload = { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card }] };
  addTeamsOnDuty(payload, who);
  return payload;
}

/** Posts the notice to one Slack or Teams channel's webhook (its testTarget while notify.testMode is on). */
export async function postHandoverNotice(
  channel: ChatChannel,
  notice: HandoverNotice,
  who: OnDutyMention,
  o: { baseDir: string; testMode: boolean },
): Promise<void> {
  const client = createHttpClient({ baseDir: o.baseDir });
  try {
    const url = o.testMode && channel.testTarget ? channel.testTarget : channel.webhookUrl;
    const body = channel.type === "slack" ? slackBody(channel, notice, who) : teamsBody(notice, who);
    const res = await client.request(url, {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=utf-8" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(channel.timeout),
    });
    expectOk(res, channel.type === "slack" ? "Slack webhook" : "Teams workflow webhook");
  } finally {
    client.close();
  }
}
