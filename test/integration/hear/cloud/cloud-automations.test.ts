// Qlik Automate automations on the simulated tenant, watched with a Tenant Admin's key: a failed run, a run finished
// with warnings and an automation an admin disabled each reach a webhook route once (a real receiver counting its
// deliveries), with the failing step, the error, the automation's name and owner; enabling it again says so once; a
// restart announces nothing again and what failed while Steward was down once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type Simulator, startSimulator } from "../../../../src/sim";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { simCertDir } from "../../../helpers/sim-certs";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

type Hook = { kind: string; title: string; data: Record<string, unknown> };
const dir = createTempDir();
let sim: Simulator;
let receiver: ReturnType<typeof Bun.serve>;
const hooks: Hook[] = [];

beforeAll(async () => {
  sim = await startSimulator({
    certDir: simCertDir(join(dir.path, "sim-certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    cloudPort: 0,
    schedules: false,
    settings: { timing: { durationOverrideMs: 60 } },
  });
  receiver = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => {
      hooks.push((await req.json()) as Hook);
      return new Response("ok");
    },
  });
});
afterAll(async () => {
  receiver?.stop(true);
  await sim?.stop();
  dir.remove();
});

const yaml = () => `qlikCloud:
  tenants:
    - name: corp-cloud
      url: ${sim.urls.cloud}
      apiKey: ${sim.cloud!.apiKey}
      caFile: ${join(sim.certDir, "root.pem")}
      pollInterval: 150ms
      lookBack: 1h
      automations: {}
channels:
  hook: { type: webhook, url: "http://127.0.0.1:${receiver.port}/hook" }
routes:
  - name: automations
    on: [cloud.automation.failed, cloud.automation.warning, cloud.automation.disabled, cloud.automation.enabled, cloud.automation.recovered]
    to: [hook]
`;
const addAutomation = (body: Record<string, unknown>) => simControl(sim, "POST", "/cloud/automations", body) as Promise<{ id: string; name: string }>;
const runNow = (id: string) => simControl(sim, "POST", `/cloud/automations/${id}/run`, {}) as Promise<{ id: string }>;
const hooksFor = (key: string, value: string) => hooks.filter((h) => h.data?.[key] === value);

