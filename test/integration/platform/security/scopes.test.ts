// Every registered route, every method, against every scope: anonymous callers get 401, a key with another scope
// 403, a key with the route's scope or admin gets through. The routes come from app.http.router.routes, so
// a route added later is covered without touching this test. Denials and writes land in the audit log.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import type { RegisteredRoute } from "../../../../src/platform/http/route";
import { inProcessEnv } from "../../../../src/platform/http/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";
import { keysPerScope, samplePath, type GrantableScope } from "./keys";

const tmp = createTempDir();
const { keys, yaml } = keysPerScope();
let t: TestApp;

beforeAll(() => {
  mkdirSync(`${tmp.path}/files/in`, { recursive: true });
  mkdirSync(`${tmp.path}/files/out`, { recursive: true });
  t = createTestApp(`security:\n${yaml}\nfiles:\n  copy: [{ from: ./files/in, to: ./files/out }]\n  delete: [./files/out]\n  createDir: [./files/out]\n`, {
    dir: tmp.path,
  });
});
afterAll(async () => {
  await t.close();
  tmp.remove();
});

interface Outcome {
  status: number;
  check?: string;
}

async function call(method: string, path: string, key?: string): Promise<Outcome> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (key) headers["x-api-key"] = key;
  const init: RequestInit = { method: method.toUpperCase(), headers };
  if (method !== "get") {
    headers["content-type"] = "application/json";
    init.body = "{}";
  }
  const res = await Promise.race([
    Promise.resolve(t.app.http.hono.request(path, init, { remoteAddress: "127.0.0.1" })),
    Bun.sleep(15_000).then(() => {
      throw new Error(`${method} ${path} did not answer within 15 s`);
    }),
  ]);
  const text = await res.text();
  let check: string | undefined;
  try {
    check = (JSON.parse(text) as { details?: { check?: string } }).details?.check;
  } catch {
    // HTML pages and plain text answers carry no access-control details.
  }
  return { status: res.status, check };
}

const denied = (o: Outcome) => o.check === "scope" || o.check === "authentication";
const methodsOf = (r: RegisteredRoute) => (Array.isArray(r.method) ? r.method : [r.method]);

