// Issue 77, "Steward checks its own ears", on the simulator and a stepped clock shared with Steward. Both nodes' Engines
// have the reload appender (udp.engine); Reload01's Scheduler runs reloads throughout:
// - while its Engine's lines come, nothing is said;
// - its Engine's lines stop (the simulator's control API: PUT /udp/nodes/Reload01/engine {sends: false}): the next
//   Scheduler reload there with no Engine line makes the doctor and /ready (degraded, still 200) name the node, and one
//   steward.degraded names it with what to check; more reloads say nothing more; the other node is never named;
// - its lines come again: one steward.recovered names it, /ready and the doctor are clear, and it is not said twice.
// Before Steward checked its ears, the reloads went on with no Engine line and nothing said so.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { sendDatagramsTo, type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";
import { wallLimit } from "../../../helpers/time-limit";

const START = Date.parse("2026-03-24T06:00:00Z");
const SALES_TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const FINANCE_TASK = "4c1d2a6e-8f0b-4b7a-9d3e-2a5c6b7d8e9f";

const SITE = `
site: { name: Engine lines, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Reload01, hostName: reload01.test.example }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { id: 0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11, name: Sales dashboard, owner: INTERNAL\\sa_scheduler, reload: { durationMs: 20000 } }
  - { id: 210832b5-6174-4572-bd19-3e61eda675ef, name: Finance, owner: INTERNAL\\sa_scheduler, reload: { durationMs: 10000 } }
tasks:
  - { id: ${SALES_TASK}, name: Reload Sales dashboard, type: reload, app: Sales dashboard, node: Reload01, durationMs: 30000 }
  - { id: ${FINANCE_TASK}, name: Reload Finance, type: reload, app: Finance, node: Central, durationMs: 30000 }
`;

const dir = createTempDir("steward-engine-lines-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let rx: HttpReceiver;

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await rx?.stop();
});

beforeAll(async () => {
  rx = startHttpReceiver();
  s = await startSteppedSite(dir.path, START, SITE);
  const { sim, clock } = s;
  sim.settings.udp.engine = true;
  t = createTestApp(
    `${qlikYaml(sim)}intake:
  reconcile: { intervalSeconds: 3600, settleSeconds: 0 }
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [steward.degraded, steward.recovered], to: [hook] }
`,
    { clock, dir: `${dir.path}/steward` },
  );
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;
  sendDatagramsTo(s, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t!.app.intake.counters.received.get());
}, 60_000);

interface Posted {
  kind: string;
  title: string;
  summary: string;
  data: Record<string, string | null>;
}
const posted = (kind: string): Posted[] =>
  rx.requests
    .filter((r) => r.path === "/hook")
    .map((r) => JSON.parse(r.body) as Posted)
    .filter((e) => e.kind === kind);

/** Runs a task and lets simulated time pass `ms` (its run, its datagram, the wait for the Engine's lines). */
async function run(taskId: string, ms = 7 * 60_000): Promise<void> {
  expect(s!.sim.tasks.start(taskId).started).toBe(true);
  await s!.clock.runUntil(s!.clock.now() + ms, { stallMs: wallLimit(10_000) });
}

async function engineSends(node: string, sends: boolean): Promise<void> {
  const view = (await simControl(s!.sim, "PUT", `/udp/nodes/${node}/engine`, { sends })) as { nodes: Array<{ node: string; engineSends: boolean }> };
  expect(view.nodes.find((n) => n.node === node)?.engineSends).toBe(sends);
}

async function ready(): Promise<{ status: number; engineLines: { ok: boolean; required: boolean; detail: string } }> {
  const res = await t!.request("/ready");
  const body = (await res.json()) as { components: Record<string, { ok: boolean; required: boolean; detail: string }> };
  return { status: res.status, engineLines: body.components["engine-lines"]! };
}

async function doctorLine(): Promise<{ ok: boolean; detail: string; fix?: string }> {
  const res = await t!.request("/v4/doctor");
  expect(res.status).toBe(200);
  const { checks } = (await res.json()) as { checks: Array<{ check: string; ok: boolean; detail: string; fix?: string }> };
  return checks.find((c) => c.check === "engine lines")!;
}

test("while each node's Engine lines come, the Scheduler's reloads there raise nothing", async () => {
  await run(SALES_TASK);
  await run(FINANCE_TASK);
  expect(s!.sim.udp.recent().some((d) => d.prefix === "/engine-reload/" && d.node === "Reload01")).toBe(true);
  expect(posted("steward.degraded")).toEqual([]);
  const r = await ready();
  expect(r.status).toBe(200);
  expect(r.engineLines.ok).toBe(true);
  expect((await doctorLine()).ok).toBe(true);
}, 60_000);

test("Reload01's Engine stops sending while its Scheduler reloads: the doctor, /ready and one steward.degraded name the node", async () => {
  await engineSends("Reload01", false);
  await s!.clock.runUntil(s!.clock.now() + 5 * 60_000);
  const sentBefore = s!.sim.udp.recent().filter((d) => d.prefix === "/engine-reload/" && d.node === "Reload01").length;
  await run(SALES_TASK);
  // The Scheduler's datagram came; the Engine's lines did not.
  expect(s!.sim.udp.recent().filter((d) => d.prefix === "/engine-reload/" && d.node === "Reload01").length).toBe(sentBefore);
  const degraded = posted("steward.degraded");
  expect(degraded).toHaveLength(1);
  const e = degraded[0]!;
  expect(e.data.node).toBe("reload01.test.example");
  expect(e.data.task).toBe("Reload Sales dashboard");
  expect(e.title).toContain("Engine lines incomplete on reload01.test.example");
  for (const what of ["System.Engine", "AuditActivity.Engine", "Service.Engine", "Audit activity log level", "LocalLogConfig.xml", "--check"])
    expect(e.summary).toContain(what);
  // Degraded, not down: /ready still answers 200, with the part that is not right.
  const r = await ready();
  expect(r.status).toBe(200);
  expect(r.engineLines).toMatchObject({ ok: false, required: false });
  expect(r.engineLines.detail).toContain("Engine lines incomplete on reload01.test.example");
  const d = await doctorLine();
  expect(d.ok).toBe(false);
  expect(d.detail).toContain("reload01.test.example");
  expect(d.fix).toContain("AuditActivity.Engine");
  // More reloads on that node, and the other node's, say nothing more.
  await run(SALES_TASK);
  await run(FINANCE_TASK);
  expect(posted("steward.degraded")).toHaveLength(1);
  expect(posted("steward.degraded").some((x) => x.summary.includes("sense1"))).toBe(false);
  expect(posted("steward.recovered")).toEqual([]);
}, 120_000);

test("its lines come again: one steward.recovered names the node, and /ready and the doctor are clear", async () => {
  await engineSends("Reload01", true);
  await run(SALES_TASK);
  const recovered = posted("steward.recovered");
  expect(recovered).toHaveLength(1);
  expect(recovered[0]!.data.node).toBe("reload01.test.example");
  expect(recovered[0]!.title).toContain("hears the Engine of reload01.test.example again");
  expect((await ready()).engineLines.ok).toBe(true);
  expect((await doctorLine()).ok).toBe(true);
  await run(SALES_TASK);
  expect(posted("steward.recovered")).toHaveLength(1);
  expect(posted("steward.degraded")).toHaveLength(1);
}, 120_000);
