// Qlik Talend Cloud data tasks as upstream sources, against the simulated tenant on the stepped clock Steward shares:
// a data task that fails is one cause paged at the failure, naming the apps its datasets feed (through the tenant's
// on-dataset-updated tasks) and the freshness promise on one of them; the run that completes after it ends the cause
// with one follow-up. A key that may not read data projects leaves the reloads watched and says why.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { SiteEvent } from "../../../../src/platform/events/types";
import { cloudConfigYaml, stewardFromFile } from "../../../helpers/cloud-config-file";
import { launchChromium } from "../../show/dashboard/chromium";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedCloud, startSteppedCloud } from "../../../helpers/stepped-cloud";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

const START = Date.parse("2026-05-04T08:00:00Z");
const MINUTE = 60_000;
const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: CORP, userId: anna }]
apps: [{ name: Sales, owner: CORP\\anna }, { name: Stock, owner: CORP\\anna }, { name: Model, owner: CORP\\anna }]
`;

const dir = createTempDir();
let cloud: SteppedCloud;
beforeAll(async () => {
  cloud = await startSteppedCloud(dir.path, START, SITE, { schedules: false });
  const apps = Object.fromEntries(((await simControl(cloud.sim, "GET", "/apps")) as Array<{ id: string; name: string }>).map((a) => [a.name, a.id]));
  const task = (name: string, app: string, datasetId: string) =>
    simControl(cloud.sim, "POST", "/cloud/tasks", { name, appId: apps[app], trigger: { type: "dataset", datasetId } });
  await task("Reload Sales on ORDERS", "Sales", "ds-orders");
  await task("Reload Stock on CUSTOMERS", "Stock", "ds-customers");
  await task("Reload Model on PRODUCTS", "Model", "ds-products");
  const project = (await simControl(cloud.sim, "POST", "/cloud/di-projects", { name: "Sales pipeline" })) as { id: string };
  await simControl(cloud.sim, "POST", `/cloud/di-projects/${project.id}/di-tasks`, {
    id: "dt-crm",
    name: "CRM to QVD",
    datasets: [
      { datasetId: "ds-orders", name: "ORDERS" },
      { datasetId: "ds-customers", name: "CUSTOMERS" },
    ],
  });
  await simControl(cloud.sim, "POST", `/cloud/di-projects/${project.id}/di-tasks`, {
    id: "dt-products",
    name: "Products to QVD",
    datasets: [{ datasetId: "ds-products", name: "PRODUCTS" }],
  });
}, 120_000);
afterAll(async () => {
  await cloud?.sim.stop();
  dir.remove();
});

function steward(name: string, hookPort: number) {
  const yaml = cloudConfigYaml(cloud.sim, {
    name: "corp",
    settings: { pollInterval: "30s", lookBack: "1h", dataTasks: "{ interval: 30s }" },
    rest: `freshness:
  interval: 30s
  promises:
    sales-noon:
      appNames: [Sales]
      freshBy: "12:00"
      warnAt: "11:30"
      timeZone: UTC
    sales-hourly:
      appNames: [Sales]
      maxAge: 10m
channels:
  hook: { type: webhook, url: "http://127.0.0.1:${hookPort}/hook" }
routes:
  - { name: data, on: [cloud.datatask.failed, cloud.datatask.recovered, app.freshness_breached, app.freshness_recovered], to: [hook] }
