// `steward doctor` and GET /v4/doctor (issue 54) against real counterparts: the simulator's QRS and Engine with its
// certificates, an SMTP server, a webhook receiver, PostgreSQL. Every line passes on a working site and nothing is
// sent to anyone; each failure (QRS refusing the certificate, a mail server that is down, a config `run` refuses, a
// cluster member gone silent) is a FAIL line naming what to do, and the exit code says so.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { doctorCommand } from "../../../../src/show/cli/doctor";
import { startSimulator, type Simulator } from "../../../../src/sim";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { freeTcpPort, freeUdpPort } from "../../../helpers/free-port";
import { simControl } from "../../../helpers/sim-control";
import { postgresBackend } from "../../../helpers/sql-backends";
import { createTempDir } from "../../../helpers/temp-dir";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { simCertDir } from "../../../helpers/sim-certs";

const tmp = createTempDir("steward-doctor-");
const pg = postgresBackend();
let sim: Simulator;
let smtp: SmtpReceiver;
let hook: HttpReceiver;
let pgUrl: string;
let app: TestApp | undefined;

beforeAll(async () => {
  sim = await startSimulator({ certDir: simCertDir(join(tmp.path, "certs")), qrsPort: 0, enginePort: 0, controlPort: 0, cloudPort: 0, schedules: false });
  smtp = await startSmtpReceiver();
  hook = startHttpReceiver();
  pgUrl = await (await pg.server()).createDatabase("doctor");
}, 60_000);

afterAll(async () => {
  await app?.close();
  await hook?.stop();
  await smtp?.stop();
  await sim?.stop();
  await pg.shutdown();
  tmp.remove();
});

function siteYaml(o: { smtpPort: number; certDir?: string; udpPort: number; postgres?: boolean }): string {
  return [
    "dataDir: ./data",
    `udp: { host: 127.0.0.1, port: ${o.udpPort} }`,
    `qlik: { host: 127.0.0.1, qrsPort: ${sim.ports.qrs}, enginePort: ${sim.ports.engine}, certDir: ${JSON.stringify(o.certDir ?? sim.certDir)}, timeoutMs: 3000, retries: 0 }`,
    ...(o.postgres ? [`store: { postgres: { url: ${JSON.stringify(pgUrl)}, instanceName: doctor-node, leaseTtlMs: 15000 } }`] : []),
    "channels:",
    `  mail: { type: email, smtp: { host: 127.0.0.1, port: ${o.smtpPort}, security: none }, from: steward@corp.example, to: [ops@corp.example] }`,
    `  hook: { type: webhook, url: "${hook.url}/secret-path" }`,
    "routes:",
    "  - { on: [task.failed], to: [mail, hook] }",
    "",
  ].join("\n");
}

async function doctor(yaml: string, name: string): Promise<{ code: number; text: string }> {
  const file = join(tmp.path, name);
  writeFileSync(file, yaml);
  const printed: string[] = [];
  const code = await doctorCommand(["--config", file], (s) => printed.push(s));
  return { code, text: printed.join("\n") };
}

const lineOf = (text: string, check: string) => text.split("\n").find((l) => l.slice(6).startsWith(check)) ?? "";

test("a working site: every line passes, exit 0, and no mail or webhook call is sent", async () => {
  const udpPort = await freeUdpPort();
  const { code, text } = await doctor(siteYaml({ smtpPort: smtp.port, udpPort, postgres: true }), "ok.yaml");
  expect(text).toContain("All 10 checks passed.");
  expect(code).toBe(0);
  const checks = [
    "config",
    "qrs",
    "engine",
    "channel mail (email)",
    "channel hook (webhook)",
    "postgresql",
    "alert templates",
    "access",
    `udp 127.0.0.1:${udpPort}`,
    "udp sources",
  ];
  for (const check of checks) expect(lineOf(text, check)).toStartWith("PASS");
  // Read from the cluster's PostgreSQL, which has seen no alert yet.
  expect(lineOf(text, "alert templates")).toContain("no alert was sent in the plain form in the last 24 hours");
  // Who may send (issue 75): with udp.allowedSources empty, the Qlik nodes.
  expect(lineOf(text, "udp sources")).toContain("datagrams are admitted from 127.0.0.1 and the server nodes QRS lists");
  expect(lineOf(text, "engine")).toContain("opens a session");
  expect(lineOf(text, "channel mail (email)")).toContain("no mail sent");
  // A webhook's path is its secret: the line names the server only.
  expect(text).not.toContain("secret-path");
  expect(smtp.mails).toEqual([]);
  expect(hook.requests).toEqual([]);
});

