// Teams channel: renders the Adaptive Card template of the event kind and posts it to a Workflows webhook.
import type { ChannelDefinition, ChannelDeps, Notification } from "../../types";
import { addCauseToTeams, causeOf, zoneOf } from "../../cause-render";
import { messageKind, templateData } from "../../notification";
import { createHttpClient, expectOk, safeUrl } from "../../../../platform/http/http-client";
import { TeamsChannelSchema } from "./schema";

function teamsPayload(n: Notification, deps: ChannelDeps): unknown {
  const payload = deps.templates.renderJson(`teams/${messageKind(n)}.json`, templateData(n));
  const cause = causeOf(n);
  if (cause && payload && typeof payload === "object") addCauseToTeams(payload as Record<string, unknown>, cause, zoneOf(n));
  return payload;
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
  preview: (cfg, n, deps) => ({ url: safeUrl(n.test?.target ?? cfg.webhookUrl), body: teamsPayload(n, deps) }),
  create(cfg, deps) {
    const client = createHttpClient({ baseDir: deps.baseDir });
    return {
      async send(n, signal) {
        const payload = teamsPayload(n, deps);
        const res = await client.request(n.test?.target ?? cfg.webhookUrl, {
          method: "POST",
          headers: { "Content-Type": "application/json; charset=utf-8", "X-Steward-Delivery": n.key },
          body: JSON.stringify(payload),
          signal,
        });
        expectOk(res, "Teams workflow webhook");
      },
      async close() {
        client.close();
      },
    };
  },
};
