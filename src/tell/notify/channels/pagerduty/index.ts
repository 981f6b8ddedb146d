// PagerDuty channel (Events API v2): one PagerDuty alert per Steward incident, or per cause when the incident is one
// of its symptoms (dedup key steward-cause-<id> / steward-incident-<id>). The page triggers it, an acknowledgement in
// Steward acknowledges it, the end of the cause or incident resolves it. PagerDuty dedups on the key, so a trigger sent
// again after a failover or a retry is the same alert. What Steward's remediation did rides in custom_details, and
// with a REST API key (`notes`) is a note on the incident too.
import type { ChannelDefinition } from "../../types";
import { createHttpClient, expectOk, safeUrl } from "../../../../platform/http/http-client";
import { actionLines, alertActionOf, alertKeyOf } from "../../on-call/alert";
import { openAlertEvent, stepAlert } from "../../on-call/open-alerts";
import { holdResolve } from "../../on-call/held-open";
import { addIncidentNote } from "./rest-note";
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
      async send(sent, signal) {
        // A closing message whose alert an action holds open is a note on it, not its resolve (held-open.ts).
        const n = holdResolve(sent);
        const lines = actionLines(n.vars);
        if (n.action === "note" && lines.length === 0) return { nothingSent: "nothing Steward did is left to tell on the alert" };
        // With a REST API key the outcome is a note on the incident (what a PagerDuty user reads first); not in test mode.
        const notes = n.test ? undefined : cfg.notes;
        const wasOpen = (await openAlertEvent(deps.state, alertKeyOf(n.event))) !== undefined;
        const noted = (key: string) =>
          notes && lines.length > 0 ? addIncidentNote(client, notes, key, `What Steward did:\n${lines.join("\n")}`, signal) : false;
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
            // Told before a resolve, sent again with the delivery if the resolve fails: PagerDuty takes it into the same
            // open alert (an event), or it is one more note.
            if (s.action === "note" || (s.action === "resolve" && lines.length > 0)) {
              if (!(await noted(s.key))) await post(pagerDutyOutcomeEvent(cfg, n.event, s.key, deps.publicUrl, n.vars));
              if (s.action === "note") return;
            }
            await post(pagerDutyEvent(cfg, n.event, s, deps.publicUrl, n.vars));
            // An update of an alert already open: its details stay the first trigger's, the note is what is read.
            if (s.action === "trigger" && wasOpen) await noted(s.key);
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
