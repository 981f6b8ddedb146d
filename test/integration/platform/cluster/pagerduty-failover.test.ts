// PagerDuty across a failover: two Stewards on one PostgreSQL, a run failing on the site. The Steward sending the
// incident's trigger is killed (SIGKILL) while PagerDuty has the request and has not answered; the other one (started
// after it, so it cannot take the delivery first) sends the trigger again when it takes over the delivery. PagerDuty dedups on the key, so it is still one alert: the receiver
// (checking every request against the Events API v2 schema) sees one dedup key for the incident, and the acknowledge
// and resolve that follow from the surviving Steward carry the same key.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../../../src/sim";
import { startProcess, type RunningProcess } from "../../../helpers/child-process";
import { freeTcpPort, freeUdpPort } from "../../../helpers/free-port";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor, waitForHttp } from "../../../helpers/wait-for";
import { IDS, SITE_YAML } from "../../hear/intake/harness";
import { simCertDir } from "../../../helpers/sim-certs";
import { startPagerDutyReceiver, type OnCallReceiver, type PagerDutyEvent } from "../../tell/notify/on-call-receivers";

const REPO = join(import.meta.dir, "../../../..");
const dir = createTempDir("steward-pd-failover-");
const LEASE_MS = 3_000;
const ROUTING_KEY = "F0123456789abcdef0123456789abcde";

let pg: PostgresService;
let sim: Simulator;
let pd: OnCallReceiver<PagerDutyEvent>;
let url: string;
const procs: RunningProcess[] = [];
const ports: Array<{ name: string; http: number; udp: number }> = [];

async function startSteward(p: (typeof ports)[number]): Promise<{ base: string; proc: RunningProcess }> {
  const folder = join(dir.path, p.name);
  mkdirSync(folder, { recursive: true });
  const config = join(folder, "steward.yaml");
  writeFileSync(
    config,
    `dataDir: ./data
http: { host: 127.0.0.1, port: ${p.http} }
udp: { host: 127.0.0.1, port: ${p.udp} }
store:
  postgres: { url: ${JSON.stringify(url)}, instanceName: ${p.name}, leaseTtlMs: ${LEASE_MS}, heartbeatIntervalMs: 500, connectTimeoutMs: 2000 }
qlik:
  host: 127.0.0.1
  qrsPort: ${sim.ports.qrs}
  certDir: ${JSON.stringify(sim.certDir)}
  timeoutMs: 10000
  retries: 0
channels:
  oncall: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue", timeout: 5s }
routes:
  - { on: [task.failed, task.recovered], to: [oncall] }
notify:
  outbox: { concurrency: 2, initialBackoff: 200ms, maxBackoff: 1s }
`,
  );
  const proc = startProcess(process.execPath, ["src/main.ts", "run", "--config", config, "--log-format", "json"], { cwd: REPO });
  procs.push(proc);
  const base = `http://127.0.0.1:${p.http}`;
  await waitForHttp(`${base}/health`, { timeoutMs: 30_000 });
  return { base, proc };
}

beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase("pd_failover");
  pd = startPagerDutyReceiver();
  for (const name of ["node-a", "node-b"]) ports.push({ name, http: await freeTcpPort(), udp: await freeUdpPort() });
  // The node's Scheduler tells both Stewards (udpTargets): whichever is alive hears the run.
  const targets = ports.map((p) => `"127.0.0.1:${p.udp}"`).join(", ");
  const site = SITE_YAML.replace(
    "  - { name: Central, hostName: sense1.test.example, central: true }",
    `  - { name: Central, hostName: sense1.test.example, central: true, udpTargets: [${targets}] }`,
  );
  sim = await startSimulator({
    site,
    certDir: simCertDir(join(dir.path, "certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    schedules: false,
    settings: { timing: { durationOverrideMs: 60 } },
  });
}, 60_000);

afterAll(async () => {
  pd?.release();
  for (const p of procs) await p.stop("SIGKILL", 1_000);
  await pd?.stop();
  await sim?.stop();
  await pg?.stop();
  dir.remove();
});

async function runTask(outcome: "fail" | "succeed"): Promise<void> {
  await waitFor(async () => !((await simControl(sim, "GET", `/tasks/${IDS.reload}`)) as { running: boolean }).running, { what: "the task to be idle" });
  await simControl(sim, "POST", `/tasks/${IDS.reload}/run`, { outcome, durationMs: 60, node: "Central" });
}

test("the Steward sending a trigger dies before PagerDuty answers: the other sends it again under the same dedup key, then acknowledges and resolves", {
  timeout: 120_000,
}, async () => {
  // Only A runs: it hears the failure, opens the incident and sends the trigger, which PagerDuty holds.
  const a = await startSteward(ports[0]!);
  pd.hold();
  await runTask("fail");
  await waitFor(() => pd.accepted.length >= 1 || undefined, { what: "the trigger in flight", timeoutMs: 30_000 });
  const first = pd.accepted[0]!.body;
  expect(first.event_action).toBe("trigger");
  const key = first.dedup_key!;
  expect(key).toMatch(/^steward-incident-\d+$/);
  process.kill(a.proc.pid, "SIGKILL");
  await a.proc.exited;
  pd.release();

  // B takes over the delivery A left in sending once A's lease is gone, and sends it again.
  const b = await startSteward(ports[1]!);
  await waitFor(() => pd.accepted.filter((r) => r.body.event_action === "trigger").length >= 2 || undefined, {
    what: "the trigger sent again by the surviving Steward",
    timeoutMs: 60_000,
  });
  const id = Number(key.slice("steward-incident-".length));
  const ack = await fetch(`${b.base}/v4/incidents/${id}/acknowledge`, { method: "POST", body: "{}" });
  expect(ack.status).toBe(200);
  await waitFor(() => pd.accepted.some((r) => r.body.event_action === "acknowledge") || undefined, { what: "the acknowledge" });
  await runTask("succeed");
  await waitFor(() => pd.accepted.some((r) => r.body.event_action === "resolve") || undefined, { what: "the resolve", timeoutMs: 30_000 });
  await Bun.sleep(1_000); // anything more would come now

  expect(pd.rejected).toEqual([]);
  // One incident, one dedup key: PagerDuty holds one alert however often the trigger came.
  expect([...new Set(pd.accepted.map((r) => r.body.dedup_key))]).toEqual([key]);
  const actions = pd.accepted.map((r) => r.body.event_action);
  expect(actions.slice(-2)).toEqual(["acknowledge", "resolve"]);
  expect(actions.filter((x) => x === "trigger").length).toBe(2);
  // The delivery was sent by B and recorded as delivered once.
  const deliveries = (await (await fetch(`${b.base}/v4/deliveries?channel=oncall&limit=20`)).json()) as { deliveries: Array<{ status: string; kind: string }> };
  expect(deliveries.deliveries.map((d) => [d.kind, d.status]).sort()).toEqual([
    ["alert.acknowledge", "delivered"],
    ["task.failed", "delivered"],
    ["task.recovered", "delivered"],
  ]);
});