test("QRS refusing the certificate and a mail server that is down: FAIL lines with what to do, exit 1", async () => {
  await simControl(sim, "POST", "/faults", { target: "qrs", status: 401, body: "Unauthorized" });
  try {
    const { code, text } = await doctor(siteYaml({ smtpPort: await freeTcpPort(), udpPort: await freeUdpPort() }), "broken.yaml");
    expect(code).toBe(1);
    expect(lineOf(text, "qrs")).toStartWith("FAIL");
    expect(lineOf(text, "qrs")).toContain("401");
    expect(text).toContain("qlik.certDir");
    expect(lineOf(text, "channel mail (email)")).toStartWith("FAIL");
    expect(text).toContain("Check smtp.host, smtp.port");
    expect(lineOf(text, "channel hook (webhook)")).toStartWith("PASS");
    expect(text).toContain("2 of 8 checks failed.");
  } finally {
    await simControl(sim, "DELETE", "/faults");
  }
});

test("the simulator's QRS stopped: the QRS line fails with what to do; the Engine still answers", async () => {
  await simControl(sim, "POST", "/listeners/qrs/down", {});
  try {
    const { code, text } = await doctor(siteYaml({ smtpPort: smtp.port, udpPort: await freeUdpPort() }), "qrs-down.yaml");
    expect(code).toBe(1);
    expect(lineOf(text, "qrs")).toStartWith("FAIL");
    expect(text).toContain("Check that this server reaches the Qlik Repository Service (qlik.host, port qlik.qrsPort, usually 4242)");
    expect(lineOf(text, "engine")).toStartWith("PASS");
    expect(text).toContain("1 of 8 checks failed.");
  } finally {
    await simControl(sim, "POST", "/listeners/qrs/up", {});
  }
});

test("a config that run refuses: the config line fails with file, line and key; the rest is still tried", async () => {
  const { code, text } = await doctor(
    siteYaml({ smtpPort: smtp.port, udpPort: await freeUdpPort(), certDir: join(tmp.path, "no-such-folder") }),
    "nocerts.yaml",
  );
  expect(code).toBe(1);
  expect(lineOf(text, "config")).toStartWith("FAIL");
  expect(text).toMatch(/nocerts\.yaml:3:\d+ qlik\.certDir/);
  expect(lineOf(text, "qrs")).toStartWith("FAIL");
  expect(lineOf(text, "channel mail (email)")).toStartWith("PASS");
});

test("GET /v4/doctor and /ui/doctor on a running Steward; a cluster member gone silent fails the PostgreSQL line", async () => {
  app = createTestApp(
    siteYaml({ smtpPort: smtp.port, udpPort: 0, postgres: true })
      .replace("dataDir: ./data\n", "")
      .replace(/udp: .*\n/, ""),
  );
  await app.app.start();
  type View = { ok: boolean; checks: Array<{ check: string; ok: boolean; detail: string; fix?: string }> };
  const first = (await (await app.request("/v4/doctor")).json()) as View;
  expect(first.checks.map((l) => [l.check, l.ok])).toEqual([
    ["qrs", true],
    ["engine", true],
    ["channel mail (email)", true],
    ["channel hook (webhook)", true],
    ["postgresql", true],
    ["alert templates", true],
    ["access", true],
    ["engine lines", true],
    ["scheduler datagrams", true],
    ["udp 127.0.0.1:0", true],
    ["udp sources", true],
  ]);
  expect(first.ok).toBe(true);
  // What the first API key will change, before anyone makes one (issue 75).
  const access = first.checks.find((l) => l.check === "access")!.detail;
  expect(access).toContain("no API key or client certificate yet (run-time keys in PostgreSQL are not counted here)");
  expect(access).toContain("tasks, apps, kv.read, kv.write, files, mqtt from the Qlik nodes (127.0.0.1 and the nodes QRS lists) (security.anonymous)");
  expect(access).toContain("/status needs a key with the status or read scope");
  expect(first.checks.find((l) => l.check === "udp sources")!.detail).toStartWith("datagrams are admitted from the Qlik nodes 127.0.0.1");
  expect(first.checks.find((l) => l.check === "postgresql")!.detail).toContain("doctor-node");
  expect(first.checks.find((l) => l.check.startsWith("udp"))!.detail).toContain("Steward listens");

  // A member killed two minutes ago (its heartbeat stopped) on another node.
  await app.app.sharedStore.sql.run(
    "INSERT INTO cluster_members (instance_id, name, host, pid, version, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ["gone-1", "node-gone", "sense2", 4242, "test", Date.now() - 600_000, Date.now() - 120_000],
  );
  const second = (await (await app.request("/v4/doctor")).json()) as View;
  const line = second.checks.find((l) => l.check === "postgresql")!;
  expect(second.ok).toBe(false);
  expect(line.ok).toBe(false);
  expect(line.detail).toContain("silent past the lease: node-gone");
  expect(line.fix).toContain("store.postgres.leaseTtlMs");

  const page = await (await app.request("/ui/doctor")).text();
  expect(page).toContain('data-check="postgresql"');
  expect(page).toContain("node-gone");
});

