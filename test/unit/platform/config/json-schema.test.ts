// The committed editor schema (config/steward.schema.json) must match the zod schema, the example configs
// must be valid, and config/full.yaml must show every section (so a new section gets documented).
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { configJsonSchema } from "../../../../src/composition/config";
import { loadConfigFile } from "../../../../src/composition/config";
import { configSchema } from "../../../../src/composition/config";
import { channelConfigSchema } from "../../../../src/tell/notify/config";
import { checkNotifyConfig } from "../../../../src/tell/notify/check";
import { parse as parseYaml } from "yaml";

const configDir = join(import.meta.dir, "../../../../config");

describe("editor JSON Schema", () => {
  test("config/steward.schema.json is current (regenerate: bun src/main.ts config schema --out config/steward.schema.json)", () => {
    const committed = JSON.parse(readFileSync(join(configDir, "steward.schema.json"), "utf8"));
    expect(committed).toEqual(configJsonSchema());
  });

  test("it is strict and carries defaults and descriptions", () => {
    const s = configJsonSchema() as { additionalProperties: boolean; properties: Record<string, { properties?: Record<string, { default?: unknown }> }> };
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.http?.properties?.port?.default).toBe(8080);
  });
});

/** Dummy values for the ${env:…} placeholders of config/full.yaml (shaped like the real thing: URLs are URLs). */
const EXAMPLE_ENV: Record<string, string> = {
  SLACK_REST_WEBHOOK_URL: "https://hooks.slack.com/services/T000/B000/rest",
  SLACK_ALERTS_WEBHOOK_URL: "https://hooks.slack.com/services/T000/B001/alerts",
  SLACK_TEST_WEBHOOK_URL: "https://hooks.slack.com/services/T000/B002/test",
  TEAMS_WEBHOOK_URL: "https://corp.webhook.office.com/workflows/abc/triggers/manual/paths/invoke",
  SMTP_PASSWORD: "smtp-password",
  MQTT_PASSWORD: "mqtt-password",
  ITSM_TOKEN: "itsm-token",
  ITSM_HMAC_SECRET: "a-shared-hmac-secret",
  INFLUX_PASSWORD: "influx-password",
  INFLUX_TOKEN: "influx-token",
  STEWARD_TLS_PASSPHRASE: "tls-passphrase",
  HEARTBEAT_URL: "https://hc-ping.com/00000000-0000-0000-0000-000000000000",
  SIGNL4_WEBHOOK: "https://connect.signl4.com/webhook/example-team",
  ALERTMANAGER_PASSWORD: "alertmanager-password",
  NEW_RELIC_INSERT_KEY: "nr-insert-key",
  PAGERDUTY_ROUTING_KEY: "R0123456789abcdef0123456789abcde",
  PAGERDUTY_WEBHOOK_SECRET: "pagerduty-webhook-secret",
  PAGERDUTY_API_KEY: "pagerduty-rest-api-key",
  STEWARD_SSO_SECRET: "sso-client-secret",
  STEWARD_SSO_TOKEN_KEY: "a-token-key-of-at-least-32-characters",
  JSM_API_KEY: "jsm-api-integration-key",
  JSM_WEBHOOK_TOKEN: "jsm-outgoing-webhook-token",
  QLIK_CLOUD_API_KEY: "qlik-cloud-api-key",
  QLIK_CLOUD_CLIENT_SECRET: "qlik-cloud-client-secret",
  SLACK_BOT_TOKEN: "xoxb-0000000000-0000000000000-example",
};

describe("example configs", () => {
  for (const name of ["minimal.yaml", "starter.yaml", "demo.yaml", "full.yaml"]) {
    test(`${name} is valid (what \`steward config check\` checks, templates included)`, { timeout: 60_000 }, () => {
      const loaded = loadConfigFile(join(configDir, name), { env: EXAMPLE_ENV });
      expect(checkNotifyConfig(loaded.config, loaded.baseDir)).toEqual([]);
    });
  }

  test("full.yaml documents every top-level section of the schema, in the schema's order", () => {
    const raw = parseYaml(readFileSync(join(configDir, "full.yaml"), "utf8")) as Record<string, unknown>;
    expect(Object.keys(raw)).toEqual(Object.keys(configSchema().shape));
  });

  test("full.yaml has a channel of every type, and InfluxDB both as v1 and v2", () => {
    const { config } = loadConfigFile(join(configDir, "full.yaml"), { env: EXAMPLE_ENV });
    const channels = Object.values(config.channels);
    const types = channelConfigSchema().options.map((o) => o.unwrap().shape.type.value); // each channel schema is built on first use (z.lazy)
    expect([...new Set(channels.map((c) => c.type))].sort()).toEqual([...types].sort());
    const influxVersions = channels.flatMap((c) => (c.type === "influxdb" ? [c.version] : []));
    expect([...influxVersions].sort()).toEqual([1, 2]);
  });
});
