// Issue 67's first done-when, on the simulator and a stepped clock shared with Steward. The simulator's nodes have the
// Engine's reload appender (udp.engine) and write their script logs to a folder Steward reads (scriptLogDirs):
// - a hub user's reload of a published app fails: one alert on the route, within seconds of the reload's end, naming
//   the user, the app, the node and the failing lines (and the script log's error line);
// - the same app's Scheduler run fails: its task.failed is the one alert; the Engine's lines about that reload (run as
//   the Scheduler's account) raise nothing more;
// - a developer's editor reload of an unpublished app fails: nothing, by default (listed, with the reason);
// - an integration's reload through the Engine API (a service account) of that unpublished app fails: alerted;
// - a successful hub reload of a published app is fresh data for its freshness promise.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createSocket } from "node:dgram";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { createLogger } from "../../../../src/platform/core/logger";
import { createSecretRegistry } from "../../../../src/platform/core/redaction";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { reloadAsUser } from "../../../helpers/engine-user";
import { sendDatagramsTo, type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { siteDataInside, siteDataOutside, unmarkSiteData } from "../../../helpers/site-data";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";
import { wallLimit } from "../../../helpers/time-limit";

const START = Date.parse("2026-03-24T06:00:00Z");
const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const SANDBOX = "5d7ae888-61cd-4539-97b2-6cf5baaa6f9d";
const FINANCE = "210832b5-6174-4572-bd19-3e61eda675ef";
const SALES_TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const ERROR = "Cannot open file: 'lib://Data/orders.qvd'";

const SITE = `
site: { name: Engine reloads, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Reload01, hostName: reload01.test.example }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Developer, email: anna@corp.example }
  - { userDirectory: CORP, userId: bob, name: Bob Analyst }
  - { userDirectory: CORP, userId: svc_etl, name: ETL service }
streams: [{ name: Sales }]
apps:
  - { id: ${SALES}, name: Sales dashboard, owner: CORP\\anna, stream: Sales, reload: { outcome: fail, error: "${ERROR}", durationMs: 20000 } }
  - { id: ${SANDBOX}, name: Sandbox, owner: CORP\\anna, reload: { outcome: fail, error: "Field 'x' not found", durationMs: 5000 } }
  - { id: ${FINANCE}, name: Finance, owner: CORP\\anna, stream: Sales, reload: { durationMs: 10000 }, expressions: { "Sum(Amount)": 2500000 } }
tasks:
  - { id: ${SALES_TASK}, name: Reload Sales dashboard, type: reload, app: Sales dashboard, node: Reload01, outcome: fail, scriptError: "${ERROR}", durationMs: 30000 }
`;

const KEY = generateApiKey();
const logLines: Array<Record<string, unknown>> = [];
const log = createLogger({ level: "info", format: "json", secrets: createSecretRegistry(), write: (l) => void logLines.push(JSON.parse(l)) });
const dir = createTempDir("steward-engine-reloads-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let rx: HttpReceiver;
const events: TaskEvent[] = [];

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await rx?.stop();
});

beforeAll(async () => {
  rx = startHttpReceiver();
  s = await startSteppedSite(dir.path, START, SITE);
  const { sim, clock } = s;
  const logs = join(dir.path, "script-logs");
  sim.settings.udp.engine = true;
  sim.settings.scriptLog.dir = logs;
  t = createTestApp(
    `${qlikYaml(sim)}intake:
  reconcile: { intervalSeconds: 3600, settleSeconds: 0 }
engineReloads:
  serviceAccounts: ["INTERNAL\\\\*", "CORP\\\\svc_*"]
  scriptLogDirs: { "*": ${JSON.stringify(logs)} }
dataChecks:
  checks:
    - { name: revenue-range, expression: "Sum(Amount)", expect: "between 1e5 and 1e8", apps: [Finance] }
freshness:
  interval: 1m
  promises:
    finance: { appNames: [Finance], maxAge: 1d }
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [app.reload_failed, task.failed], to: [hook] }
security:
  apiKeys:
    - { name: key-read, hash: "${hashApiKey(KEY)}", scopes: [read] }
mcp: { enabled: true }
`,
    { clock, dir: join(dir.path, "steward"), log },
  );
  for (const k of ["app.reload_failed", "app.reload_succeeded", "task.failed"] as const) t.app.bus.on(k, (e) => void events.push(e as TaskEvent));
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;
  sendDatagramsTo(s, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t!.app.intake.counters.received.get());
}, 60_000);

