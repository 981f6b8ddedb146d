// PagerDuty channel (Events API v2): one PagerDuty alert per Steward incident, or per cause when the incident is one
// of its symptoms (dedup key steward-cause-<id> / steward-incident-<id>). The page triggers it, an acknowledgement in
// Steward acknowledges it, the end of the cause or incident resolves it. PagerDuty dedups on the key, so a trigger sent
// again after a failover or a retry is the same alert. What Steward's remediation did rides in custom_details.
import type { ChannelDefinition } from "../../types";
import { createHttpClient, expectOk, safeUrl } from "../../../../platform/http/http-client";
import { actionLines, alertActionOf, alertKeyOf } from "../../on-call/alert";
import { stepAlert } from "../../on-call/open-alerts";
import { type PagerDutyEvent, pagerDutyEvent, pagerDutyOutcomeEvent } from "./payload";
import { PagerDutyChannelSchema } from "./schema";

export const pagerDutyChannel: ChannelDefinition<"pagerduty"> = {
  type: "pagerduty",
  schema: PagerDutyChannelSchema,
  addressable: false,
  supportsDigest: false,
  keepsAlerts: true,
  followsAcknowledgements: true,
  takesNotes: true,
  templateParts: [],
  preview: (cfg, n, deps) => {
    const step = { action: n.action ?? alertActionOf(n.event), key: alertKeyOf(n.event) };
    const body = pagerDutyEvent(cfg, n.event, step, deps.publicUrl, n.vars);
    return { url: safeUrl(n.test?.target ?? cfg.url), body: { ...body, routing_key: "[REDACTED]" } };
  },
  create(cfg, deps) {
    const client = createHttpClient({ baseDir: deps.baseDir });
    return {
      async send(n, signal) {
        if (n.action === "note" && actionLines(n.vars).length === 0) return { nothingSent: "nothing Steward did is left to tell on the alert" };
        const done = await stepAlert(
          n,
          deps.state,
          async (s) => {
            const post = async (body: PagerDutyEvent) => {
              const res = await client.request(n.test?.target ?? cfg.url, {
                method: "POST",
                headers: { "Content-Type": "application/json", "X-Steward-Delivery": n.key },
                body: JSON.stringify(body),
                signal,
              });
              expectOk(res, "PagerDuty Events API");
            };
            // Sent again with the delivery if the resolve fails: PagerDuty takes it into the same open alert.
            if (s.action === "resolve" && actionLines(n.vars).length > 0) await post(pagerDutyOutcomeEvent(cfg, n.event, s.key, deps.publicUrl, n.vars));
            await post(pagerDutyEvent(cfg, n.event, s, deps.publicUrl, n.vars));
          },
          deps.name,
          deps.alertOpened,
        );
        if ("nothingSent" in done) return { nothingSent: done.nothingSent };
      },
      async close() {
        client.close();
      },
    };
  },
};
