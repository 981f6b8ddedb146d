// Three Steward processes (one per Qlik node) on one PostgreSQL store, fed by the simulator's Scheduler — every
// datagram reaches all three, as when each node's appender also feeds its neighbours, and some datagrams are
// lost so reconciliation must find those runs. Every failed run is mailed exactly once; a key set through one
// Steward is read through the others; a schedule fires once per occurrence. Then the chaos: the leader is
// SIGKILLed during schedule fires and an alert burst, and PostgreSQL is stopped for a while — afterwards no
// alert is lost or doubled, and no occurrence is started twice (missed ones follow the catch-up rule).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../../src/sim";
import { startProcess, type RunningProcess } from "../../helpers/child-process";
import { freeTcpPort, freeUdpPort } from "../../helpers/free-port";
import { startPostgres, type PostgresService } from "../../helpers/services";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor, waitForHttp } from "../../helpers/wait-for";
import { startSmtpReceiver, type SmtpReceiver } from "../notify/receivers";
import { IDS, SITE_YAML } from "../intake/harness";

const REPO = join(import.meta.dir, "../../..");
const dir = createTempDir("steward-three-");
const LEASE_MS = 3_000;
const HEARTBEAT_MS = 500;
let pg: PostgresService;
let url: string;
let sim: Simulator;
let smtp: SmtpReceiver;
const stewards: Steward[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase("three_stewards");
  sim = await startSimulator({ site: SITE_YAML, certDir: join(dir.path, "certs"), qrsPort: 0, enginePort: 0, controlPort: 0, schedules: false, settings: { timing: { durationOverrideMs: 60 } } });
  smtp = await startSmtpReceiver();
});

afterAll(async () => {
  for (const s of stewards) await s.proc?.stop("SIGKILL", 1000);
  await smtp?.stop();
  await sim?.stop();
  await pg?.stop();
  dir.remove();
});

async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sim.urls.control}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { "content-type": "application/json" } });
  if (res.status >= 300) throw new Error(`control API ${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

async function failTask(taskId: string): Promise<string> {
  await waitFor(async () => !((await control("GET", `/tasks/${taskId}`)) as { running: boolean }).running, { what: `task ${taskId} to be idle` });
  return ((await control("POST", `/tasks/${taskId}/run`, { outcome: "fail", durationMs: 60 })) as { executionId: string }).executionId;
}

const mailsFor = (executionId: string) =>
  smtp.mails.filter((m) => m.mail.headers.some((h) => h.key === "x-steward-delivery" && h.value.trim().startsWith(`${executionId}:`))).length;

async function expectOneMailEach(executionIds: string[], timeoutMs = 20_000): Promise<void> {
  const counts = () => executionIds.map((id) => mailsFor(id));
  await waitFor(() => counts().every((n) => n >= 1), { what: `a mail for each of ${executionIds.length} runs`, timeoutMs }).catch((err) => {
    for (const s of stewards) console.error(`${s.name} output:\n${s.proc?.output().slice(-3000)}`);
    throw err;
  });
  await Bun.sleep(1_500); // a duplicate would come now
  expect(counts()).toEqual(executionIds.map(() => 1));
}

interface Steward {
  name: string;
  base: string;
  proc?: RunningProcess;
  start(): Promise<void>;
  kill(): Promise<void>;
  request(path: string, init?: RequestInit): Promise<Response>;
}

async function steward(name: string): Promise<Steward> {
  const [httpPort, udpPort] = [await freeTcpPort(), await freeUdpPort()];
  const folder = join(dir.path, name);
  mkdirSync(folder, { recursive: true });
  const config = join(folder, "steward.yaml");
  writeFileSync(
    config,
    `dataDir: ./data
logging: { level: info }
http: { host: 127.0.0.1, port: ${httpPort} }
udp: { host: 127.0.0.1, port: ${udpPort} }
store:
  postgres: { url: ${JSON.stringify(url)}, instanceName: ${name}, leaseTtlMs: ${LEASE_MS}, heartbeatIntervalMs: ${HEARTBEAT_MS}, connectTimeoutMs: 2000 }
qlik:
  host: 127.0.0.1
  qrsPort: ${sim.ports.qrs}
  certDir: ${JSON.stringify(sim.certDir)}
  timeoutMs: 10000
  retries: 0
intake: { reconcile: { intervalSeconds: 0.5, settleSeconds: 1 } }
channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none, maxConnections: 1 }
    from: steward@corp.example
    to: [ops@corp.example]
    timeout: 10s
