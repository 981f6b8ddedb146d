// Opsgenie / Jira Service Management channel (the alert API): one alert per Steward incident, or per cause when the
// incident is one of its symptoms, its alias the same key PagerDuty's dedup key is. Created on the page, acknowledged
// when it is acknowledged in Steward, closed when the cause or incident ends. The API dedups open alerts on the alias.
// What Steward's remediation did is in the first description, then a note on the alert or the close's note.
import type { ChannelDefinition } from "../../types";
import { createHttpClient, expectOk, safeUrl } from "../../../../platform/http/http-client";
import { alertActionOf, alertKeyOf } from "../../on-call/alert";
import { openAlertEvent, stepAlert } from "../../on-call/open-alerts";
import { holdResolve } from "../../on-call/held-open";
import { actionNote, type OpsgenieRequest, opsgenieNote, opsgenieRequest } from "./payload";
import { OpsgenieChannelSchema } from "./schema";

const join = (base: string, path: string) => `${base.replace(/\/+$/, "")}${path}`;

export const opsgenieChannel: ChannelDefinition<"opsgenie"> = {
  type: "opsgenie",
  schema: OpsgenieChannelSchema,
  addressable: false,
  supportsDigest: false,
  keepsAlerts: true,
  followsAcknowledgements: true,
  takesNotes: true,
  templateParts: [],
  preview: (cfg, n, deps) => {
    const step = { action: n.action ?? alertActionOf(n.event), key: alertKeyOf(n.event) };
    const note = actionNote(n.vars, n.event);
    const r = step.action === "note" && note ? opsgenieNote(cfg, step, note) : opsgenieRequest(cfg, n.event, step, deps.publicUrl, n.note, n.vars);
    return { url: safeUrl(join(n.test?.target ?? cfg.url, r.path)), body: r.body };
  },
  create(cfg, deps) {
    const client = createHttpClient({ baseDir: deps.baseDir });
    return {
      async send(sent, signal) {
        // A closing message whose alert an action holds open is a note on it, not its resolve (held-open.ts).
        const n = holdResolve(sent);
        const post = async (r: OpsgenieRequest) => {
          const res = await client.request(join(n.test?.target ?? cfg.url, r.path), {
            method: "POST",
            headers: { "Content-Type": "application/json", Authorization: `GenieKey ${cfg.apiKey}`, "X-Steward-Delivery": n.key },
            body: JSON.stringify(r.body),
            signal,
          });
          expectOk(res, "Opsgenie alert API");
        };
        // An update of an alert already open: Opsgenie dedups the create on its alias and keeps the first description,
        // so what Steward did goes as a note on the alert (the API's Add Note), which its timeline shows.
        const wasOpen = (await openAlertEvent(deps.state, alertKeyOf(n.event))) !== undefined;
        const note = actionNote(n.vars, n.event);
        if (n.action === "note" && !note) return { nothingSent: "nothing Steward did is left to tell on the alert" };
        const done = await stepAlert(
          n,
          deps.state,
          async (s) => {
            if (s.action !== "note") await post(opsgenieRequest(cfg, n.event, s, deps.publicUrl, n.note, n.vars));
            if (note && (s.action === "note" || (s.action === "trigger" && wasOpen))) await post(opsgenieNote(cfg, s, note));
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
