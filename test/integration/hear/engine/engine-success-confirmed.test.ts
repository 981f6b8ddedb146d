// Issue 84, point 6: an Engine line that would end a cause is confirmed with QRS first. A hub user's failed reload of a
// published app opens its cause and pages PagerDuty and Opsgenie (strict local receivers). Then one forged success
// line from a node's address, for that app, while QRS's lastReloadTime of the app has not moved: the cause stays open,
// nothing is resolved or closed, and the reload is listed as unconfirmed. Then the simulator really reloads the app
// (its lastReloadTime moves): the Engine's own success line ends the cause, and both alerts are resolved. Issue 103:
// a forged success just after a real Scheduler reload of the app (QRS's lastReloadTime is that run's) ends nothing.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createSocket } from "node:dgram";
import { join } from "node:path";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { reloadAsUser } from "../../../helpers/engine-user";
import { sendDatagramsTo, type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type OpsgenieRequest, startOpsgenieReceiver } from "../../../helpers/opsgenie-receiver";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";

const START = Date.parse("2026-03-24T06:00:00Z");
const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const ROUTING_KEY = "R0123456789abcdef0123456789abcde";
const SALES_TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";

const SITE = `
site: { name: Engine successes, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Reload01, hostName: reload01.test.example }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Developer }
  - { userDirectory: CORP, userId: bob, name: Bob Analyst }
streams: [{ name: Sales }]
apps:
  - { id: ${SALES}, name: Sales dashboard, owner: CORP\\anna, stream: Sales, lastReloadTime: "2026-03-23T02:00:00Z", reload: { outcome: fail, error: "Cannot open file", durationMs: 20000 } }
tasks:
  - { id: ${SALES_TASK}, name: Reload Sales dashboard, type: reload, app: Sales dashboard, node: Reload01, outcome: succeed, durationMs: 20000 }
`;

const dir = createTempDir("steward-engine-success-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let pd: OnCallReceiver<PagerDutyEvent>;
let og: OnCallReceiver<OpsgenieRequest>;

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await pd?.stop();
  await og?.stop();
});

beforeAll(async () => {
  pd = startPagerDutyReceiver();
  og = startOpsgenieReceiver("og-api-key");
  s = await startSteppedSite(dir.path, START, SITE);
  const { sim, clock } = s;
  sim.settings.udp.engine = true;
  t = createTestApp(
    `${qlikYaml(sim)}intake:
  reconcile: { intervalSeconds: 3600, settleSeconds: 0 }
channels:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue" }
  og: { type: opsgenie, apiKey: og-api-key, url: "${og.url}" }
routes:
  - { on: [app.reload_failed], to: [pd, og] }
`,
    { clock, dir: join(dir.path, "steward") },
  );
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;
  sendDatagramsTo(s, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t!.app.intake.counters.received.get());
}, 60_000);

/** Runs `work` while simulated time passes `ms`; resolves with its answer. */
async function during<T>(work: Promise<T>, ms: number): Promise<T> {
  await s!.clock.runUntil(s!.clock.now() + ms, { stallMs: 10_000 });
  return work;
}

/** The Engine's audit line of a successful reload, as the node's appender sends it, from the node's address. */
async function forgeSuccess(atMs = s!.clock.now(), session = "forged-session"): Promise<void> {
  const port = t!.app.intake.udp!.address()!.port;
  const at = new Date(atMs).toISOString().replace(/[-:]/g, "").replace(".000Z", "+0000").replace("Z", "+0000");
  const line = `/engine-reload/;RELOAD01;${SALES};${session};CORP;bob;${at};INFO;4f1c2a9e-7d3b-4c55-8e21-9a0b6c3d2f10;AuditActivity.Engine;Command=Reload;Result=0;ResultText=Success`;
  const received = t!.app.intake.counters.received.get();
  const sock = createSocket("udp4");
  await new Promise<void>((r, j) => sock.send(line, port, "127.0.0.1", (err) => (err ? j(err) : r())));
  sock.close();
  await waitFor(() => t!.app.intake.counters.received.get() > received, { what: "the forged success line" });
}

/** The app's cause as GET /v4/causes lists it. */
async function causeOfSales(): Promise<{ status: string; title: string } | undefined> {
  const list = (await (await t!.request("/v4/causes?limit=50")).json()) as { causes: Array<{ status: string; title: string }> };
  return list.causes.find((c) => c.title.includes("Sales dashboard"));
}
/** The app's reload incident as GET /v4/incidents lists it (issue 84: a failed hub reload is an incident). */
async function incidentOfSales(status: "open" | "closed"): Promise<Array<{ title: string; failures: number }>> {
  const list = (await (await t!.request(`/v4/incidents?status=${status}`)).json()) as { incidents: Array<{ title: string; failures: number }> };
  return list.incidents.filter((i) => i.title.includes("Sales dashboard"));
}
const pdActions = () => pd.accepted.map((r) => r.body.event_action);
const ogOps = () => og.accepted.map((r) => r.body.op);

test("a hub user's failed reload opens the app's cause: one PagerDuty trigger, one Opsgenie create", async () => {
  const { sim, clock } = s!;
  expect(await during(reloadAsUser(sim, clock, { user: "CORP\\bob", appId: SALES, viaProxy: true, node: "Reload01" }), 60_000)).toBe(false);
  await waitFor(() => pd.accepted.length >= 1 && og.accepted.length >= 1, { what: "the page on both products" });
  expect(pdActions()).toEqual(["trigger"]);
  expect(ogOps()).toEqual(["create"]);
  expect((await causeOfSales())?.status).toBe("open");
  expect(await incidentOfSales("open")).toMatchObject([
    { title: "Reload of Sales dashboard failed outside the Scheduler", failures: 1, cause: { id: expect.any(Number) } },
  ]);
}, 60_000);

