// `config check` and `steward doctor` on on-call set-ups that cannot work, which docs/channels.md warns about: an
// Alertmanager URL ending /api/v2/alerts, a Jira Service Management URL without /jsm/ops/integration, a PagerDuty route
// without task.recovered (errors: `run` refuses them too), and a PagerDuty or JSM webhook expected on a Steward that
// listens on 127.0.0.1 only (a warning: a proxy or tunnel Steward cannot see may forward it). Each line names the key,
// its file line and the fix. Before, all four passed as "valid" and the doctor said "no problem".
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { configCheckCommand } from "../../../../src/show/cli/config-commands";
import { doctorCommand } from "../../../../src/show/cli/doctor";
import { AppError } from "../../../../src/platform/core/errors";
import { freeTcpPort } from "../../../helpers/free-port";
import { createTempDir } from "../../../helpers/temp-dir";

const tmp = createTempDir("steward-check-on-call-");
afterAll(() => tmp.remove());

/** Nothing listens there: the doctor's tries of the channels fail fast, on loopback, and reach no vendor. */
const dead = `http://127.0.0.1:${await freeTcpPort()}`;

const BROKEN = `dataDir: ./data
udp: { enabled: false }
http: { host: 127.0.0.1, port: 0 }
channels:
  am: { type: alertmanager, urls: ["${dead}/api/v2/alerts"] }
  jsm: { type: opsgenie, apiKey: an-api-key, url: "https://api.atlassian.com" }
  oncall: { type: pagerduty, routingKey: an-integration-key, url: "${dead}/v2/enqueue" }
routes:
  - { on: [task.failed, task.recovered], to: [am, jsm] }
  - { on: [task.failed], to: [oncall] }
`;

function write(name: string, text: string): string {
  const file = join(tmp.path, name);
  writeFileSync(file, text);
  return file;
}

async function doctor(file: string): Promise<{ ok: boolean; checks: Array<{ check: string; ok: boolean; detail: string; fix?: string }> }> {
  let printed = "";
  await doctorCommand(["--config", file, "--json"], (s) => (printed += s));
  return JSON.parse(printed);
}

test("config check refuses each set-up that cannot work, naming the key, its line and the fix; the doctor lists the same", async () => {
  const file = write("broken.yaml", BROKEN);
  let error: unknown;
  try {
    configCheckCommand(file, () => {});
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(AppError);
  const lines = (error as AppError).message.split("\n");
  expect(lines).toEqual([
    `${file}:5:36 channels.am.urls[0]: Steward adds /api/v2/alerts itself, so this URL would be posted to as …/api/v2/alerts/api/v2/alerts and answer HTTP 404: give Alertmanager's base address, ${dead}, got "${dead}/api/v2/alerts"`,
    `${file}:6:51 channels.jsm.url: Jira Service Management's alert API is under https://api.atlassian.com/jsm/ops/integration (Steward adds /v2/alerts), this URL answers every alert with HTTP 404: set it to https://api.atlassian.com/jsm/ops/integration, got "https://api.atlassian.com"`,
    `${file}:10:11 routes[1].on: this route sends task.failed to the pagerduty channel "oncall", but no route sends it task.recovered, so its alerts never resolve (they stay open and keep escalating after the task runs again): add task.recovered to this route's on: (docs/channels.md)`,
  ]);
  const report = await doctor(file);
  expect(report.ok).toBe(false);
  const config = report.checks.find((c) => c.check === "config")!;
  expect(config.ok).toBe(false);
  for (const line of lines) expect(config.detail).toContain(line);
});

const WEBHOOKS = (extra: string) => `dataDir: ./data
udp: { enabled: false }
http: { host: 127.0.0.1, port: 0 }
${extra}channels:
  oncall:
    type: pagerduty
    routingKey: an-integration-key
    url: "${dead}/v2/enqueue"
    webhookSecret: a-webhook-secret
  jsm: { type: opsgenie, apiKey: an-api-key, url: "${dead}", webhookToken: a-long-shared-token-value }
routes:
  - { on: [task.failed, task.recovered], to: [oncall, jsm] }
`;

test("a PagerDuty or JSM webhook on a Steward listening on 127.0.0.1 only: config check warns with the key's line and the fix, the doctor fails the line; a listed reverse proxy silences both", async () => {
  const file = write("webhooks.yaml", WEBHOOKS(""));
  const out: string[] = [];
  expect(configCheckCommand(file, (s) => out.push(s))).toBe(0);
  const fix =
    "set http.host to an address the vendor's calls reach (and allow them in security.ipAllowlist), or list the reverse proxy that forwards them in security.trustedProxies";
  const why =
    "calls this webhook from the internet, but Steward listens on http.host 127.0.0.1 only, which nothing outside this machine reaches, so what is acknowledged or resolved there never reaches Steward";
  expect(out.filter((l) => l.includes("warning:"))).toEqual([
    `${file}:9:20 channels.oncall.webhookSecret: warning: PagerDuty ${why}: ${fix}`,
    `${file}:10:91 channels.jsm.webhookToken: warning: Opsgenie / Jira Service Management ${why}: ${fix}`,
  ]);
  const report = await doctor(file);
  const line = report.checks.find((c) => c.check === "channel oncall webhook");
  expect(line).toEqual({ check: "channel oncall webhook", ok: false, detail: `channels.oncall.webhookSecret: PagerDuty ${why}`, fix });
  expect(report.checks.find((c) => c.check === "channel jsm webhook")?.ok).toBe(false);

  const proxied = write("proxied.yaml", WEBHOOKS("security: { trustedProxies: [127.0.0.1] }\n"));
  const quiet: string[] = [];
  expect(configCheckCommand(proxied, (s) => quiet.push(s))).toBe(0);
  expect(quiet.filter((l) => l.includes("warning:"))).toEqual([]);
  expect((await doctor(proxied)).checks.filter((c) => c.check.endsWith(" webhook"))).toEqual([]);
}, 60_000);
