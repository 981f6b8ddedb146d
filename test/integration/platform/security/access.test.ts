// Access control beyond scopes: rate limits (429, Retry-After, RateLimit-* headers) per key and per IP, the IP
// allowlist, the query-string key mode, run-time keys over the admin API, and the refuse-to-start rule.
import { afterEach, describe, expect, test } from "bun:test";
import { Writable } from "node:stream";
import pino from "pino";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { keysPerScope } from "./keys";

const open: TestApp[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});
const app = (yaml: string, opts: Parameters<typeof createTestApp>[1] = {}) => {
  const t = createTestApp(yaml, opts);
  open.push(t);
  return t;
};
const from = (t: TestApp, ip: string, path: string, init: RequestInit = {}) => Promise.resolve(t.app.http.hono.request(path, init, { remoteAddress: ip }));

describe("rate limits", () => {
  test("per key: RateLimit headers count down, then 429 with Retry-After until the window passes", async () => {
    const clock = createManualClock(Date.parse("2026-03-01T10:00:00Z"));
    const { keys, yaml } = keysPerScope();
    const t = app(`security:\n${yaml}\n  rateLimit:\n    perKey: { requests: 3, window: 10s }\n`, { clock });
    const get = () => from(t, "127.0.0.1", "/v4/keyvaluesnamespaces", { headers: { "x-api-key": keys["kv.read"] } });
    for (const remaining of [2, 1, 0]) {
      const r = await get();
      expect(r.status).toBe(200);
      expect(r.headers.get("ratelimit-limit")).toBe("3");
      expect(r.headers.get("ratelimit-remaining")).toBe(String(remaining));
      expect(r.headers.get("ratelimit-policy")).toBe("3;w=10");
      expect(r.headers.get("ratelimit-reset")).toBe("10");
    }
    await clock.advance(4000);
    let r = await get();
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("6");
    expect(r.headers.get("ratelimit-remaining")).toBe("0");
    expect(await r.json()).toMatchObject({ code: "RATE_LIMITED", details: { check: "rateLimit.perKey" } });
    // Another key has its own budget.
    r = await from(t, "127.0.0.1", "/v4/keyvaluesnamespaces", { headers: { "x-api-key": keys.admin } });
    expect(r.status).toBe(200);
    await get();
    // The first rejection of a window is audited, the rest are not (no audit flood under attack).
    expect((await t.app.audit.query({ action: "access.denied", actorName: "key-kv.read" })).length).toBe(1);
    await clock.advance(6000);
    r = await get();
    expect(r.status).toBe(200);
    expect(r.headers.get("ratelimit-remaining")).toBe("2");
  });

  test("per IP: applies to remote callers before authentication, loopback exempt by default", async () => {
    const clock = createManualClock(Date.parse("2026-03-01T10:00:00Z"));
    const t = app(`http: { port: 0, host: 127.0.0.1 }\nsecurity:\n  rateLimit:\n    perIp: { requests: 2, window: 1m }\n    perKey: { enabled: false }\n`, {
      clock,
    });
    for (let i = 0; i < 2; i++) expect((await from(t, "10.0.0.7", "/health")).status).toBe(200);
    const r = await from(t, "10.0.0.7", "/health");
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("60");
    expect((await from(t, "10.0.0.8", "/health")).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await from(t, "127.0.0.1", "/health")).status).toBe(200);
    const denial = (await t.app.audit.query({ action: "access.denied" }))[0]!;
    expect(denial.actor).toEqual({ kind: "anonymous", name: "anonymous", ip: "10.0.0.7" });
    expect(denial.details).toMatchObject({ check: "rateLimit.perIp", status: 429 });
  });
});

describe("IP allowlist", () => {
  test("only listed addresses and loopback reach the API; IPv4-mapped IPv6 counts as IPv4", async () => {
    const t = app("security:\n  ipAllowlist: [10.1.0.0/16, 'fd00::/8']\n");
    expect((await from(t, "10.1.2.3", "/health")).status).toBe(200);
    expect((await from(t, "::ffff:10.1.9.9", "/health")).status).toBe(200);
    expect((await from(t, "fd00::17", "/health")).status).toBe(200);
    expect((await from(t, "::1", "/health")).status).toBe(200);
    const r = await from(t, "10.2.0.1", "/health");
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ code: "FORBIDDEN", details: { check: "ipAllowlist" } });
    expect((await t.app.audit.query({ action: "access.denied" })).map((e) => e.actor.ip)).toEqual(["10.2.0.1"]);
  });

  test("an invalid entry is a config error at its path", () => {
    expect(() => createTestApp("security:\n  ipAllowlist: [10.0.0.0/33]\n")).toThrow("security.ipAllowlist[0]");
  });
});

