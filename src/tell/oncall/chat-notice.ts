// The rota's notices to one person in Slack or Teams (issue 106: the hand-off notice, an override's notices): where a
// route to the schedule (recipients.onCall) posts to a Slack or Teams channel, the notice is posted there too,
// beginning with a mention of its person by the ids oncall.people gives them (as an alert's post mentions the person
// on duty), so that person gets the product's own notification. A person without an id for the product is named in
// plain text.
import { createHttpClient, expectOk } from "../../platform/http/http-client";
import type { SlackChannelConfig } from "../notify/channels/slack/schema";
import type { TeamsChannelConfig } from "../notify/channels/teams/schema";
import { addSlackOnDuty, addTeamsOnDuty } from "../notify/on-duty-post";
import type { OnDutyMention } from "./mention";

/** What one person is told: the mail's subject and text, posted as a card's title and body. */
export interface ChatNotice {
  subject: string;
  text: string;
}

export type ChatChannel = SlackChannelConfig | TeamsChannelConfig;

/** Slack reads &, < and > as markup in mrkdwn. */
const mrkdwn = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
/** Teams reads a TextBlock as Markdown. */
const cardText = (s: string) => s.replace(/[\\`*_~[\]<>#]/g, "\\$&").replace(/^([ \t]*)([-+])/gm, "$1\\$2");

function slackBody(cfg: SlackChannelConfig, notice: ChatNotice, who: OnDutyMention, label: string): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    text: mrkdwn(notice.subject),
    blocks: [
      { type: "header", text: { type: "plain_text", text: notice.subject.slice(0, 150) } },
      { type: "section", text: { type: "mrkdwn", text: mrkdwn(notice.text).slice(0, 2_900) } },
    ],
  };
  addSlackOnDuty(payload, who, label);
  if (cfg.channel) payload.channel = cfg.channel;
  if (cfg.username) payload.username = cfg.username;
  if (cfg.iconEmoji) payload.icon_emoji = cfg.iconEmoji;
  return payload;
}

function teamsBody(notice: ChatNotice, who: OnDutyMention, label: string): unknown {
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
  addTeamsOnDuty(payload, who, label);
  return payload;
}

/**
 * Posts the notice to one Slack or Teams channel's webhook (its testTarget while notify.testMode is on). `o.label`:
 * what the mention calls its person ("On duty", the default, for the incoming person).
 */
export async function postChatNotice(
  channel: ChatChannel,
  notice: ChatNotice,
  who: OnDutyMention,
  o: { baseDir: string; testMode: boolean; label?: string },
): Promise<void> {
  const client = createHttpClient({ baseDir: o.baseDir });
  try {
    const url = o.testMode && channel.testTarget ? channel.testTarget : channel.webhookUrl;
    const body = channel.type === "slack" ? slackBody(channel, notice, who, o.label ?? "On duty") : teamsBody(notice, who, o.label ?? "On duty");
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