routes:
  - { on: [task.failed], to: [mail] }
notify:
  outbox: { concurrency: 2, initialBackoff: 200ms, maxBackoff: 1s }
`,
  );
  const base = `http://127.0.0.1:${httpPort}`;
  const s: Steward = {
    name,
    base,
    async start() {
      s.proc = startProcess(process.execPath, ["src/main.ts", "run", "--config", config, "--log-format", "json"], { cwd: REPO });
      await waitForHttp(`${base}/health`, { timeoutMs: 30_000 });
    },
    async kill() {
      process.kill(s.proc!.pid, "SIGKILL");
      await s.proc!.exited;
    },
    request: (path, init) => fetch(`${base}${path}`, init),
  };
  stewards.push(s);
  (s as Steward & { udpPort: number }).udpPort = udpPort;
  return s;
}

const udpPorts = () => stewards.map((s) => `127.0.0.1:${(s as Steward & { udpPort: number }).udpPort}`);

/** Starts of a task in QRS (time of each POST …/task/{id}/start the simulator saw). */
function startsOf(taskId: string): number[] {
  return sim.requests
    .list({ source: "qrs", method: "POST" })
    .filter((r) => r.path.toLowerCase().startsWith(`/qrs/task/${taskId}/start`))
    .map((r) => Date.parse(r.time));
}

async function leader(): Promise<Steward> {
  return waitFor(
    async () => {
      for (const s of stewards) {
        if (!s.proc || s.proc.hasExited()) continue;
        const metrics = await (await s.request("/metrics")).text().catch(() => "");
        if (metrics.includes(`steward_cluster_duty_held{duty="scheduler",instance="${s.name}"} 1`)) return s;
      }
      return undefined;
    },
    { what: "a scheduler leader", timeoutMs: 15_000, intervalMs: 100 },
  );
}

