// The Engine's lines check on two Stewards sharing one PostgreSQL store, every node's appenders sending to both (issue
// 77): both hear Reload01's Engine go quiet while its Scheduler reloads, both judge the reload, and the site hears one
// steward.degraded (the store's conditional write); both /ready name the node (the state is the store's); its lines
// again: one steward.recovered. One stepped clock.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { startSteppedMember } from "../../../helpers/stepped-cluster-member";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";
import { wallLimit } from "../../../helpers/time-limit";

const START = Date.parse("2026-03-24T06:00:00Z");
const TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const SITE = `
site: { name: Engine lines cluster, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Reload01, hostName: reload01.test.example }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { id: 0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11, name: Sales dashboard, owner: INTERNAL\\sa_scheduler, reload: { durationMs: 20000 } }
tasks:
  - { id: ${TASK}, name: Reload Sales dashboard, type: reload, app: Sales dashboard, node: Reload01, durationMs: 30000 }
`;

const dir = createTempDir("steward-engine-lines-cluster-");
let pg: PostgresService;
let site: SteppedSite;
let rx: HttpReceiver;
const stewards: Record<string, TestApp> = {};

beforeAll(async () => {
  pg = await startPostgres();
  rx = startHttpReceiver();
  const url = await pg.createDatabase("engine_lines_cluster");
  site = await startSteppedSite(dir.path, START, SITE);
  site.sim.settings.udp.engine = true;
  for (const name of ["alpha", "beta"])
    stewards[name] = await startSteppedMember(site.clock, url, name, dir.path, {
      yaml: `${qlikYaml(site.sim)}udp: { host: 127.0.0.1, port: 0 }
intake:
  reconcile: { enabled: false }
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [steward.degraded, steward.recovered], to: [hook] }
`,
    });
  const targets = Object.values(stewards).map((t) => ({ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port, t }));
  site.sim.settings.udp.targets = targets.map(({ host, port }) => ({ host, port }));
  for (const { host, port, t } of targets) {
    const key = `${host}:${port}`;
    const before = t.app.intake.counters.received.get() - site.sim.udp.sentTo(key);
    site.clock.addIdleProbe(`datagrams on their way to ${key}`, () => site.sim.udp.sentTo(key) + before <= t.app.intake.counters.received.get());
  }
}, 120_000);

afterAll(async () => {
  for (const s of Object.values(stewards)) await s.close().catch(() => {});
  await site?.sim.stop();
  await pg?.stop();
  await rx?.stop();
  dir.remove();
});

const posted = (kind: string) =>
  rx.requests
    .filter((r) => r.path === "/hook")
    .map((r) => JSON.parse(r.body) as { kind: string; data: Record<string, string> })
    .filter((e) => e.kind === kind);

async function run(): Promise<void> {
  expect(site.sim.tasks.start(TASK).started).toBe(true);
  await site.clock.runUntil(site.clock.now() + 7 * 60_000, { stallMs: wallLimit(10_000) });
}

async function engineLines(t: TestApp): Promise<{ ok: boolean; detail: string }> {
  const body = (await (await t.request("/ready")).json()) as { components: Record<string, { ok: boolean; detail: string }> };
  return body.components["engine-lines"]!;
}

test("both Stewards hear Reload01's Engine go quiet: one steward.degraded for the site, both /ready name the node", async () => {
  await run();
  expect(posted("steward.degraded")).toEqual([]);
  await simControl(site.sim, "PUT", "/udp/nodes/Reload01/engine", { sends: false });
  await site.clock.runUntil(site.clock.now() + 5 * 60_000);
  await run();
  await run();
  const degraded = posted("steward.degraded");
  expect(degraded).toHaveLength(1);
  expect(degraded[0]!.data.node).toBe("reload01.test.example");
  for (const t of Object.values(stewards)) expect(await engineLines(t)).toMatchObject({ ok: false, detail: expect.stringContaining("reload01.test.example") });
}, 120_000);

test("its lines again: one steward.recovered, both /ready clear", async () => {
  await simControl(site.sim, "PUT", "/udp/nodes/Reload01/engine", { sends: true });
  await run();
  expect(posted("steward.recovered").map((e) => e.data.node)).toEqual(["reload01.test.example"]);
  for (const t of Object.values(stewards)) expect((await engineLines(t)).ok).toBe(true);
  expect(posted("steward.degraded")).toHaveLength(1);
}, 120_000);