/** Runs `work` (a reload) while simulated time passes `ms`; resolves with its answer. */
async function during<T>(work: Promise<T>, ms: number): Promise<T> {
  await s!.clock.runUntil(s!.clock.now() + ms, { stallMs: wallLimit(10_000) });
  return work;
}

const posts = () =>
  rx.requests
    .filter((r) => r.path === "/hook")
    .map(
      (r) =>
        JSON.parse(r.body) as {
          kind: string;
          user: string;
          appName: string;
          hostName: string;
          logMessage: string;
          scriptLog?: { errors: Array<{ text: string }> };
        },
    );

test("a hub user's failed reload of a published app: one alert within seconds, with the user, the app, the node and the failing lines", async () => {
  const { sim, clock } = s!;
  const ok = await during(reloadAsUser(sim, clock, { user: "CORP\\bob", appId: SALES, viaProxy: true, node: "Reload01" }), 60_000);
  expect(ok).toBe(false);
  const end = sim.engine.reloads.find((r) => r.appId === SALES)!.stopMs!;
  const failed = events.filter((e) => e.kind === "app.reload_failed");
  expect(failed).toHaveLength(1);
  const e = failed[0]!;
  // The tracker waits engineReloads.settle (5 s) for the reload's other lines, then QRS is read.
  expect(Date.parse(e.receivedAt) - end).toBeLessThanOrEqual(10_000);
  expect(e).toMatchObject({
    source: "engine",
    user: "CORP\\bob",
    host: "reload01.test.example",
    app: { id: SALES, name: "Sales dashboard", stream: "Sales", published: true },
  });
  expect(e.app?.owner?.emails).toEqual(["anna@corp.example"]);
  expect(e.logMessage).toContain(ERROR);
  expect(e.execution?.details.map((d) => d.message).join("\n")).toContain("through the Qlik Proxy");
  expect(e.scriptLog?.failureCount).toBeGreaterThan(0);
  const hook = posts();
  expect(hook).toHaveLength(1);
  expect(hook[0]).toMatchObject({ kind: "app.reload_failed", user: "CORP\\bob", appName: "Sales dashboard", hostName: "reload01.test.example" });
  expect(hook[0]!.logMessage).toContain(ERROR);
  expect(hook[0]!.scriptLog?.errors.map((l) => l.text).join("\n")).toContain(ERROR);
}, 60_000);

test("the same app's Scheduler run fails: its task.failed is the only alert", async () => {
  const { sim } = s!;
  const before = posts().length;
  expect(sim.tasks.start(SALES_TASK).started).toBe(true);
  await during(Promise.resolve(), 3 * 60_000);
  // The Engine's lines about that reload did reach Steward, as the Scheduler's account.
  const heard = await t!.app.engineReloads!.store.list({ sinceMs: START, limit: 50 });
  expect(heard.filter((h) => h.appId === SALES)).toHaveLength(1); // the hub reload only: the Scheduler's is not listed
  expect(sim.udp.recent().filter((d) => d.prefix === "/engine-reload/" && d.text.includes("sa_scheduler")).length).toBeGreaterThan(0);
  const after = posts().slice(before);
  expect(after.map((p) => p.kind)).toEqual(["task.failed"]);
  expect(events.filter((e) => e.kind === "app.reload_failed")).toHaveLength(1);
}, 60_000);

test("a developer's editor reload of an unpublished app fails: no alert, listed with the reason", async () => {
  const { sim, clock } = s!;
  const before = posts().length;
  expect(await during(reloadAsUser(sim, clock, { user: "CORP\\anna", appId: SANDBOX, viaProxy: true }), 60_000)).toBe(false);
  expect(posts().length).toBe(before);
  const [row] = await t!.app.engineReloads!.store.list({ sinceMs: START, limit: 1, appId: SANDBOX });
  expect(row).toMatchObject({ user: "CORP\\anna", outcome: "failed", alerted: false, published: false, node: "sense1.test.example" });
  expect(row!.reason).toContain("developer");
}, 60_000);

