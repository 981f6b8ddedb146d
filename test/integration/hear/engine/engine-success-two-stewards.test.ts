// Issue 103's Engine hole across two Stewards on one PostgreSQL, on a stepped clock: a hub user's failed reload of an
// app, heard by node-a, opens the app's cause (one PagerDuty trigger). The Scheduler then really reloads the app (QRS's
// lastReloadTime moves to that run), and a forged Engine success line for the app reaches node-b: node-b confirms it
// only by the reload it names, never by another reload's time, so the site's cause stays open and PagerDuty resolves
// nothing. Before, QRS's lastReloadTime within a minute was taken as confirmation, on whichever Steward heard the line.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createSocket } from "node:dgram";
import { closeAll, type TestApp } from "../../../helpers/app";
import { reloadAsUser } from "../../../helpers/engine-user";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { startSteppedMember } from "../../../helpers/stepped-cluster-member";
import { type SteppedSite, sendDatagramsTo, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { qlikYaml } from "../../start/scheduler/sim-setup";

const START = Date.parse("2026-03-24T06:00:00Z");
const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const SALES_TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const ROUTING_KEY = "R0123456789abcdef0123456789abcde";
const SITE = `
site: { name: Engine successes on two Stewards, buildVersion: 34.12.3 }
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

const dir = createTempDir("steward-engine-two-");
let pg: PostgresService;
let s: SteppedSite | undefined;
let a: TestApp | undefined;
let b: TestApp | undefined;
let pd: OnCallReceiver<PagerDutyEvent>;

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase("engine_two");
  pd = startPagerDutyReceiver();
  s = await startSteppedSite(dir.path, START, SITE);
  const { sim, clock } = s;
  sim.settings.udp.engine = true;
  const yaml = `${qlikYaml(sim)}intake:
  reconcile: { intervalSeconds: 3600, settleSeconds: 0 }
channels:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue" }
routes:
  - { on: [app.reload_failed], to: [pd] }
`;
  await clock.runUntil(START);
  a = await startSteppedMember(clock, url, "node-a", dir.path, { yaml });
  b = await startSteppedMember(clock, url, "node-b", dir.path, { yaml });
  sendDatagramsTo(s, { host: "127.0.0.1", port: a.app.intake.udp!.address()!.port }, () => a!.app.intake.counters.received.get());
}, 120_000);
afterAll(async () => {
  await b?.close();
  await closeAll(a, s?.sim, dir);
  await pd?.stop();
  await pg?.stop();
});

/** The Engine's audit line of a successful reload of Sales, as a node's appender sends it, to node-b. */
async function forgeSuccessTo(t: TestApp, atMs: number, session: string): Promise<void> {
  const port = t.app.intake.udp!.address()!.port;
  const at = new Date(atMs).toISOString().replace(/[-:]/g, "").replace(".000Z", "+0000").replace("Z", "+0000");
  const line = `/engine-reload/;RELOAD01;${SALES};${session};CORP;bob;${at};INFO;4f1c2a9e-7d3b-4c55-8e21-9a0b6c3d2f10;AuditActivity.Engine;Command=Reload;Result=0;ResultText=Success`;
  const received = t.app.intake.counters.received.get();
  const sock = createSocket("udp4");
  await new Promise<void>((r, j) => sock.send(line, port, "127.0.0.1", (err) => (err ? j(err) : r())));
  sock.close();
  await waitFor(() => t.app.intake.counters.received.get() > received || undefined, { what: "the forged success line at node-b" });
}

async function causeOfSales(t: TestApp): Promise<string | undefined> {
  const list = (await (await t.request("/v4/causes?limit=50")).json()) as { causes: Array<{ status: string; title: string }> };
  return list.causes.find((c) => c.title.includes("Sales dashboard"))?.status;
}

test("node-a opens the app's cause; a forged success at node-b after the Scheduler's real reload ends nothing", async () => {
  const { sim, clock } = s!;
  const failed = reloadAsUser(sim, clock, { user: "CORP\\bob", appId: SALES, viaProxy: true, node: "Reload01" });
  await clock.runUntil(clock.now() + 60_000, { stallMs: 10_000 });
  expect(await failed).toBe(false);
  await waitFor(() => pd.accepted.length >= 1 || undefined, { what: "the page" });
  expect(await causeOfSales(b!)).toBe("open");

  expect(sim.tasks.start(SALES_TASK).started).toBe(true);
  await clock.runUntil(clock.now() + 30_000, { stallMs: 10_000 });
  expect(sim.tasks.isRunning(SALES_TASK)).toBe(false);
  await forgeSuccessTo(b!, clock.now(), "after-scheduler-session-b");
  await clock.runUntil(clock.now() + 60_000);
  for (const t of [a!, b!]) expect(await causeOfSales(t)).toBe("open");
  const rows = await b!.app.engineReloads!.store.list({ sinceMs: START, limit: 10, appId: SALES });
  expect(rows.find((r) => r.key.includes("after-scheduler-session-b"))).toMatchObject({ outcome: "succeeded", confirmed: false });
  expect(pd.accepted.map((r) => r.body.event_action)).toEqual(["trigger"]);
  expect(pd.rejected).toEqual([]);
}, 120_000);
