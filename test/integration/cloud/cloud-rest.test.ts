// POST /v4/cloud/reloads starts a reload in the Qlik Cloud tenant with the scope and audit of task starts: a
// tasks key may, a kv.read key may not; the start is in the audit log; a failing start is a 4xx/502 naming why,
// and GET /v4/cloud shows the tenants' polling state.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Simulator } from "../../../src/sim";
import { createTestApp, type TestApp } from "../../helpers/app";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { keysPerScope } from "../security/keys";
import { cloudYaml, startCloudSim } from "./helpers";

const dir = createTempDir();
let sim: Simulator;
let t: TestApp;
const { keys, yaml } = keysPerScope();

beforeAll(async () => {
  sim = await startCloudSim(join(dir.path, "certs"));
  t = createTestApp(`security:\n${yaml}\n${cloudYaml(sim, { pollInterval: "1h" })}`, { dir: join(dir.path, "steward") });
  await t.app.start();
});
afterAll(async () => {
  await t?.close();
  await sim?.stop();
  dir.remove();
});

const post = (body: unknown, key: string) =>
  t.request("/v4/cloud/reloads", { method: "POST", headers: { "content-type": "application/json", "x-api-key": key }, body: JSON.stringify(body) });

describe("POST /v4/cloud/reloads", () => {
  test("a tasks key starts a reload in the tenant, audited as a task start", async () => {
    const app = sim.site.apps[0]!;
    const res = await post({ appId: app.id }, keys.tasks);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; appId: string; tenant: string; status: string; type: string };
    expect(body).toMatchObject({ appId: app.id, tenant: "sim-tenant", status: "QUEUED", type: "external" });
    const r = sim.cloud!.tenant.get(body.id)!;
    expect(r).toMatchObject({ appId: app.id, type: "external" });
    const started = sim.requests.list({ source: "cloud", method: "POST", pathContains: "/api/v1/reloads" });
    expect(started.at(-1)!.status).toBe(201);
    await waitFor(async () => {
      const a = (await (await t.request(`/v4/audit?action=task.start`, { headers: { "x-api-key": keys.admin } })).json()) as {
        entries: Array<{ target: string; result: string; details: Record<string, unknown> }>;
      };
      return a.entries.find((e) => e.details.reloadId === body.id && e.result === "ok" && e.target === `sim-tenant/${app.id}`);
    });
  });

  test("other scopes, bad bodies, unknown tenants and apps are refused with a reason", async () => {
    expect((await post({ appId: sim.site.apps[0]!.id }, keys["kv.read"])).status).toBe(403);
    const bad = await post({ appid: "x" }, keys.tasks);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("appId");
    const noTenant = await post({ appId: sim.site.apps[0]!.id, tenant: "elsewhere" }, keys.tasks);
    expect(noTenant.status).toBe(404);
    expect(await noTenant.text()).toContain("sim-tenant");
    const noApp = await post({ appId: "00000000-0000-4000-8000-000000000000" }, keys.tasks);
    expect(noApp.status).toBe(404);
    expect(await noApp.text()).toContain("has no app");
  });

  test("GET /v4/cloud: each tenant's polling state", async () => {
    await waitFor(async () => {
      const v = (await (await t.request("/v4/cloud", { headers: { "x-api-key": keys.admin } })).json()) as { tenants: Array<{ name: string; ok: boolean }> };
      return v.tenants[0]?.ok;
    });
    const v = (await (await t.request("/v4/cloud", { headers: { "x-api-key": keys.admin } })).json()) as {
      tenants: Array<{ name: string; url: string; ok: boolean; lastSuccessAt: string; nextPollAt: string }>;
    };
    expect(v.tenants).toHaveLength(1);
    expect(v.tenants[0]).toMatchObject({ name: "sim-tenant", url: sim.urls.cloud, ok: true });
    expect(Date.parse(v.tenants[0]!.nextPollAt)).toBeGreaterThan(Date.now() + 30 * 60_000);
  });
});