test("a Qlik Cloud tenant is tried with its own key: PASS with the key's expiry; a wrong key FAILs with what to do", async () => {
  const cloudYaml = (key: string) =>
    [
      "dataDir: ./data",
      "udp: { enabled: false }",
      "qlikCloud:",
      "  tenants:",
      "    - name: corp-cloud",
      `      url: ${sim.urls.cloud}`,
      `      apiKey: ${JSON.stringify(key)}`,
      `      caFile: ${JSON.stringify(join(sim.certDir, "root.pem"))}`,
      "",
    ].join("\n");
  await simControl(sim, "PATCH", "/cloud/settings", { apiKeyExpiry: "2099-03-01T00:00:00.000Z" });
  const good = await doctor(cloudYaml(sim.cloud!.apiKey), "cloud.yaml");
  expect(lineOf(good.text, "qlik cloud corp-cloud")).toStartWith("PASS");
  expect(lineOf(good.text, "qlik cloud corp-cloud")).toContain("answers the API key");
  expect(lineOf(good.text, "qlik cloud corp-cloud")).toContain("the key expires in");
  expect(lineOf(good.text, "qlik cloud corp-cloud")).toContain("(2099-03-01)");
  // Which Cloud sources it watches, and for each it does not, why.
  expect(lineOf(good.text, "qlik cloud corp-cloud")).toContain("watches reloads (");
  expect(lineOf(good.text, "qlik cloud corp-cloud")).toContain("does not watch tasks: the watchdog is off");
  expect(lineOf(good.text, "qlik cloud corp-cloud")).toContain("automations: not asked for (add `automations: {}` to this tenant)");
  expect(lineOf(good.text, "qlik cloud corp-cloud")).toContain("data tasks: Qlik Talend Cloud data tasks are not watched");
  expect(good.code).toBe(0);

  const bad = await doctor(cloudYaml("not-the-key"), "cloud-bad.yaml");
  expect(bad.code).toBe(1);
  expect(lineOf(bad.text, "qlik cloud corp-cloud")).toStartWith("FAIL");
  expect(lineOf(bad.text, "qlik cloud corp-cloud")).toContain("refused the API key (HTTP 401)");
  expect(bad.text).toContain("Make a new API key as a tenant admin");
  expect(bad.text).not.toContain(sim.cloud!.apiKey);
});

test("a Qlik Cloud tenant whose automations are watched: PASS says they are readable; a key that may not list them FAILs with what to do", async () => {
  const yaml = [
    "dataDir: ./data",
    "udp: { enabled: false }",
    "qlikCloud:",
    "  tenants:",
    "    - name: corp-cloud",
    `      url: ${sim.urls.cloud}`,
    `      apiKey: ${JSON.stringify(sim.cloud!.apiKey)}`,
    `      caFile: ${JSON.stringify(join(sim.certDir, "root.pem"))}`,
    "      automations: {}",
    "watchdog: {}",
    "",
  ].join("\n");
  const good = await doctor(yaml, "cloud-automations.yaml");
  expect(lineOf(good.text, "qlik cloud corp-cloud")).toStartWith("PASS");
  expect(lineOf(good.text, "qlik cloud corp-cloud")).toMatch(
    /watches reloads \(\d+ on the first page\), tasks \(\d+ on the first page\), automations \(\d+ on the first page\)/,
  );

  await simControl(sim, "PATCH", "/cloud/settings", { automationsForbidden: true });
  try {
    const refused = await doctor(yaml, "cloud-automations-forbidden.yaml");
    expect(refused.code).toBe(1);
    expect(lineOf(refused.text, "qlik cloud corp-cloud")).toStartWith("FAIL");
    expect(lineOf(refused.text, "qlik cloud corp-cloud")).toContain("cannot read automations: ");
    expect(lineOf(refused.text, "qlik cloud corp-cloud")).toContain("HTTP 403");
    expect(refused.text).toContain("make the API key as a Tenant Admin");
  } finally {
    await simControl(sim, "PATCH", "/cloud/settings", { automationsForbidden: false });
  }
});