test("a forged success line from a node's address, QRS's lastReloadTime unmoved: the cause stays open, nothing resolved, listed unconfirmed", async () => {
  await forgeSuccess();
  await s!.clock.runUntil(s!.clock.now() + 60_000);
  const [row] = await t!.app.engineReloads!.store.list({ sinceMs: START, limit: 1, appId: SALES });
  expect(row).toMatchObject({ outcome: "succeeded", confirmed: false });
  expect(row!.reason).toContain("did not move");
  // Shown as what it is: the API's list and the dashboard mark it unconfirmed.
  const list = (await (await t!.request(`/v4/engine-reloads?sinceHours=24&appId=${SALES}`)).json()) as {
    reloads: Array<{ outcome: string; unconfirmed: boolean; reason: string }>;
  };
  expect(list.reloads.map((r) => [r.outcome, r.unconfirmed])).toEqual([
    ["succeeded", true],
    ["failed", false],
  ]);
  expect(await (await t!.request("/ui/reloads")).text()).toContain("unconfirmed");
  // A line dated at the app's last real reload (the hub shows when that was), a day before the failure: QRS's
  // lastReloadTime matches it, but it is no reload of now (a replayed or forged line), and it ends nothing either.
  await forgeSuccess(Date.parse("2026-03-23T02:00:00Z"), "replayed-session");
  await s!.clock.runUntil(s!.clock.now() + 60_000);
  const replayed = await t!.app.engineReloads!.store.list({ sinceMs: START - 86_400_000 * 2, limit: 10, appId: SALES });
  expect(replayed.find((r) => r.key.includes("replayed-session"))).toMatchObject({ outcome: "succeeded", confirmed: false });
  expect((await causeOfSales())?.status).toBe("open");
  // The morning report counts what the cause holds (its failed reload, not "0 failed runs") and marks the success.
  const report = (await (await t!.request("/v4/report")).json()) as { sections: Array<{ title: string; lines: Array<{ text: string }> }> };
  const lines = (title: string) => report.sections.find((x) => x.title === title)?.lines.map((l) => l.text) ?? [];
  expect(lines("Failures by cause")).toEqual(["Reloads of Sales dashboard failing outside the Scheduler (1 failed reload, still open)"]);
  expect(lines("Reloads outside the Scheduler")[0]).toEndWith("succeeded (unconfirmed by QRS: not fresh data)");
  expect((await causeOfSales())?.status).toBe("open");
  expect(await incidentOfSales("open")).toHaveLength(1);
  expect(pdActions()).toEqual(["trigger"]);
  expect(ogOps()).toEqual(["create"]);
  expect(pd.alerts.filter((a) => a.status !== "resolved")).toHaveLength(1);
  expect(pd.rejected).toEqual([]);
  expect(og.rejected).toEqual([]);
}, 60_000);

test("a forged success just after the Scheduler's real reload of the app: QRS's lastReloadTime is that run's, the cause stays open", async () => {
  const { sim, clock } = s!;
  expect(sim.tasks.start(SALES_TASK).started).toBe(true);
  await clock.runUntil(clock.now() + 30_000, { stallMs: 10_000 });
  expect(sim.tasks.isRunning(SALES_TASK)).toBe(false);
  await forgeSuccess(clock.now(), "after-scheduler-session");
  await clock.runUntil(clock.now() + 60_000);
  const rows = await t!.app.engineReloads!.store.list({ sinceMs: START, limit: 10, appId: SALES });
  const forged = rows.find((r) => r.key.includes("after-scheduler-session"));
  expect(forged).toMatchObject({ outcome: "succeeded", confirmed: false });
  expect(forged!.reason).toContain("is the Scheduler's run");
  expect((await causeOfSales())?.status).toBe("open");
  expect(await incidentOfSales("open")).toHaveLength(1);
  expect(pdActions()).toEqual(["trigger"]);
  expect(ogOps()).toEqual(["create"]);
  // The next real reload outside the Scheduler is minutes after the Scheduler's: its own time confirms it.
  await clock.runUntil(clock.now() + 120_000);
}, 60_000);

test("the simulator really reloads the app (QRS's lastReloadTime moves): the Engine's success line ends the cause, both alerts resolved", async () => {
  const { sim, clock } = s!;
  sim.repo.findApp(SALES)!.model.reload.outcome = "succeed";
  expect(await during(reloadAsUser(sim, clock, { user: "CORP\\bob", appId: SALES, viaProxy: true, node: "Reload01" }), 60_000)).toBe(true);
  await waitFor(() => pd.accepted.length >= 2 && og.accepted.length >= 2, { what: "the recovery on both products" });
  expect(pdActions()).toEqual(["trigger", "resolve"]);
  expect(ogOps()).toEqual(["create", "close"]);
  expect((await causeOfSales())?.status).toBe("closed");
  expect(await incidentOfSales("open")).toEqual([]);
  expect(await incidentOfSales("closed")).toHaveLength(1);
  const [row] = await t!.app.engineReloads!.store.list({ sinceMs: START, limit: 1, appId: SALES });
  expect(row).toMatchObject({ outcome: "succeeded", confirmed: true });
  expect(pd.rejected).toEqual([]);
  expect(og.rejected).toEqual([]);
}, 60_000);
