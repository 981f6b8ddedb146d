// Puts the person on duty into a Slack or Teams post (src/tell/oncall/mention.ts decides who): Slack's <@member id>
// in the message's text and a first section; Teams' <at>name</at> in a first TextBlock with its msteams.entities
// mention (Microsoft's documented form for a mention in a card posted to a channel webhook).
import { type OnDutyMention, onDutyMention } from "../oncall/mention";
import type { NotifierConfig } from "./config";
import { nameRoutes } from "./routing";

/**
 * Who a Slack or Teams delivery of route `route` mentions, on duty at `atMs` (when it was queued); other channels none.
 * `oncall`: the rota as it stands (with the overrides people made); without it, the config's.
 */
export function mentionFor(
  config: NotifierConfig,
  channel: string,
  route: string,
  atMs: number,
  oncall: NotifierConfig["oncall"] = config.oncall,
): OnDutyMention | undefined {
  const type = config.channels[channel]?.type;
  if (type !== "slack" && type !== "teams") return undefined;
  const schedule = nameRoutes(config.routes).find((r) => r.name === route)?.config.recipients?.onCall;
  return onDutyMention(oncall, schedule, atMs);
}

/** Slack reads &, < and > as markup in mrkdwn. */
const mrkdwn = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
/** Slack takes at most 50 blocks in a message. */
const SLACK_MAX_BLOCKS = 50;

/** `label`: what the mention says of the person ("On duty"; a notice to one person says "For"). */
export function slackOnDutyLine(who: OnDutyMention, label = "On duty"): string {
  return who.slack ? `${label}: <@${who.slack}>` : `${label}: ${mrkdwn(who.name)}`;
}

export function addSlackOnDuty(payload: Record<string, unknown>, who: OnDutyMention, label = "On duty"): void {
  const line = slackOnDutyLine(who, label);
  payload.text = typeof payload.text === "string" && payload.text !== "" ? `${line} · ${payload.text}` : line;
  if (Array.isArray(payload.blocks) && payload.blocks.length < SLACK_MAX_BLOCKS) {
    payload.blocks.unshift({ type: "section", text: { type: "mrkdwn", text: line } });
  }
}

/** A name inside <at>…</at>: no angle brackets (they would end the tag), Markdown's characters escaped. */
const atName = (s: string) => s.replace(/[<>]/g, "").replace(/[\\`*_~[\]#]/g, "\\$&");

export function addTeamsOnDuty(payload: unknown, who: OnDutyMention, label = "On duty"): void {
  const attachments = (payload as { attachments?: Array<{ content?: Record<string, unknown> }> } | null)?.attachments;
  const card = attachments?.[0]?.content;
  if (!card || !Array.isArray(card.body)) return;
  if (!who.teams) {
    card.body.unshift({ type: "TextBlock", text: `${label}: ${atName(who.name)}`, wrap: true });
    return;
  }
  const text = `<at>${atName(who.name)}</at>`;
  card.body.unshift({ type: "TextBlock", text: `${label}: ${text}`, wrap: true });
  const msteams = (card.msteams ?? {}) as { entities?: unknown[] };
  card.msteams = { ...msteams, entities: [...(msteams.entities ?? []), { type: "mention", text, mentioned: { id: who.teams, name: who.name } }] };
}
