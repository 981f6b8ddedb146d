// When config check warns that PagerDuty's or JSM's webhook cannot reach Steward: loopback listeners (IPv4, IPv6,
// localhost) with no trusted proxy, and no HTTP at all; not on another address, nor behind a listed proxy, nor for a
// channel that expects no webhook.
import { expect, test } from "bun:test";
import { ChannelConfigSchema } from "../../../../src/tell/notify/config";
import { inboundWebhookWarnings } from "../../../../src/tell/notify/inbound-reach";

const channels = {
  pd: ChannelConfigSchema.parse({ type: "pagerduty", routingKey: "k", webhookSecret: "a-webhook-secret" }),
  og: ChannelConfigSchema.parse({ type: "opsgenie", apiKey: "k", webhookToken: "a-long-shared-token-value" }),
  quiet: ChannelConfigSchema.parse({ type: "pagerduty", routingKey: "k" }),
};
const warned = (http: { enabled: boolean; host: string }, trustedProxies: string[] = []) =>
  inboundWebhookWarnings({ channels, http, security: { trustedProxies } }).map((w) => w.path.join("."));

test("loopback with no trusted proxy, or no HTTP: each webhook key is named", () => {
  for (const host of ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
    expect(warned({ enabled: true, host })).toEqual(["channels.pd.webhookSecret", "channels.og.webhookToken"]);
  const off = inboundWebhookWarnings({ channels, http: { enabled: false, host: "0.0.0.0" }, security: { trustedProxies: [] } });
  expect(off.map((w) => w.problem)[0]).toBe(
    "PagerDuty calls this webhook, but Steward serves no HTTP (http.enabled: false), so what is acknowledged or resolved there never reaches Steward",
  );
});

test("another address, or a listed reverse proxy: nothing to say", () => {
  expect(warned({ enabled: true, host: "0.0.0.0" })).toEqual([]);
  expect(warned({ enabled: true, host: "10.0.0.5" })).toEqual([]);
  expect(warned({ enabled: true, host: "127.0.0.1" }, ["127.0.0.1"])).toEqual([]);
});