describe("scopes on every route", () => {
  test("the route table covers every scope group", () => {
    const scopes = new Set(t.app.http.router.routes.map((r) => r.scope));
    for (const s of ["public", "tasks", "apps", "kv.read", "kv.write", "files", "schedules", "mqtt", "read", "admin"])
      expect(scopes.has(s as never)).toBe(true);
  });

  test("anonymous: public routes only; every other route is 401", async () => {
    for (const r of t.app.http.router.routes) {
      for (const m of methodsOf(r)) {
        const o = await call(m, samplePath(r.path));
        if (r.scope === "public") expect({ route: `${m} ${r.path}`, denied: denied(o) }).toEqual({ route: `${m} ${r.path}`, denied: false });
        else expect({ route: `${m} ${r.path}`, status: o.status, check: o.check }).toEqual({ route: `${m} ${r.path}`, status: 401, check: "scope" });
      }
    }
  });

  test("a key with another scope is 403; the route's own scope and admin get through", async () => {
    let checked = 0;
    for (const r of t.app.http.router.routes) {
      if (r.scope === "public") continue;
      const scope = r.scope as GrantableScope;
      const other = (["tasks", "kv.read", "apps"] as const).find((s) => s !== scope)!;
      for (const m of methodsOf(r)) {
        const path = samplePath(r.path);
        const route = `${m} ${r.path}`;
        const wrong = await call(m, path, keys[other]);
        expect({ route, status: wrong.status, check: wrong.check }).toEqual({ route, status: 403, check: "scope" });
        const own = await call(m, path, keys[scope]);
        expect({ route, denied: denied(own) }).toEqual({ route, denied: false });
        const admin = await call(m, path, keys.admin);
        expect({ route, denied: denied(admin) }).toEqual({ route, denied: false });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  }, 120_000);

  test("a read key reads what Steward knows and changes nothing: every route it passes is a GET", async () => {
    const passed: string[] = [];
    for (const r of t.app.http.router.routes) {
      if (r.scope === "public") continue;
      for (const m of methodsOf(r)) {
        const o = await call(m, samplePath(r.path), keys.read);
        if (!denied(o)) passed.push(`${m} ${r.path}`);
      }
    }
    expect(passed.filter((x) => !x.startsWith("get "))).toEqual([]);
    for (const route of [
      "get /v4/incidents",
      "get /v4/causes",
      "get /v4/deliveries",
      "get /v4/watchdog",
      "get /v4/freshness",
      "get /v4/checkins",
      "get /v4/audit",
      "get /v4/schedules",
      "get /ui/incidents",
      "get /ui/tasks/:id",
    ])
      expect(passed).toContain(route);
    // Not the admin's own pages, the key-value store or the doctor (it connects to every server).
    for (const route of ["get /v4/admin/apikeys", "get /v4/doctor", "get /v4/keyvaluesnamespaces"]) expect(passed).not.toContain(route);
  }, 120_000);

  test("the OpenAPI document says which operations a read key opens, and the server agrees on every one", async () => {
    const doc = (await (await t.app.http.hono.request("/openapi.json", {}, inProcessEnv())).json()) as {
      paths: Record<string, Record<string, { "x-steward-scope": string; "x-steward-scopes"?: string[] }>>;
    };
    const readable: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops)) {
        if (op["x-steward-scope"] === "public") continue;
        const route = `${m} ${path}`;
        const promised = op["x-steward-scopes"]!.includes("read");
        const o = await call(m, samplePath(path.replace(/\{([^}]+)\}/g, ":$1")), keys.read);
        expect({ route, opens: !denied(o) }).toEqual({ route, opens: promised });
        if (promised) readable.push(route);
      }
    }
    expect(readable.filter((r) => !r.startsWith("get "))).toEqual([]);
    // Every read of what Steward knows: incidents, causes, runs, reports, deliveries, the watchdog, freshness, check-ins, data checks,
    // schedules, silences, maintenance, escalations and the audit, with their single-item reads.
    const knowledge =
      /^get \/v4\/(incidents|causes|runs|report|deliveries|watchdog|freshness|checkins|data-checks|schedules|silences|maintenance|escalations|audit)(\/|$)/;
    const knowledgeOps = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
      .filter((r) => knowledge.test(r));
    expect(knowledgeOps.length).toBeGreaterThan(15);
    expect(knowledgeOps.filter((r) => !readable.includes(r))).toEqual([]);
  }, 120_000);

  test("an unknown key is 401 even on public routes; Bearer works like X-API-Key", async () => {
    let r = await t.app.http.hono.request("/health", { headers: { "x-api-key": "stw_wrong" } }, inProcessEnv());
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toContain("Bearer");
    r = await t.app.http.hono.request("/v4/keyvaluesnamespaces", { headers: { authorization: `Bearer ${keys["kv.read"]}` } }, inProcessEnv());
    expect(r.status).toBe(200);
  });

  test("denials and writes are in the audit log with the principal as actor", async () => {
    const denials = await t.app.audit.query({ action: "access.denied", actorName: "key-tasks", limit: 1000 });
    expect(denials.length).toBeGreaterThan(10);
    expect(denials[0]!.actor.kind).toBe("apiKey");
    expect(denials[0]!.result).toBe("denied");
    expect((await t.app.audit.query({ action: "access.denied", actorKind: "anonymous", limit: 1000 })).length).toBeGreaterThan(40);
    const writes = await t.app.audit.query({ action: "api.write", actorName: "key-kv.write", limit: 1000 });
    expect(writes.map((w) => w.target).sort()).toEqual([
      "DELETE /v4/keyvalues/sample-namespace",
      "DELETE /v4/keyvalues/sample-namespace/sample-key",
      "POST /v4/keyvalues/sample-namespace",
    ]);
    expect(writes.every((w) => w.actor.ip === "127.0.0.1" && typeof w.details?.status === "number")).toBe(true);
    // GETs are not audited as writes.
    expect(await t.app.audit.query({ action: "api.write", actorName: "key-kv.read", limit: 1000 })).toEqual([]);
  });
});
