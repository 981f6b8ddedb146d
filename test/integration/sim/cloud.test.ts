// The simulated Qlik Cloud tenant: HTTPS trusted through root.pem, the API key written to the certificate folder,
// reloads run through the control API, the Reloads API's filter, paging and log endpoint, 429 with Retry-After,
// and the misbehaving list answers a client must survive.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CLOUD_API_KEY_FILE } from "../../../src/sim";
import { waitFor } from "../../helpers/wait-for";
import { sharedCertDir, startTestSim, type TestSim } from "./helpers";

let t: TestSim;
let key: string;
let ca: string;

beforeAll(async () => {
  t = await startTestSim({ cloudPort: 0 });
  key = readFileSync(join(sharedCertDir(), CLOUD_API_KEY_FILE), "utf8").trim();
  ca = t.sim.certs.ca;
});
afterAll(() => t.stop());

const api = (path: string, init: RequestInit = {}, bearer = key) =>
  fetch(`${t.sim.urls.cloud}${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, ...(init.headers ?? {}) }, tls: { ca } } as RequestInit);
const control = (path: string, body?: unknown, method = "POST") =>
  fetch(`${t.sim.urls.control}${path}`, { method, headers: { "content-type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });

async function runReload(appId: string, outcome: string, extra: Record<string, unknown> = {}) {
  const res = await control("/cloud/reloads", { appId, outcome, ...extra });
  expect(res.status).toBe(201);
  const r = (await res.json()) as { id: string; status: string };
  await waitFor(async () => {
    const got = (await (await api(`/api/v1/reloads/${r.id}`)).json()) as { status: string };
    return !["QUEUED", "RELOADING", "CANCELING"].includes(got.status);
  });
  return r;
}

describe("simulated Qlik Cloud tenant", () => {
  test("the key is in the certificate folder and a wrong key is 401", async () => {
    expect(key.length).toBeGreaterThan(20);
    expect(t.sim.cloud?.apiKey).toBe(key);
    const bad = await api("/api/v1/reloads", {}, "wrong");
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { errors: { status: string }[] }).errors[0]!.status).toBe("401");
  });

  test("a failed reload: listed tenant-wide without appId, filtered by status, with its full log", async () => {
    const app = t.sim.site.apps[0]!;
    const r = await runReload(app.id, "fail", { error: "Field 'Amount' not found", type: "chronos" });
    await runReload(app.id, "succeed");
    const list = (await (await api(`/api/v1/reloads?log=false&limit=100&filter=${encodeURIComponent('status eq "FAILED"')}`)).json()) as {
      data: Array<Record<string, unknown>>;
    };
    const mine = list.data.find((x) => x.id === r.id)!;
    expect(mine).toMatchObject({ appId: app.id, status: "FAILED", type: "chronos", partial: false, tenantId: t.sim.cloud!.tenant.tenantId });
    expect(mine.log).toBeUndefined();
    expect(typeof mine.endTime).toBe("string");
    expect(list.data.every((x) => x.status === "FAILED")).toBe(true);
    const log = await api(`/api/v1/apps/${app.id}/reloads/logs/${r.id}`);
    expect(log.status).toBe(200);
    expect(await log.text()).toContain("Error: Field 'Amount' not found");
  });

  test("cursor paging through links.next.href visits every reload once", async () => {
    const app = t.sim.site.apps[1] ?? t.sim.site.apps[0]!;
    for (let i = 0; i < 5; i++) await runReload(app.id, i % 2 ? "cancel" : "succeed");
    const seen: string[] = [];
    let url: string | undefined = `/api/v1/reloads?limit=2&log=false&appId=${app.id}`;
    for (let pages = 0; url && pages < 20; pages++) {
      const body = (await (await api(url)).json()) as { data: { id: string }[]; links: { next?: { href: string } } };
      seen.push(...body.data.map((d) => d.id));
      url = body.links.next ? new URL(body.links.next.href).pathname + new URL(body.links.next.href).search : undefined;
    }
    const all = t.sim.cloud!.tenant.reloads().filter((r) => r.appId === app.id);
    expect(new Set(seen).size).toBe(all.length);
    expect(seen.length).toBe(all.length);
  });

  test("beyond the per-minute budget: 429 with Retry-After", async () => {
    await control("/cloud/settings", { ratePerMinute: 1, retryAfterSeconds: 7 }, "PATCH");
    try {
      await api("/api/v1/reloads?limit=1");
      const res = await api("/api/v1/reloads?limit=1");
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("7");
    } finally {
      t.sim.cloud!.tenant.settings.ratePerMinute = 1_000_000;
    }
  });

  test("misbehaving list answers: HTML, truncated JSON, unknown status, endless cursor", async () => {
    const app = t.sim.site.apps[0]!;
    await runReload(app.id, "succeed");
    try {
      await control("/cloud/settings", { listAnswer: "html" }, "PATCH");
      expect((await api("/api/v1/reloads")).headers.get("content-type")).toContain("text/html");
      await control("/cloud/settings", { listAnswer: "truncated" }, "PATCH");
      const cut = await (await api("/api/v1/reloads")).text();
      expect(() => JSON.parse(cut)).toThrow();
      await control("/cloud/settings", { listAnswer: "unknownStatus" }, "PATCH");
      expect(((await (await api("/api/v1/reloads")).json()) as { data: { status: string }[] }).data[0]!.status).toBe("PAUSED");
      await control("/cloud/settings", { listAnswer: "endlessCursor" }, "PATCH");
      const a = (await (await api("/api/v1/reloads?limit=100")).json()) as { links: { next?: { href: string } } };
      const next = new URL(a.links.next!.href);
      const b = (await (await api(next.pathname + next.search)).json()) as { links: { next?: { href: string } } };
      expect(b.links.next).toBeDefined();
    } finally {
      await control("/cloud/settings", { listAnswer: "normal" }, "PATCH");
    }
  });

  test("REST start, app, item and scheduling-task metadata; control API refuses an unknown app", async () => {
    const app = t.sim.site.apps[0]!;
    const started = await api("/api/v1/reloads", { method: "POST", body: JSON.stringify({ appId: app.id }), headers: { "content-type": "application/json" } });
    expect(started.status).toBe(201);
    expect(((await started.json()) as { type: string; status: string }).type).toBe("external");
    const a = (await (await api(`/api/v1/apps/${app.id}`)).json()) as { attributes: { name: string } };
    expect(a.attributes.name).toBe(app.name);
    const items = (await (await api(`/api/v1/items?resourceType=app&resourceId=${app.id}`)).json()) as { data: { name: string }[] };
    expect(items.data[0]!.name).toBe(app.name);
    expect((await api("/api/scheduling/tasks")).status).toBe(200);
    const bad = await control("/cloud/reloads", { appId: "nope", outcome: "fail" });
    expect(bad.status).toBe(400);
  });
});