test("an integration's reload of that app through the Engine API fails: alerted (a service account)", async () => {
  const { sim, clock } = s!;
  const before = posts().length;
  expect(await during(reloadAsUser(sim, clock, { user: "CORP\\svc_etl", appId: SANDBOX, ex: true }), 60_000)).toBe(false);
  const after = posts().slice(before);
  expect(after.map((p) => [p.kind, p.user, p.appName])).toEqual([["app.reload_failed", "CORP\\svc_etl", "Sandbox"]]);
  const e = events.filter((x) => x.kind === "app.reload_failed").at(-1)!;
  expect(e.execution?.details.map((d) => d.message).join("\n")).toContain("through the Engine API");
}, 60_000);

test("a successful hub reload of a published app is fresh data for its freshness promise, and its data checks run", async () => {
  const { sim, clock } = s!;
  expect(await during(reloadAsUser(sim, clock, { user: "CORP\\bob", appId: FINANCE, viaProxy: true }), 60_000)).toBe(true);
  const end = sim.engine.reloads.find((r) => r.appId === FINANCE)!.stopMs!;
  const ok = events.filter((e) => e.kind === "app.reload_succeeded");
  expect(ok).toHaveLength(1);
  expect(ok[0]!.unconfirmed).toBeUndefined();
  const finance = (await t!.app.freshness!.store.apps()).find((a) => a.appId === FINANCE);
  expect(finance?.lastSuccessMs).toBe(end);
  // Not a page: the route takes failures only.
  expect(posts().some((p) => p.appName === "Finance")).toBe(false);
  // The data people read changed: the app's checks ran after it, as after a reload task.
  const res = await t!.request("/v4/data-checks", { headers: { "x-api-key": KEY } });
  const { apps } = (await res.json()) as {
    apps: Array<{ appName: string; lastRun: { reload: { kind: string; at: string }; task: unknown; verdict: string } }>;
  };
  expect(apps.map((a) => [a.appName, a.lastRun.reload.kind, a.lastRun.reload.at, a.lastRun.task, a.lastRun.verdict])).toEqual([
    ["Finance", "engine", new Date(end).toISOString(), null, "passed"],
  ]);
}, 60_000);

test("the dashboard, the morning report and the assistant answer who reloaded what outside the schedule", async () => {
  const base = t!.app.server!.url().replace(/\/$/, "");
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { "x-api-key": KEY } });
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return res;
  };
  type View = { reloads: Array<{ app: { name: string | null }; user: string; node: string; outcome: string; alerted: boolean; failingLines: string[] }> };
  const list = (await (await get("/v4/engine-reloads?sinceHours=24&limit=50")).json()) as View;
  expect(list.reloads.map((r) => [r.app.name, r.user, r.node, r.outcome, r.alerted])).toEqual([
    ["Finance", "CORP\\bob", "sense1.test.example", "succeeded", false],
    ["Sandbox", "CORP\\svc_etl", "sense1.test.example", "failed", true],
    ["Sandbox", "CORP\\anna", "sense1.test.example", "failed", false],
    ["Sales dashboard", "CORP\\bob", "reload01.test.example", "failed", true],
  ]);
  expect(list.reloads[3]!.failingLines.join("\n")).toContain(ERROR);
  const page = await (await get("/ui/reloads")).text();
  expect(page.match(/<tr data-app=/g)).toHaveLength(4);
  expect(page).toContain("CORP\\anna");
  const report = (await (await get("/v4/report")).json()) as { sections: Array<{ title: string; lines: Array<{ text: string }> }> };
  const section = report.sections.find((x) => x.title === "Reloads outside the Scheduler")!;
  expect(section.lines.map((l) => l.text.replace(/^[^:]+:\d\d(:\d\d)?[^:]*: /, ""))).toEqual([
    "Finance by CORP\\bob on sense1.test.example: succeeded",
    "Sandbox by CORP\\svc_etl on sense1.test.example: failed (alerted)",
    "Sandbox by CORP\\anna on sense1.test.example: failed (not alerted)",
    "Sales dashboard by CORP\\bob on reload01.test.example: failed (alerted)",
  ]);
  const client = new Client({ name: "steward-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { "x-api-key": KEY } } }));
  try {
    const r = (await client.callTool({ name: "reloads_outside_schedule", arguments: { sinceHours: 24, limit: 50 } })) as unknown as { structuredContent: View };
    // The app, user, node and lines as the site wrote them, marked as its data (issue 75, M1): the REST list unmarked.
    expect(unmarkSiteData(r.structuredContent)).toEqual(list);
    expect(siteDataInside(r.structuredContent)).toContain("CORP\\anna");
    expect(siteDataOutside(r.structuredContent)).not.toContain("CORP\\anna");
  } finally {
    await client.close();
  }
}, 60_000);