`,
  });
  return stewardFromFile(join(dir.path, name), yaml, cloud.clock);
}

test("a failed data task pages one cause at the failure naming the apps that will be stale and the promise at risk; its recovery ends it", async () => {
  const { clock } = cloud;
  const received: Array<{ kind: string; summary: string; cause?: { status: string; apps: string[]; promisesAtRisk?: string[] } }> = [];
  const hook = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => {
      const body = (await req.json()) as { kind: string; summary: string; stewardEvent: { cause?: (typeof received)[number]["cause"] } };
      received.push({ kind: body.kind, summary: body.summary, ...(body.stewardEvent.cause ? { cause: body.stewardEvent.cause } : {}) });
      return new Response("ok");
    },
  });
  // Sales reloaded once at the start: the promise knows it (a Cloud app is known from its reloads).
  const sales = ((await simControl(cloud.sim, "GET", "/apps")) as Array<{ id: string; name: string }>).find((a) => a.name === "Sales")!;
  await simControl(cloud.sim, "POST", "/cloud/reloads", { appId: sales.id, outcome: "succeed" });
  const { app, request } = steward("steward", Number(hook.port));
  const seen: SiteEvent[] = [];
  for (const k of ["cloud.datatask.failed", "cloud.datatask.recovered"] as const) app.bus.on(k, (e) => void seen.push(e as SiteEvent));
  const get = (path: string) => request(path).then((r) => r.json() as Promise<any>);
  await app.start();
  try {
    await clock.runUntil(START + 2 * MINUTE);
    // Never-run and unfailed data tasks raise nothing.
    expect(seen).toEqual([]);
    const failedAt = clock.now();
    cloud.sim.cloud!.dataIntegration.run("dt-crm", "failed", "ORA-12541: TNS:no listener");
    await clock.runUntil(failedAt + 2 * MINUTE);
    expect(seen.map((e) => e.kind)).toEqual(["cloud.datatask.failed"]);
    const failed = seen[0]!;
    // Announced at the failure (the next look), not at the promise's 11:30 warning.
    expect(Date.parse(failed.receivedAt) - failedAt).toBeLessThanOrEqual(MINUTE);
    expect(failed.summary).toContain("ORA-12541");
    expect(failed.data.apps).toContain("Sales");
    expect(failed.data.apps).toContain("Stock");
    expect(failed.data.apps).not.toContain("Model");

    await waitFor(() => received.length >= 1, { timeoutMs: 10_000 });
    const page = received[0]!;
    expect(page.kind).toBe("cloud.datatask.failed");
    expect(page.cause?.status).toBe("open");
    expect([...(page.cause?.apps ?? [])].sort()).toEqual(["Sales", "Stock"]);
    expect(page.cause?.promisesAtRisk?.join(" ")).toContain("sales-noon");

    const open = (await get("/v4/causes?status=open")).causes as Array<{ id: number; title: string }>;
    const cause = open.find((c) => c.title === "CRM to QVD failed: the apps its datasets feed will be stale")!;
    expect(cause).toBeDefined();
    // The failure is an incident (GET /v4/incidents), listed under its cause on the dashboard's Incidents page
    // (GET /v4/incidents/by-cause).
    type Incident = { id: number; subject: string; title: string; status: string; failures: number; lastSummary: string; closedSummary: string | null };
    const dataTaskIncidents = async (status: string) =>
      ((await get(`/v4/incidents?status=${status}`)).incidents as Incident[]).filter((i) => i.subject === "datatask:corp:dt-crm");
    const incident = (await dataTaskIncidents("open"))[0]!;
    expect(incident).toMatchObject({ title: "Qlik Talend Cloud: data task CRM to QVD failed", status: "open", failures: 1 });
    expect(incident.lastSummary).toContain("ORA-12541");
    const byCause = (await get("/v4/incidents/by-cause")).causes as Array<{ cause: { id: number } | null; incidents: Incident[] }>;
    expect(byCause.find((g) => g.cause?.id === cause.id)?.incidents.map((i) => i.id)).toContain(incident.id);
    // The dashboard's Incidents page lists it under the data task's cause.
    const browser = await launchChromium();
    try {
      await browser.page.goto(`${app.server!.url()}/ui/incidents`);
      const row = `tbody[data-group="cause-${cause.id}"] tr[data-incident="${incident.id}"]`;
      expect(await browser.page.textContent(row)).toContain("data task CRM to QVD failed");
    } finally {
      await browser.close();
    }
    // A further look at the same failed run says nothing again; the promise "never older than 10 min" on Sales is
    // breached meanwhile: the breach joins the data task's cause, not paged.
    await clock.runUntil(failedAt + 14 * MINUTE);
    expect(seen.map((e) => e.kind)).toEqual(["cloud.datatask.failed"]);
    const held = (await get(`/v4/causes/${cause.id}`)).symptoms.map((x: { kind: string; app: string | null }) => `${x.kind} ${x.app ?? ""}`.trim());
    expect(held).toContain("app.freshness_breached Sales");
    expect(received.map((r) => r.kind)).toEqual(["cloud.datatask.failed"]);
    // While it stays failed, each look reads its state only: its datasets were read once, at the failure.
    const reads = (await simControl(cloud.sim, "GET", "/requests?path=/di-tasks/dt-crm/runtime/state")) as Array<{ path: string }>;
    expect(reads.filter((r) => r.path.endsWith("/datasets"))).toHaveLength(1);
    expect(reads.filter((r) => r.path.endsWith("/runtime/state")).length).toBeGreaterThan(10);

    cloud.sim.cloud!.dataIntegration.run("dt-crm", "completed");
    await clock.runUntil(clock.now() + 2 * MINUTE);
    expect(seen.map((e) => e.kind)).toEqual(["cloud.datatask.failed", "cloud.datatask.recovered"]);
    expect((await get(`/v4/causes/${cause.id}`)).status).toBe("closed");
    // The run that completed closes the incident: one incident for the failure, none left open.
    expect(await dataTaskIncidents("open")).toEqual([]);
    const closed = await dataTaskIncidents("closed");
    expect(closed.map((i) => i.id)).toEqual([incident.id]);
    expect(closed[0]!.closedSummary).toContain("completed");
    await waitFor(() => received.length >= 2, { timeoutMs: 10_000 });
    await clock.runUntil(clock.now() + MINUTE);
    // One page for the cause and one follow-up when it is over: the completed run updated ORDERS, which started the
    // Sales reload, so the promise is kept again; the last of the two recoveries carries the over page.
    expect(received).toHaveLength(2);
    expect(received[0]!.kind).toBe("cloud.datatask.failed");
    expect(["cloud.datatask.recovered", "app.freshness_recovered"]).toContain(received[1]!.kind);
    expect(received[1]!.cause?.status).toBe("closed");
    // The tenant's state says what it watches.
    const tenant = (await get("/v4/cloud/tenants")).tenants[0];
    expect(tenant.dataTasks).toMatchObject({ projects: 1, tasks: 2, failing: 0 });
  } finally {
    await app.stop();
    hook.stop(true);
  }
}, 90_000);

test("a key that may not read data projects: the reloads are still watched, the tenant's state says why the data tasks are not", async () => {
  const { clock } = cloud;
  await simControl(cloud.sim, "PATCH", "/cloud/di-settings", { forbidden: true });
  const { app, request } = steward("steward-forbidden", 9);
  await app.start();
  try {
    await clock.runUntil(clock.now() + 2 * MINUTE);
    const tenant = ((await (await request("/v4/cloud/tenants")).json()) as any).tenants[0];
    expect(tenant.up).toBe(true);
    expect(tenant.problem).toBeUndefined();
    expect(tenant.dataTasks.problem).toContain("refused the Data Integration Projects API (HTTP 403)");
  } finally {
    await app.stop();
    await simControl(cloud.sim, "PATCH", "/cloud/di-settings", { forbidden: false });
  }
}, 60_000);

test("a stopped data task is a cause too, said as stopped; a restart of Steward does not say it again", async () => {
  const { clock } = cloud;
  const seen: SiteEvent[] = [];
  const first = steward("steward-stopped", 9);
  first.app.bus.on("cloud.datatask.failed", (e) => void seen.push(e as SiteEvent));
  await first.app.start();
  try {
    cloud.sim.cloud!.dataIntegration.run("dt-products", "stopped");
    await clock.runUntil(clock.now() + 2 * MINUTE);
  } finally {
    await first.app.stop();
  }
  expect(seen.map((e) => `${e.title} | ${e.data.status}`)).toEqual(["Qlik Talend Cloud: data task Products to QVD was stopped | stopped"]);
  expect(String(seen[0]!.data.apps)).toStartWith("Model (");
  // The same store, started again: the stopped run was claimed, so nothing is said twice.
  const again = steward("steward-stopped", 9);
  again.app.bus.on("cloud.datatask.failed", (e) => void seen.push(e as SiteEvent));
  await again.app.start();
  try {
    await clock.runUntil(clock.now() + 2 * MINUTE);
    expect(seen).toHaveLength(1);
    const open = ((await (await again.request("/v4/causes?status=open")).json()) as any).causes as Array<{ title: string }>;
    expect(open.map((c) => c.title)).toContain("Products to QVD was stopped: the apps its datasets feed will be stale");
  } finally {
    await again.app.stop();
    cloud.sim.cloud!.dataIntegration.run("dt-products", "completed");
  }
}, 60_000);