describe("query-string keys (compatibility mode)", () => {
  test("off by default: ?apiKey= is refused with a hint", async () => {
    const { keys, yaml } = keysPerScope();
    const t = app(`security:\n${yaml}\n`);
    const r = await from(t, "127.0.0.1", `/v4/keyvaluesnamespaces?apiKey=${keys["kv.read"]}`);
    expect(r.status).toBe(401);
    expect((await r.json()).error).toContain("security.queryKey.enabled");
  });

  test("on: accepted only on listed routes; the audit notes it", async () => {
    const { keys, yaml } = keysPerScope();
    const t = app(`security:\n${yaml}\n  queryKey:\n    enabled: true\n    routes: ["POST /v4/keyvalues/:namespace", "GET /v4/keyvalues/:namespace"]\n`);
    let r = await from(t, "127.0.0.1", `/v4/keyvalues/chain?apiKey=${keys["kv.write"]}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key: "k", value: "v" }),
    });
    expect(r.status).toBe(201);
    r = await from(t, "127.0.0.1", `/v4/keyvalues/chain?key=k&apiKey=${keys["kv.read"]}`);
    expect(await r.json()).toEqual({ namespace: "chain", key: "k", value: "v" });
    r = await from(t, "127.0.0.1", `/v4/keylist/chain?apiKey=${keys["kv.read"]}`);
    expect(r.status).toBe(401);
    expect((await r.json()).error).toContain("not accepted on GET /v4/keylist/:namespace");
    r = await from(t, "127.0.0.1", `/v4/keyvalues/chain?key=k&apiKey=stw_nope`);
    expect(r.status).toBe(401);
    const write = (await t.app.audit.query({ action: "api.write" }))[0]!;
    expect(write.target).toBe("POST /v4/keyvalues/chain");
    expect(write.details).toMatchObject({ via: "query" });
  });

  test("enabled without routes is a config error", () => {
    expect(() => createTestApp("security:\n  queryKey: { enabled: true }\n")).toThrow("security.queryKey.routes");
  });
});

describe("run-time keys", () => {
  test("the first key turns authentication on; list never shows the key; revoke stops it at once", async () => {
    const t = app("");
    expect((await t.request("/v4/keyvaluesnamespaces")).status).toBe(200);
    let r = await t.request("/v4/admin/apikeys", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "ops", scopes: ["admin"] }),
    });
    expect(r.status).toBe(201);
    expect(r.headers.get("cache-control")).toBe("no-store");
    const created = (await r.json()) as { key: string; name: string };
    expect(created.key).toMatch(/^stw_[A-Za-z0-9_-]{43}$/);
    expect((await t.request("/v4/admin/apikeys")).status).toBe(401);
    // A caller on this server without a key keeps the load-script scopes (security.anonymous), nothing more.
    expect((await t.request("/v4/keyvaluesnamespaces")).status).toBe(200);
    const auth = { headers: { "x-api-key": created.key } };
    r = await t.request("/v4/admin/apikeys", auth);
    const listed = JSON.stringify(await r.json());
    expect(listed).toContain('"name":"ops"');
    expect(listed).not.toContain(created.key);
    expect(listed).not.toContain("sha256");
    r = await t.request("/v4/admin/apikeys", {
      method: "POST",
      headers: { ...auth.headers, "content-type": "application/json" },
      body: JSON.stringify({ name: "reader", scopes: ["kv.read"] }),
    });
    const reader = ((await r.json()) as { key: string }).key;
    expect((await t.request("/v4/keyvaluesnamespaces", { headers: { "x-api-key": reader } })).status).toBe(200);
    r = await t.request("/v4/admin/apikeys", {
      method: "POST",
      headers: { ...auth.headers, "content-type": "application/json" },
      body: JSON.stringify({ name: "reader", scopes: ["kv.read"] }),
    });
    expect(r.status).toBe(409);
    expect((await t.request("/v4/admin/apikeys/reader", { method: "DELETE", ...auth })).status).toBe(204);
    expect((await t.request("/v4/keyvaluesnamespaces", { headers: { "x-api-key": reader } })).status).toBe(401);
    expect((await t.app.audit.query({ action: "apikey.*" })).map((e) => `${e.action} ${e.target} by ${e.actor.name}`)).toEqual([
      "apikey.revoke reader by ops",
      "apikey.create reader by ops",
      "apikey.create ops by anonymous",
    ]);
  });

  test("run-time keys survive a restart (stored hashed)", async () => {
    const t1 = app("");
    const r = await t1.request("/v4/admin/apikeys", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "ops", scopes: ["kv.read"] }),
    });
    const { key } = (await r.json()) as { key: string };
    await t1.app.stop();
    // Closed before t1 (which removes the shared folder) by the afterEach hook.
    const t2 = app("", { dir: t1.dir });
    // Run-time keys are read from the store when access control starts (and, in a cluster, again on a timer).
    await t2.app.start();
    expect((await t2.request("/v4/admin/apikeys")).status).toBe(401);
    expect((await t2.request("/v4/admin/apikeys", { headers: { "x-api-key": key } })).status).toBe(403);
    const row = t2.app.store.db.prepare("SELECT hash FROM api_keys WHERE name = 'ops'").get() as { hash: string };
    expect(row.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test("the last key of a non-loopback listener cannot be revoked: the start-up rule holds at every change of keys", async () => {
    const json = { "content-type": "application/json" };
    const t1 = app("");
    const r = await t1.request("/v4/admin/apikeys", { method: "POST", headers: json, body: JSON.stringify({ name: "ops", scopes: ["admin"] }) });
    const { key } = (await r.json()) as { key: string };
    await t1.app.stop();
    // The stored key is what lets this listener start at all.
    const t2 = app("http: { host: 0.0.0.0, port: 0 }\n", { dir: t1.dir });
    await t2.app.start();
    const url = t2.app.server!.url();
    const auth = { "x-api-key": key };
    let res = await fetch(`${url}/v4/admin/apikeys/ops`, { method: "DELETE", headers: auth });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toContain("last API key");
    expect((await fetch(`${url}/v4/admin/apikeys`)).status).toBe(401);
    // With a second key, the first may go; the second is then the last.
    res = await fetch(`${url}/v4/admin/apikeys`, { method: "POST", headers: { ...auth, ...json }, body: JSON.stringify({ name: "ops2", scopes: ["admin"] }) });
    const second = ((await res.json()) as { key: string }).key;
    expect((await fetch(`${url}/v4/admin/apikeys/ops`, { method: "DELETE", headers: auth })).status).toBe(204);
    expect((await fetch(`${url}/v4/admin/apikeys/ops2`, { method: "DELETE", headers: { "x-api-key": second } })).status).toBe(409);
    expect((await fetch(`${url}/v4/admin/apikeys`)).status).toBe(401);
  });

  test("on loopback, or with allowUnauthenticated, the last key may be revoked", async () => {
    const t = app("");
    const r = await t.request("/v4/admin/apikeys", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "ops", scopes: ["admin"] }),
    });
    const { key } = (await r.json()) as { key: string };
    expect((await t.request("/v4/admin/apikeys/ops", { method: "DELETE", headers: { "x-api-key": key } })).status).toBe(204);
    expect((await t.request("/v4/keyvaluesnamespaces")).status).toBe(200);
  });
});

describe("refuse to start", () => {
  const capture = () => {
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({ write: (chunk, _enc, cb) => (lines.push(JSON.parse(String(chunk)) as Record<string, unknown>), cb()) });
    return { log: pino({ level: "info" }, stream), lines };
  };

  test("a non-loopback listener without authentication does not start", async () => {
    const t = app("http: { host: 0.0.0.0, port: 0 }\n");
    await expect(t.app.start()).rejects.toThrow("refusing to serve the REST API on 0.0.0.0 without authentication");
    expect(t.app.lifecycle.started).toBe(false);
  });

  test("allowUnauthenticated starts it and warns at every start", async () => {
    const { log, lines } = capture();
    const t = app("http: { host: 0.0.0.0, port: 0 }\nsecurity: { allowUnauthenticated: true }\n", { log });
    await t.app.start();
    expect(lines.some((l) => l.level === 40 && String(l.msg).includes("open to anyone"))).toBe(true);
    const r = await fetch(`${t.app.server!.url()}/v4/keyvaluesnamespaces`);
    expect(r.status).toBe(200);
  });

  test("with a key it starts, and anonymous callers are refused", async () => {
    const { keys, yaml } = keysPerScope();
    const t = app(`http: { host: 0.0.0.0, port: 0 }\nsecurity:\n${yaml}\n`);
    await t.app.start();
    const url = t.app.server!.url();
    expect((await fetch(`${url}/v4/keyvaluesnamespaces`)).status).toBe(401);
    expect((await fetch(`${url}/v4/keyvaluesnamespaces`, { headers: { "x-api-key": keys["kv.read"] } })).status).toBe(200);
  });
});

describe("error bodies of refusals", () => {
  test("401, 403 and 429 from access control carry Butler's statusCode and message next to Steward's fields", async () => {
    const { keys, yaml } = keysPerScope();
    const t = app(`security:\n${yaml}\n  ipAllowlist: [10.1.2.3]\n  rateLimit:\n    perKey: { requests: 1, window: 10s }\n`);
    const unauth = await from(t, "127.0.0.1", "/v4/keyvaluesnamespaces");
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toMatchObject({ statusCode: 401, code: "UNAUTHORIZED", error: expect.any(String), message: expect.any(String) });
    const notListed = await from(t, "192.0.2.7", "/v4/keyvaluesnamespaces", { headers: { "x-api-key": keys["kv.read"] } });
    expect(notListed.status).toBe(403);
    const b403 = (await notListed.json()) as Record<string, unknown>;
    expect(b403).toMatchObject({ statusCode: 403, code: "FORBIDDEN", details: { check: "ipAllowlist" } });
    expect(b403.message).toBe(b403.error);
    await from(t, "127.0.0.1", "/v4/keyvaluesnamespaces", { headers: { "x-api-key": keys["kv.read"] } });
    const limited = await from(t, "127.0.0.1", "/v4/keyvaluesnamespaces", { headers: { "x-api-key": keys["kv.read"] } });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ statusCode: 429, code: "RATE_LIMITED" });
  });
});