test("forged lines from an allowed address: an app QRS does not know, a node the site does not have, a user QRS does not list; ignored and counted", async () => {
  const port = t!.app.intake.udp!.address()!.port;
  const received = t!.app.intake.counters.received.get();
  const at = new Date(s!.clock.now()).toISOString().replace(/[-:]/g, "").replace("Z", "+0000");
  const forged = [
    `/engine-reload/;SENSE1;11111111-2222-4333-8444-555555555555;x;CORP;mallory;${at};ERROR;0;Service.Engine;Reload failed: pay me`,
    `/engine-reload/;EVILNODE;${SALES};y;CORP;mallory;${at};ERROR;0;Service.Engine;Reload failed: pay me`,
    // The whole host name is the node's: sense1.evil.example is not sense1.test.example (issue 75, E1b).
    `/engine-reload/;sense1.evil.example;${SALES};z;CORP;bob;${at};ERROR;0;Service.Engine;Reload failed: pay me`,
    // A real app on a real node, by a user QRS does not list.
    `/engine-reload/;SENSE1;${SALES};w;CORP;mallory;${at};ERROR;0;Service.Engine;Reload failed: pay me`,
  ];
  const sock = createSocket("udp4");
  for (const f of forged) await new Promise<void>((r, j) => sock.send(f, port, "127.0.0.1", (err) => (err ? j(err) : r())));
  sock.close();
  await waitFor(() => t!.app.intake.counters.received.get() >= received + 4, { what: "the forged datagrams" });
  const before = posts().length;
  await s!.clock.runUntil(s!.clock.now() + 30_000);
  expect(posts().length).toBe(before);
  const metrics = await (await fetch(`${t!.app.server!.url().replace(/\/$/, "")}/metrics`, { headers: { "x-api-key": KEY } })).text();
  expect(metrics).toMatch(/steward_engine_reloads_total\{outcome="failed",verdict="unknown"\} 4/);
}, 60_000);

test("30 forged failure lines of one app in a moment are one page; 100 more are dropped past the bucket, said in one line", async () => {
  const port = t!.app.intake.udp!.address()!.port;
  const at = new Date(s!.clock.now()).toISOString().replace(/[-:]/g, "").replace("Z", "+0000");
  const line = (i: number) => `/engine-reload/;SENSE1;${FINANCE};flood-${i};CORP;bob;${at};ERROR;0;Service.Engine;Reload failed: flood ${i}`;
  const send = async (from: number, n: number) => {
    const received = t!.app.intake.counters.received.get();
    const sock = createSocket("udp4");
    for (let i = from; i < from + n; i++) await new Promise<void>((r, j) => sock.send(line(i), port, "127.0.0.1", (err) => (err ? j(err) : r())));
    sock.close();
    await waitFor(() => t!.app.intake.counters.received.get() >= received + n, { what: `${n} forged lines` });
  };
  const failedPages = () => posts().filter((p) => p.kind === "app.reload_failed").length;
  const before = failedPages();
  await send(0, 30);
  await s!.clock.runUntil(s!.clock.now() + 30_000);
  // One cause (Finance has not failed before): the first is its page, the next are listed there (and beyond the app's
  // page budget only listed).
  expect(failedPages()).toBe(before + 1);
  // The node as QRS lists it, not as the line spelled it; the user with the name QRS has for them.
  const page = posts()
    .filter((p) => p.kind === "app.reload_failed")
    .at(-1)!;
  expect(page.hostName).toBe("sense1.test.example");
  expect(events.filter((e) => e.app?.id === FINANCE && e.kind === "app.reload_failed").at(-1)!.execution!.details![0]!.message).toContain(
    "by Bob Analyst (CORP\\bob)",
  );
  const dropsSaid = () => logLines.filter((l) => String(l.msg).startsWith("dropped ")).length;
  await send(100, 100);
  await s!.clock.runUntil(s!.clock.now() + 30_000);
  expect(failedPages()).toBe(before + 1);
  expect(dropsSaid()).toBe(1);
  const metrics = await (await fetch(`${t!.app.server!.url().replace(/\/$/, "")}/metrics`, { headers: { "x-api-key": KEY } })).text();
  expect(metrics).toMatch(/steward_engine_reloads_total\{outcome="failed",verdict="dropped"\} \d+/);
}, 60_000);