test("three Stewards: each failed run mailed once, keys shared, a schedule fired once per occurrence", { timeout: 120_000 }, async () => {
  for (const name of ["node-a", "node-b", "node-c"]) await (await steward(name)).start();
  await control("PUT", "/udp/targets", udpPorts());
  const [a, b, c] = stewards as [Steward, Steward, Steward];

  // Failed runs: every datagram reaches all three; two of them are lost on the way (reconciliation finds them).
  const execs: string[] = [];
  for (const id of [IDS.reload, IDS.externalProgram, IDS.userSync]) execs.push(await failTask(id));
  await control("PATCH", "/udp", { dropNext: 2 });
  for (const id of [IDS.reload, IDS.externalProgram]) execs.push(await failTask(id));
  await expectOneMailEach(execs);

  // A key set through one is read through the others.
  const set = await a.request("/v4/keyvalues/chain", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: "runDate", value: "2026-11-22" }) });
  expect(set.status).toBe(201);
  for (const s of [b, c]) expect(await (await s.request("/v4/keyvalues/chain?key=runDate")).json()).toEqual({ namespace: "chain", key: "runDate", value: "2026-11-22" });

  // A schedule made through one Steward fires once per second, on whichever leads.
  const created = await c.request("/v4/schedules", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "every second", qlikSenseTaskId: IDS.preload, cronSchedule: "* * * * * *", timezone: "UTC" }),
  });
  expect(created.status).toBe(201);
  const scheduleId = ((await created.json()) as { id: string }).id;
  await waitFor(() => startsOf(IDS.preload).length >= 5, { what: "five fires", timeoutMs: 15_000 });
  const times = startsOf(IDS.preload).sort((x, y) => x - y);
  for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThan(300);

  // ── Chaos ── the leader is killed during fires and an alert burst; then PostgreSQL goes away for a while.
  const lead = await leader();
  const burst: string[] = [];
  for (const id of [IDS.reload, IDS.externalProgram, IDS.userSync]) burst.push(await failTask(id));
  await lead.kill();
  const killedAt = Date.now();
  for (const id of [IDS.reload, IDS.externalProgram]) burst.push(await failTask(id));
  const next = await leader();
  expect(next).not.toBe(lead);
  expect(Date.now() - killedAt).toBeLessThan(LEASE_MS + 3 * HEARTBEAT_MS + 5_000);
  await expectOneMailEach([...execs, ...burst]);

  await pg.halt();
  const haltedAt = Date.now();
  const during = [await failTask(IDS.userSync)];
  await Bun.sleep(3_000);
  await pg.resume();
  const resumedAt = Date.now();
  await expectOneMailEach([...execs, ...burst, ...during], 30_000);
  await Bun.sleep(2_000);

  // No occurrence started twice, through the kill and the outage: every start in QRS is one audited fire, cron
  // fires fall in distinct seconds, and the made-up fires (reason catch-up) are one per vacancy at most.
  const all = startsOf(IDS.preload).sort((x, y) => x - y);
  const audited = ((await (await next.request("/v4/audit?action=schedule.fire&limit=1000")).json()) as { entries: Array<{ details: { reason: string; firedAt: string } }> }).entries;
  // The killed leader may have started one fire it could not record any more.
  expect(all.length - audited.length).toBeGreaterThanOrEqual(0);
  expect(all.length - audited.length).toBeLessThanOrEqual(1);
  const cronSeconds = audited.filter((e) => e.details.reason === "cron").map((e) => Math.floor(Date.parse(e.details.firedAt) / 1000));
  expect(new Set(cronSeconds).size).toBe(cronSeconds.length);
  const catchUps = audited.filter((e) => e.details.reason === "catch-up").map((e) => Date.parse(e.details.firedAt));
  expect(catchUps.length).toBeLessThanOrEqual(2);
  // Two starts close together are a made-up fire and the next occurrence, never one occurrence twice.
  for (let i = 1; i < all.length; i++) {
    if (all[i]! - all[i - 1]! > 300) continue;
    expect(catchUps.some((t) => Math.abs(t - all[i - 1]!) < 200 || Math.abs(t - all[i]!) < 200)).toBe(true);
  }
  // Every second with a fire, except while nobody could lead (the kill's handover, the outage): those are made up
  // once or reported missed (catch-up rule), and the schedule says so.
  const seconds = new Set(all.map((t) => Math.floor(t / 1000)));
  const vacantFrom = [Math.floor(killedAt / 1000), Math.floor(haltedAt / 1000)];
  const vacantTo = [Math.floor((killedAt + LEASE_MS + 3 * HEARTBEAT_MS + 2_000) / 1000), Math.floor((resumedAt + LEASE_MS + 3 * HEARTBEAT_MS + 2_000) / 1000)];
  const lost = [];
  for (let sec = Math.floor(all[0]! / 1000); sec <= Math.floor(all[all.length - 1]! / 1000); sec++) {
    if (seconds.has(sec)) continue;
    if (vacantFrom.some((f, i) => sec >= f && sec <= vacantTo[i]!)) continue;
    lost.push(sec);
  }
  if (lost.length) {
    console.error(JSON.stringify({ killedAt: killedAt / 1000, haltedAt: haltedAt / 1000, resumedAt: resumedAt / 1000, lost, fires: all.map((t) => t / 1000) }));
    for (const s of stewards) console.error(`${s.name}:\n${s.proc?.output().split("\n").filter((l) => /cluster|lead|duty|schedule|store/i.test(l)).slice(-30).join("\n")}`);
  }
  expect(lost).toEqual([]);
  const schedule = ((await (await next.request(`/v4/schedules?id=${scheduleId}`)).json()) as Array<{ missed?: { count: number } }>)[0]!;
  expect(schedule.missed?.count ?? 0).toBeGreaterThan(0);
});