describe("Qlik Automate automations watched on a Qlik Cloud tenant", () => {
  let t: TestApp;
  const stewardDir = join(dir.path, "steward");
  const start = async () => {
    const app = createTestApp(yaml(), { dir: stewardDir });
    await app.app.start();
    return app;
  };
  beforeAll(async () => {
    t = await start();
  });
  afterAll(async () => {
    await t?.close();
  });

  test("a failed run pages once, with its failing step, error, automation and owner; a clean run pages nothing", async () => {
    const a = await addAutomation({ name: "Nightly CRM extract", outcome: "fail", failingBlock: "Write to Snowflake" });
    const clean = await addAutomation({ name: "Copy budget sheet" });
    const failed = await runNow(a.id);
    const ok = await runNow(clean.id);
    await waitFor(() => hooksFor("runId", failed.id).length >= 1, { timeoutMs: 15_000 });
    await Bun.sleep(800); // more polls: nothing is announced twice
    const got = hooksFor("runId", failed.id);
    expect(got).toHaveLength(1);
    expect(got[0]!.kind).toBe("cloud.automation.failed");
    expect(got[0]!.title).toBe("Qlik Automate: Nightly CRM extract failed at Write to Snowflake");
    expect(got[0]!.data).toMatchObject({
      automation: "Nightly CRM extract",
      automationId: a.id,
      status: "failed",
      step: "Write to Snowflake",
      owner: "Anna Svensson",
      ownerEmail: "anna.svensson@corp.example",
    });
    expect(String(got[0]!.data.error)).toContain("the connection's token has expired");
    expect(String(got[0]!.data.link)).toBe(`${sim.urls.cloud}/automations/${a.id}/editor`);
    // Read on Qlik's successor API, not the deprecated /api/v1/automations.
    expect(String(got[0]!.data.runUrl)).toBe(`${sim.urls.cloud}/api/workflows/automations/${a.id}/runs/${failed.id}`);
    expect(hooksFor("runId", ok.id)).toHaveLength(0);
    // The dashboard's events page lists it under its own filter.
    const page = await (await t.request("/ui/events?kind=cloud.automation")).text();
    expect(page).toContain('data-kind="cloud.automation.failed"');
    expect(page).toContain("Qlik Automate: Nightly CRM extract failed at Write to Snowflake");
    expect(page).not.toContain('data-kind="task.');
  });

  test("a run finished with warnings pages once as a warning", async () => {
    const a = await addAutomation({ name: "Sync Salesforce accounts", outcome: "warn", failingBlock: "Upsert Record" });
    const run = await runNow(a.id);
    await waitFor(() => hooksFor("runId", run.id).length >= 1, { timeoutMs: 15_000 });
    await Bun.sleep(800);
    const got = hooksFor("runId", run.id);
    expect(got.map((h) => h.kind)).toEqual(["cloud.automation.warning"]);
    expect(got[0]!.data).toMatchObject({ status: "finished with warnings", step: "Upsert Record" });
    // Qlik's `error` is an array: every element is said, not only the first.
    expect(String(got[0]!.data.error)).toContain("item 12 could not be written");
    expect(String(got[0]!.data.error)).toContain("item 31 could not be written");
  });

  test("a tenant without the successor /api/workflows/automations (404) is read on the deprecated /api/v1/automations", async () => {
    await simControl(sim, "PATCH", "/cloud/settings", { workflowsApi: false });
    try {
      const a = await addAutomation({ name: "Old tenant extract", outcome: "fail" });
      const run = await runNow(a.id);
      await waitFor(() => hooksFor("runId", run.id).length >= 1, { timeoutMs: 15_000 });
      expect(String(hooksFor("runId", run.id)[0]!.data.runUrl)).toContain("/api/v1/automations/");
    } finally {
      await simControl(sim, "PATCH", "/cloud/settings", { workflowsApi: true });
    }
  });

  test("a run that did not start (status 'not started', with a start time) pages as one; the next finished run recovers it", async () => {
    const a = await addAutomation({ name: "Load HR extract", outcome: "notStarted", failingBlock: "Read HR file" });
    const run = await runNow(a.id);
    await waitFor(() => hooksFor("runId", run.id).length >= 1, { timeoutMs: 15_000 });
    const got = hooksFor("runId", run.id);
    expect(got[0]!.kind).toBe("cloud.automation.failed");
    expect(got[0]!.title).toBe("Qlik Automate: Load HR extract did not start");
    await simControl(sim, "PATCH", `/cloud/automations/${a.id}`, { outcome: "finish" });
    const next = await runNow(a.id);
    await waitFor(() => hooksFor("runId", next.id).length >= 1, { timeoutMs: 15_000 });
    expect(hooksFor("runId", next.id).map((h) => h.kind)).toEqual(["cloud.automation.recovered"]);
  });

  test("a run that failed before it started (no start time) is paged, not skipped, with its error", async () => {
    const a = await addAutomation({ name: "Push forecast", outcome: "failUnstarted" });
    const run = await runNow(a.id);
    await waitFor(() => hooksFor("runId", run.id).length >= 1, { timeoutMs: 15_000 });
    await Bun.sleep(500);
    const got = hooksFor("runId", run.id);
    expect(got).toHaveLength(1);
    expect(got[0]!.kind).toBe("cloud.automation.failed");
    expect(got[0]!.data).toMatchObject({ status: "failed", startTime: null, step: "Start" });
    expect(String(got[0]!.data.error)).toContain("could not be opened");
  });

  test("an automation an admin disabled pages once until it is enabled again, which says so once", async () => {
    const a = await addAutomation({ name: "Hourly orders export", everyMs: 3_600_000 });
    const changed = (await simControl(sim, "PATCH", `/cloud/automations/${a.id}`, { state: "disabled", updatedBy: "admin-erik" })) as { updatedBy: string };
    expect(changed.updatedBy).toBe("admin-erik");
    await waitFor(() => hooksFor("automationId", a.id).length >= 1, { timeoutMs: 15_000 });
    await Bun.sleep(800);
    expect(hooksFor("automationId", a.id).map((h) => h.kind)).toEqual(["cloud.automation.disabled"]);
    expect(hooksFor("automationId", a.id)[0]!.title).toBe("Qlik Automate: Hourly orders export is disabled");
    await simControl(sim, "PATCH", `/cloud/automations/${a.id}`, { state: "available", updatedBy: "admin-erik" });
    await waitFor(() => hooksFor("automationId", a.id).length >= 2, { timeoutMs: 15_000 });
    await Bun.sleep(800);
    expect(hooksFor("automationId", a.id).map((h) => h.kind)).toEqual(["cloud.automation.disabled", "cloud.automation.enabled"]);
    expect(hooksFor("automationId", a.id)[1]!.data.disabledSince).toBeString();
  });

  test("through a restart: nothing is announced again; a run that failed while Steward was down is, once", async () => {
    const before = hooks.length;
    await t.app.stop();
    const a = await addAutomation({ name: "Weekly HR extract", outcome: "fail" });
    const whileDown = await runNow(a.id);
    await Bun.sleep(300);
    t = await start();
    await waitFor(() => hooksFor("runId", whileDown.id).length >= 1, { timeoutMs: 15_000 });
    await Bun.sleep(800);
    expect(hooks.slice(before).map((h) => h.data.automation)).toEqual(["Weekly HR extract"]);
    const perKey = new Map<string, number>();
    for (const h of hooks) {
      const key = `${h.kind}:${String(h.data.runId ?? h.data.changedAt)}`;
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
    }
    expect([...perKey.values()].every((n) => n === 1)).toBe(true);
  });

  test("a key that may not read the automations: /ready says so, the key is not called refused, the reloads are still announced", async () => {
    const failedReloads: string[] = [];
    const refused: string[] = [];
    t.app.bus.on("task.failed", (e) => void failedReloads.push((e as { executionId: string }).executionId));
    t.app.bus.on("qlikcloud.key_rejected", (e) => void refused.push(e.id));
    await simControl(sim, "PATCH", "/cloud/settings", { automationsForbidden: true });
    try {
      const reload = (await simControl(sim, "POST", "/cloud/reloads", { appId: sim.site.apps[0]!.id, outcome: "fail" })) as { id: string };
      const ready = async () =>
        ((await (await t.request("/ready")).json()) as { components: Record<string, { ok: boolean; detail?: string }> }).components["qlik-cloud:corp-cloud"]!;
      await waitFor(async () => failedReloads.includes(reload.id) && String((await ready()).detail).includes("automations not read"), { timeoutMs: 15_000 });
      expect((await ready()).ok).toBe(true);
      expect((await ready()).detail).toContain("automations not read: ");
      expect((await ready()).detail).toContain("HTTP 403");
      expect(refused).toEqual([]);
    } finally {
      await simControl(sim, "PATCH", "/cloud/settings", { automationsForbidden: false });
    }
    const ready = async () =>
      ((await (await t.request("/ready")).json()) as { components: Record<string, { detail?: string }> }).components["qlik-cloud:corp-cloud"]!;
    await waitFor(async () => !String((await ready()).detail).includes("automations not read"), { timeoutMs: 15_000 });
  });

  test("a tenant that refuses listAll is asked without it, and its failed runs still page once", async () => {
    await simControl(sim, "PATCH", "/cloud/settings", { listAllRefused: true });
    try {
      const a = await addAutomation({ name: "Monthly close export", outcome: "fail" });
      const run = await runNow(a.id);
      await waitFor(() => hooksFor("runId", run.id).length >= 1, { timeoutMs: 15_000 });
      await Bun.sleep(800);
      expect(hooksFor("runId", run.id).map((h) => h.kind)).toEqual(["cloud.automation.failed"]);
      const ready = (await (await t.request("/ready")).json()) as { components: Record<string, { detail?: string }> };
      expect(ready.components["qlik-cloud:corp-cloud"]!.detail).not.toContain("automations not read");
    } finally {
      await simControl(sim, "PATCH", "/cloud/settings", { listAllRefused: false });
    }
  });

  test("the tenant's state names the automations watched", async () => {
    const body = (await (await t.request("/v4/cloud/tenants")).json()) as { tenants: Array<{ automations?: { automations: number; disabled: number } }> };
    expect(body.tenants[0]!.automations?.automations).toBeGreaterThanOrEqual(6);
    expect(body.tenants[0]!.automations?.disabled).toBe(0);
  });
});
