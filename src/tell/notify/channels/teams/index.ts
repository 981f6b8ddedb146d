// Teams channel: renders the Adaptive Card template of the event kind and posts it to a Workflows webhook; a template
// that fails or makes a card past Teams' 28 KB sends the plain form (src/tell/notify/fallback).
import type { ChannelDefinition, ChannelDeps, Notification } from "../../types";
import { addCauseToTeams, causeOf, zoneOf } from "../../cause-render";
import { messageKind, templateData } from "../../notification";
import { createHttpClient, expectOk, safeUrl } from "../../../../platform/http/http-client";
import { formatWithFallback, type Formatted } from "../../fallback/format";
import { teamsProblem } from "../../fallback/limits";
import { plainAlert, plainText, type PlainAlert } from "../../fallback/plain";
import { addTeamsOnDuty } from "../../on-duty-post";
import { TeamsChannelSchema } from "./schema";

/** Teams reads a TextBlock as Markdown: the characters that start emphasis, links, code or headings are escaped. */
const cardText = (s: string) => s.replace(/[\\`*_~[\]<>#]/g, "\\$&").replace(/^([ \t]*)([-+])/gm, "$1\\$2");
/** The plain card's text budget: well inside 28 KB after escaping and JSON quoting. */
const PLAIN_CHARS = 12_000;

function plainCard(a: PlainAlert): unknown {
  const text = plainText({ ...a, headline: "", note: "" }, PLAIN_CHARS, (s) => cardText(s).length * 2).trim();
  const body = [
    { type: "TextBlock", text: cardText(a.headline), size: "Large", weight: "Bolder", wrap: true },
    { type: "TextBlock", text: cardText(text), wrap: true, fontType: "Monospace" },
    { type: "TextBlock", text: cardText(a.note), isSubtle: true, wrap: true },
  ];
  const card = { $schema: "http://adaptivecards.io/schemas/adaptive-card.json", type: "AdaptiveCard", version: "1.4", msteams: { width: "Full" }, body };
  return { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card }] };
}

function teamsPayload(n: Notification, deps: ChannelDeps): Formatted<unknown> {
  const formatted = teamsCard(n, deps);
  if (n.onDuty) addTeamsOnDuty(formatted.value, n.onDuty);
  return formatted;
}

function teamsCard(n: Notification, deps: ChannelDeps): Formatted<unknown> {
  const template = `teams/${messageKind(n)}.json`;
  return formatWithFallback<unknown>({
    templates: deps.templates,
    template,
    strict: deps.strictTemplates,
    rich: () => {
      const payload = deps.templates.renderJson(template, templateData(n));
      const cause = causeOf(n);
      if (cause && payload && typeof payload === "object") addCauseToTeams(payload as Record<string, unknown>, cause, zoneOf(n));
      return payload;
    },
    tooBig: (p) => {
      const reason = teamsProblem(p);
      return reason ? { template, reason } : undefined;
    },
    plain: (note) => plainCard(plainAlert(n, note)),
  });
}

export const teamsChannel: ChannelDefinition<"teams"> = {
  type: "teams",
  schema: TeamsChannelSchema,
  addressable: false,
  supportsDigest: true,
  templateParts: ["json"],
  // A card carries at most ~28 KB; the log gets a fair share of it, long lines cut. Markdown characters go out
  // backslash-escaped (cardText in the templates), two characters each.
  scriptLogFit: { maxChars: 6_000, maxLineChars: 600, measure: (s) => s.length + (s.match(/[\\`*_~[\]()<>#|!{}]/g)?.length ?? 0) },
  preview: (cfg, n, deps) => ({ url: safeUrl(n.test?.target ?? cfg.webhookUrl), body: teamsPayload(n, deps).value }),
  create(cfg, deps) {
    const client = createHttpClient({ baseDir: deps.baseDir });
    return {
      async send(n, signal) {
        const { value: payload, fallback } = teamsPayload(n, deps);
        const res = await client.request(n.test?.target ?? cfg.webhookUrl, {
          method: "POST",
          headers: { "Content-Type": "application/json; charset=utf-8", "X-Steward-Delivery": n.key },
          body: JSON.stringify(payload),
          signal,
        });
        expectOk(res, "Teams workflow webhook");
        return { fallback };
      },
      async close() {
        client.close();
      },
    };
  },
};
