// Opsgenie / Jira Service Management channel (the alert API): one alert per Steward incident, or per cause when the
// incident is one of its symptoms, its alias the same key PagerDuty's dedup key is. Created on the page, acknowledged
// when it is acknowledged in Steward, closed when the cause or incident ends. The API dedups open alerts on the alias.
import type { ChannelDefinition } from "../../types";
import { createHttpClient, expectOk, safeUrl } from "../../../../platform/http/http-client";
import { alertActionOf, alertKeyOf } from "../../on-call/alert";
import { stepAlert } from "../../on-call/open-alerts";
import { opsgenieRequest } from "./payload";
import { OpsgenieChannelSchema } from "./schema";

const join = (base: string, path: string) => `${base.replace(/\/+$/, "")}${path}`;

export const opsgenieChannel: ChannelDefinition<"opsgenie"> = {
  type: "opsgenie",
  schema: OpsgenieChannelSchema,
  addressable: false,
  supportsDigest: false,
  keepsAlerts: true,
  followsAcknowledgements: true,
  templateParts: [],
  preview: (cfg, n, deps) => {
    const step = { action: n.action ?? alertActionOf(n.event), key: alertKeyOf(n.event) };
    const r = opsgenieRequest(cfg, n.event, step, deps.publicUrl, n.note);
    return { url: safeUrl(join(n.test?.target ?? cfg.url, r.path)), body: r.body };
  },
  create(cfg, deps) {
    const client = createHttpClient({ baseDir: deps.baseDir });
    return {
      async send(n, signal) {
        const done = await stepAlert(
          n,
          deps.state,
          async (s) => {
            const r = opsgenieRequest(cfg, n.event, s, deps.publicUrl, n.note);
            const res = await client.request(join(n.test?.target ?? cfg.url, r.path), {
              method: "POST",
              headers: { "Content-Type": "application/json", Authorization: `GenieKey ${cfg.apiKey}`, "X-Steward-Delivery": n.key },
              body: JSON.stringify(r.body),
              signal,
            });
            expectOk(res, "Opsgenie alert API");
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
