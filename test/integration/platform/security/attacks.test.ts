// Security review by attack: tries to get past access control through method override, path tricks,
// query-string keys, forged client-address headers, cross-origin browsers (CSRF, DNS rebinding) and error
// bodies, in process and, where the listener matters, over a real socket. Every attack must fail.
import { afterEach, describe, expect, test } from "bun:test";
import { hostname } from "node:os";
import { Writable } from "node:stream";
import pino from "pino";
import { createManualClock } from "../../../../src/platform/core/clock";
import { SCOPES } from "../../../../src/platform/http/types";
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
const json = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

function capturedLog() {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
  return { log: pino({ level: "debug" }, stream), lines };
}

describe("X-HTTP-Method-Override", () => {
  test("the overridden request needs the scope of the route it reaches and is audited as that route", async () => {
    const { keys, yaml } = keysPerScope();
    const t = app(`security:\n${yaml}\nfiles:\n  copy: [{ from: ./in, to: ./out }]\n`);
    const post = (path: string, key: string, method: string, body?: unknown) =>
      from(t, "127.0.0.1", path, {
        method: "POST",
        headers: { "x-api-key": key, "x-http-method-override": method, "content-type": "application/json" },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    expect(
      (await from(t, "127.0.0.1", "/v4/keyvalues/ns", { method: "POST", ...json({ key: "k", value: "v" }, { "x-api-key": keys["kv.write"] }) })).status,
    ).toBe(201);

    // kv.read may POST nothing and DELETE nothing, whichever way the method is spelled.
    for (const m of ["DELETE", "delete", " DELETE "]) {
      const r = await post("/v4/keyvalues/ns", keys["kv.read"], m);
      expect(r.status).toBe(403);
      expect(await r.json()).toMatchObject({ details: { check: "scope", scope: "kv.write" } });
    }
    expect((await post("/v4/filecopy", keys["kv.write"], "PUT", { fromFile: "/etc/passwd", toFile: "/tmp/x" })).status).toBe(403);
    expect((await post("/v4/reloadtask/abc/start", keys["kv.write"], "PUT")).status).toBe(403);
    expect((await post("/v4/admin/apikeys/key-tasks", keys.tasks, "DELETE")).status).toBe(403);
    expect((await from(t, "127.0.0.1", "/v4/keyvalues/ns?key=k", { headers: { "x-api-key": keys["kv.read"] } })).status).toBe(200);

    // The denial and the permitted write name the DELETE route, not the POST the caller sent.
    const denial = (await t.app.audit.query({ action: "access.denied", actorName: "key-kv.read" }))[0]!;
    expect(denial.target).toBe("DELETE /v4/keyvalues/ns");
    expect(await (await post("/v4/keyvalues/ns", keys["kv.write"], "DELETE")).status).toBe(204);
    const write = (await t.app.audit.query({ action: "api.write", actorName: "key-kv.write" }))[0]!;
    expect(write.target).toBe("DELETE /v4/keyvalues/ns");
    expect(write.details).toMatchObject({ route: "DELETE /v4/keyvalues/:namespace", scope: "kv.write" });
  });

  test("only PUT, DELETE and PATCH, only on POST; never to a safe method, never nested", async () => {
    const { keys, yaml } = keysPerScope();
    const t = app(`security:\n${yaml}\n`);
    for (const m of ["GET", "HEAD", "OPTIONS", "POST", "CONNECT", "TRACE"]) {
      const r = await from(t, "127.0.0.1", "/v4/keyvalues/ns", { method: "POST", headers: { "x-api-key": keys.admin, "x-http-method-override": m } });
      expect(r.status).toBe(400);
    }
    // On GET the header is ignored: a read stays a read.
    await from(t, "127.0.0.1", "/v4/keyvalues/ns", { method: "POST", ...json({ key: "k", value: "v" }, { "x-api-key": keys.admin }) });
    const r = await from(t, "127.0.0.1", "/v4/keyvalues/ns?key=k", { headers: { "x-api-key": keys["kv.read"], "x-http-method-override": "DELETE" } });
    expect(r.status).toBe(200);
    expect((await from(t, "127.0.0.1", "/v4/keyvalues/ns?key=k", { headers: { "x-api-key": keys.admin } })).status).toBe(200);
  });
});

describe("path tricks", () => {
  test("encoded, dotted, doubled, trailing and upper-case paths reach a route only through its guard", async () => {
    const { keys, yaml } = keysPerScope();
    const t = app(`security:\n${yaml}\n`);
    const variants = [
      "/v4/keyvaluesnamespaces",
      "//v4/keyvaluesnamespaces",
      "/v4//keyvaluesnamespaces",
      "/v4/../v4/keyvaluesnamespaces",
      "/v4/%2e%2e/v4/keyvaluesnamespaces",
      "/v4/./keyvaluesnamespaces",
      "/v4/%6Beyvaluesnamespaces",
      "/%76%34/keyvaluesnamespaces",
      "/v4/keyvaluesnamespaces/",
      "/v4/keyvaluesnamespaces%2F",
      "/v4/keyvaluesnamespaces;x=1",
      "/v4/keyvaluesnamespaces%00",
      "/V4/KEYVALUESNAMESPACES",
      "/ui/../v4/keyvaluesnamespaces",
      "/health/../v4/keyvaluesnamespaces",
      "/v4/butlerping/../keyvaluesnamespaces",
    ];
    for (const p of variants) {
      for (const method of ["GET", "HEAD"]) {
        const anon = await from(t, "127.0.0.1", p, { method });
        expect({ p, method, status: anon.status }).toEqual({ p, method, status: anon.status === 404 ? 404 : 401 });
        const wrong = await from(t, "127.0.0.1", p, { method, headers: { "x-api-key": keys.tasks } });
        expect({ p, method, status: wrong.status }).toEqual({ p, method, status: wrong.status === 404 ? 404 : 403 });
      }
    }
    // The write route behind a percent-encoded name still needs kv.write.
    const r = await from(t, "127.0.0.1", "/v4/%6Beyvalues/ns", { method: "POST", ...json({ key: "k", value: "v" }, { "x-api-key": keys["kv.read"] }) });
    expect(r.status).toBe(403);
    expect(await t.app.audit.query({ action: "kv.set" })).toEqual([]);
  });

  test("every route declares a known scope, and the public ones are exactly the reviewed list", () => {
    const t = app("files:\n  copy: [{ from: ./in, to: ./out }]\n  qvdRoot: ./qvd\n");
    const publicRoutes: string[] = [];
    for (const r of t.app.http.router.routes) {
      expect(SCOPES).toContain(r.scope);
      if (r.scope === "public") publicRoutes.push(`${String(r.method).toUpperCase()} ${r.path}`);
    }
    expect(publicRoutes.sort()).toEqual(
      [
        "GET /health",
        "GET /ready",
        "GET /metrics",
        "GET /v4/butlerping",
        "GET /v4/configfile/endpointsenabled",
        "GET /v4/base62tobase16",
        "GET /v4/base16tobase62",
        "GET /openapi.json",
        "GET /docs",
        "GET /documentation",
        // The browser asks for it on every page; 204, nothing read or written (issue 68).
        "GET /favicon.ico",
        // Steward's own documentation: pages built into the binary, escaped, under a script-less CSP.
        "GET /help",
        "GET /help/search",
        "GET /help/:page",
        "GET /v4/loadscript/steward.qvs",
        "GET /ui/login",
        "GET /ui/",
        // The on-call products' webhooks (issue 79): their signature or token is the credential, checked before the body
        // is read; off (404) while no channel has a secret for them.
        "POST /v4/integrations/pagerduty/webhook",
        "POST /v4/integrations/opsgenie/webhook",
        // A person's calendar feed (issue 106): the URL's random token is the credential (stored hashed, revocable;
        // an unknown and a revoked token answer the same 404).
        "GET /v4/oncall/feeds/:id",
      ].sort(),
    );
  });

  test("OPTIONS without CORS reaches no handler; HEAD on a write route does not exist", async () => {
    const { keys, yaml } = keysPerScope();
    const t = app(`security:\n${yaml}\n`);
    expect((await from(t, "127.0.0.1", "/v4/keyvalues/ns", { method: "OPTIONS" })).status).toBe(404);
    expect((await from(t, "127.0.0.1", "/v4/admin/apikeys/key-admin", { method: "HEAD", headers: { "x-api-key": keys.admin } })).status).toBe(404);
    expect((await from(t, "127.0.0.1", "/v4/admin/apikeys", { method: "GET", headers: { "x-api-key": keys.admin } })).status).toBe(200);
  });
});

describe("keys in the query string", () => {
  test("accepted only on the listed route, never when the mode is off, and never written to the log or audit", async () => {
    const { keys, yaml } = keysPerScope();
    const { log, lines } = capturedLog();
    const on = app(`security:\n${yaml}\n  queryKey:\n    enabled: true\n    routes: ["GET /v4/keyvalues/:namespace"]\n`, { log });
    expect((await from(on, "10.0.0.9", `/v4/keyvalues/ns?key=k&apiKey=${keys["kv.read"]}`)).status).toBe(404); // accepted, no such key
    expect((await from(on, "10.0.0.9", `/v4/keylist/ns?apiKey=${keys["kv.read"]}`)).status).toBe(401);
    expect((await from(on, "10.0.0.9", `/v4/keyvalues/ns?key=k&apiKey=${keys["kv.read"]}`, { method: "POST", ...json({ key: "k", value: "v" }) })).status).toBe(
      401,
    );
    expect(
      (await from(on, "10.0.0.9", `/v4/keyvalues/ns?key=k&apiKey=${keys.admin}`, { method: "POST", headers: { "x-http-method-override": "DELETE" } })).status,
    ).toBe(401);
    // A parameter of another spelling is just an unknown query parameter: no key, so anonymous.
    expect((await from(on, "10.0.0.9", `/v4/keyvalues/ns?key=k&APIKEY=${keys["kv.read"]}`)).status).toBe(401);
    const off = app(`security:\n${yaml}\n`, { log });
    expect((await from(off, "10.0.0.9", `/v4/keyvalues/ns?key=k&apiKey=${keys["kv.read"]}`)).status).toBe(401);

    const audited = await Promise.all([on, off].map((x) => x.app.audit.query({})));
    const everything = [...lines, ...audited.flat().map((e) => JSON.stringify(e))].join("\n");
    expect(everything).toContain("API key accepted from the query string");
    for (const k of Object.values(keys)) expect(everything).not.toContain(k);
    expect(everything).not.toContain("apiKey=");
  });
});

describe("client address spoofing", () => {
  test("X-Forwarded-For, X-Real-IP and Forwarded are ignored by the allowlist and the per-IP limit", async () => {
    const clock = createManualClock(Date.parse("2026-03-01T10:00:00Z"));
    const t = app("security:\n  ipAllowlist: [10.1.0.0/16]\n  rateLimit:\n    perIp: { requests: 2, window: 1m }\n", { clock });
    const forged = { "x-forwarded-for": "10.1.2.3, 127.0.0.1", "x-real-ip": "127.0.0.1", forwarded: "for=127.0.0.1", "true-client-ip": "10.1.2.3" };
    const r = await from(t, "10.2.0.1", "/health", { headers: forged });
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ details: { check: "ipAllowlist" } });
    // An allowed remote caller cannot claim loopback to escape its rate limit.
    for (let i = 0; i < 2; i++) expect((await from(t, "10.1.0.5", "/health", { headers: forged })).status).toBe(200);
    expect((await from(t, "10.1.0.5", "/health", { headers: { "x-forwarded-for": "127.0.0.1" } })).status).toBe(429);
  });

  test("only real loopback addresses are loopback: mapped ::ffff:127.x is, IPv4-compatible and NAT64 forms are not", async () => {
    const t = app("security:\n  ipAllowlist: [10.1.0.0/16]\n");
    for (const ip of ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.1.0.1", "[::1]"]) {
      expect({ ip, status: (await from(t, ip, "/health")).status }).toEqual({ ip, status: 200 });
    }
    for (const ip of [
      "::127.0.0.1",
      "::7f00:1",
      "64:ff9b::7f00:1",
      "::ffff:10.2.0.1",
      "fe80::1%lo",
      "0.0.0.0",
      "::",
      "2001:db8::1",
      "127.0.0.1.evil",
      "localhost",
      "not an ip",
      "",
    ]) {
      expect({ ip, status: (await from(t, ip, "/health")).status }).toEqual({ ip, status: 403 });
    }
  });

  test("over a real socket, forged forwarding headers share the peer's per-IP budget", async () => {
    const t = app("http: { host: 127.0.0.1, port: 0 }\nsecurity:\n  rateLimit:\n    perIp: { requests: 2, window: 1h }\n    exemptLoopback: false\n");
    await t.app.start();
    const url = `${t.app.server!.url()}/health`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await fetch(url, { headers: { "x-forwarded-for": `10.0.0.${i}`, "x-real-ip": `10.0.1.${i}` } });
      await r.arrayBuffer();
      statuses.push(r.status);
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect((await t.app.audit.query({ action: "access.denied" }))[0]!.actor.ip).toBe("127.0.0.1");
  });
});

describe("CORS and cross-site requests", () => {
  const cors = "control:\n  cors: { enabled: true, allowOrigins: ['https://sense.example'] }\n";

  test("a preflight or a call from an unlisted origin gets no Access-Control-Allow-Origin; there are no cookies", async () => {
    const { keys, yaml } = keysPerScope();
    const t = app(`security:\n${yaml}\n${cors}`);
    const pre = await from(t, "127.0.0.1", "/v4/keyvalues/ns", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "DELETE", "access-control-request-headers": "x-api-key" },
    });
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    expect(pre.headers.get("access-control-allow-credentials")).toBeNull();
    const get = await from(t, "127.0.0.1", "/v4/keyvaluesnamespaces", { headers: { origin: "https://evil.example", "x-api-key": keys.admin } });
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
    // Lookalike origins are not the listed one.
    for (const o of ["https://sense.example.evil.example", "http://sense.example", "https://sense.example:8443", "null"]) {
      const r = await from(t, "127.0.0.1", "/v4/keyvaluesnamespaces", { method: "OPTIONS", headers: { origin: o, "access-control-request-method": "GET" } });
      expect(r.headers.get("access-control-allow-origin")).toBeNull();
    }
    for (const r of t.app.http.router.routes.filter((x) => x.method === "get" && !x.path.includes(":"))) {
      const res = await from(t, "127.0.0.1", r.path, { headers: { "x-api-key": keys.admin } });
      await res.arrayBuffer();
      expect({ path: r.path, cookie: res.headers.get("set-cookie") }).toEqual({ path: r.path, cookie: null });
    }
  });

  test("an unlisted address gets no preflight answer either", async () => {
    const t = app(`security:\n  ipAllowlist: [10.1.0.0/16]\n${cors}`);
    const r = await from(t, "10.2.0.1", "/v4/keyvalues/ns", {
      method: "OPTIONS",
      headers: { origin: "https://sense.example", "access-control-request-method": "PUT" },
    });
    expect(r.status).toBe(403);
    expect(r.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("open loopback API: a cross-site page cannot write (a form post needs no preflight); same origin and non-browser clients can", async () => {
    const t = app(cors);
    const post = (key: string, headers: Record<string, string>) =>
      from(t, "127.0.0.1", "http://127.0.0.1:8080/v4/keyvalues/csrf", {
        method: "POST",
        headers: { "content-type": "text/plain", ...headers },
        body: JSON.stringify({ key, value: "x" }),
      });
    for (const origin of ["https://evil.example", "null", "http://127.0.0.1:9999", "http://localhost:8080"]) {
      const r = await post("evil", { origin });
      expect({ origin, status: r.status }).toEqual({ origin, status: 403 });
      expect((await r.json()).details).toEqual({ check: "origin" });
    }
    expect((await post("evil", { origin: "https://evil.example", "sec-fetch-site": "same-origin" })).status).toBe(403);
    expect((await post("same", { origin: "http://127.0.0.1:8080" })).status).toBe(201);
    expect((await post("proxied", { origin: "https://steward.corp.example", "x-forwarded-host": "steward.corp.example" })).status).toBe(201);
    expect((await post("listed", { origin: "https://sense.example" })).status).toBe(201);
    expect((await post("curl", {})).status).toBe(201);
    // Reads are not writes; CORS already keeps their answers from foreign pages.
    expect((await from(t, "127.0.0.1", "http://127.0.0.1:8080/v4/keyvaluesnamespaces", { headers: { origin: "https://evil.example" } })).status).toBe(200);
    const stored = (await (await from(t, "127.0.0.1", "/v4/keylist/csrf")).json()) as { keys: Array<{ key: string }> };
    expect(stored.keys.map((k) => k.key).sort()).toEqual(["curl", "listed", "proxied", "same"]);
    // The five refusals are one caller's one denial: written once, the repeats counted (audit-flood.test.ts).
    expect(await t.app.audit.query({ action: "access.denied" })).toMatchObject([{ target: "POST /v4/keyvalues/csrf", details: { check: "origin" } }]);
  });

  test("behind a load balancer that names the member in Host: a write from http.publicUrl's own pages passes, a foreign page's does not", async () => {
    const t = app("http:\n  publicUrl: https://steward.corp.example/\n");
    // The balancer forwards to the member by its own address and adds no X-Forwarded-Host.
    const post = (key: string, origin: string) =>
      from(t, "127.0.0.1", "http://127.0.0.1:8080/v4/keyvalues/balanced", {
        method: "POST",
        headers: { "content-type": "text/plain", origin },
        body: JSON.stringify({ key, value: "x" }),
      });
    expect((await post("own", "https://steward.corp.example")).status).toBe(201);
    for (const origin of [
      "https://evil.example",
      "http://steward.corp.example",
      "https://steward.corp.example.evil.example",
      "https://steward.corp.example:8443",
    ]) {
      const r = await post("evil", origin);
      expect({ origin, status: r.status }).toEqual({ origin, status: 403 });
    }
  });

  test("an alert link's confirmation passes the origin check (the link is its credential); nothing else rides on its path", async () => {
    const t = app(`${cors}actionLinks: { publicBaseUrl: "https://steward.corp.example" }\n`);
    const post = (path: string, origin: string) =>
      from(t, "127.0.0.1", `http://127.0.0.1:8080${path}`, {
        method: "POST",
        headers: { "content-type": "text/plain", origin },
        body: JSON.stringify({ key: "evil", value: "x" }),
      });
    // The link's own page judges it: an unsigned one is its 400 page, not the browser guard's 403.
    for (const origin of ["null", "https://evil.example"]) {
      const r = await post("/act/incident/1", origin);
      expect({ origin, status: r.status, type: r.headers.get("content-type") }).toEqual({ origin, status: 400, type: "text/html; charset=UTF-8" });
    }
    // Paths that only start like a link are judged as what they are.
    for (const path of ["/act/incident/1/../../v4/keyvalues/csrf", "/act/incident/1%2F..%2F..%2Fv4%2Fkeyvalues%2Fcsrf", "/act/incident/1x", "/act/incidents"]) {
      const r = await post(path, "https://evil.example");
      expect({ path, status: r.status }).toEqual({ path, status: 403 });
    }
    const stored = (await (await from(t, "127.0.0.1", "/v4/keylist/csrf")).json()) as { keys?: Array<{ key: string }> };
    expect(stored.keys ?? []).toEqual([]);
  });

  test("a signed link passes the Host check too; with keys a read passes whatever Host and Origin it names, a cross-site write does not", async () => {
    // Open loopback API reached by a proxy's name: the link's own page judges the link (an unsigned one is its 400 page).
    const t = app(`actionLinks: { publicBaseUrl: "https://steward.corp.example" }\n`);
    const link = await from(t, "127.0.0.1", "http://steward.corp.example/act/incident/1");
    expect({ status: link.status, type: link.headers.get("content-type") }).toEqual({ status: 400, type: "text/html; charset=UTF-8" });
    // Any other path addressed by that name is refused, as a DNS-rebinding page's would be.
    expect((await from(t, "127.0.0.1", "http://steward.corp.example/act/incidents")).status).toBe(403);
    const { keys, yaml } = keysPerScope();
    const keyed = app(`security:\n${yaml}\n`);
    const evil = { origin: "https://evil.example" };
    const read = await from(keyed, "127.0.0.1", "http://rebind.evil.example/v4/keyvaluesnamespaces", { headers: { "x-api-key": keys["kv.read"], ...evil } });
    expect(read.status).toBe(200);
    const write = await from(keyed, "127.0.0.1", "http://rebind.evil.example/v4/keyvalues/csrf", {
      method: "POST",
      ...json({ key: "k", value: "v" }, { "x-api-key": keys["kv.write"], ...evil }),
    });
    expect({ status: write.status, check: ((await write.json()) as { details?: { check?: string } }).details?.check }).toEqual({
      status: 403,
      check: "origin",
    });
    const sameOrigin = await from(keyed, "127.0.0.1", "http://rebind.evil.example/v4/keyvalues/csrf", {
      method: "POST",
      ...json({ key: "k", value: "v" }, { "x-api-key": keys["kv.write"], origin: "http://rebind.evil.example" }),
    });
    expect(sameOrigin.status).toBe(201);
  });

  test("open loopback API: a DNS-rebinding page (its own host name) is refused; loopback names pass; keys turn the check off", async () => {
    const t = app("");
    for (const host of ["rebind.evil.example:8080", "10.0.0.5:8080", "127.0.0.1.nip.io"]) {
      const r = await from(t, "127.0.0.1", `http://${host}/v4/keyvaluesnamespaces`);
      expect({ host, status: r.status }).toEqual({ host, status: 403 });
    }
    for (const host of ["127.0.0.1:8080", "localhost:8080", "[::1]:8080", "steward.localhost"]) {
      expect({ host, status: (await from(t, "127.0.0.1", `http://${host}/v4/keyvaluesnamespaces`)).status }).toEqual({ host, status: 200 });
    }
    const { keys, yaml } = keysPerScope();
    const keyed = app(`security:\n${yaml}\n`);
    expect((await from(keyed, "127.0.0.1", "http://steward.corp.example/v4/keyvaluesnamespaces", { headers: { "x-api-key": keys["kv.read"] } })).status).toBe(
      200,
    );
  });

  test("open non-loopback API: only IP addresses, this computer's name and security.allowedHosts are answered (DNS rebinding)", async () => {
    const wide = app("http: { host: 0.0.0.0, port: 0 }\nsecurity: { allowUnauthenticated: true }\n");
    for (const host of ["rebind.evil.example:8080", "steward.corp.example", `${hostname()}.evil.example`]) {
      const r = await from(wide, "10.0.0.7", `http://${host}/v4/keyvaluesnamespaces`);
      expect({ host, status: r.status }).toEqual({ host, status: 403 });
      expect(await r.json()).toMatchObject({ details: { check: "host" } });
    }
    for (const host of ["10.0.0.5:8080", "[fd00::5]:8080", "127.0.0.1", "localhost:8080", hostname().toUpperCase()]) {
      expect({ host, status: (await from(wide, "10.0.0.7", `http://${host}/v4/keyvaluesnamespaces`)).status }).toEqual({ host, status: 200 });
    }
    // Listed names pass, case-insensitively; a key turns the check off.
    const listed = app("http: { host: 0.0.0.0, port: 0 }\nsecurity: { allowUnauthenticated: true, allowedHosts: [Steward.Corp.Example] }\n");
    expect((await from(listed, "10.0.0.7", "http://steward.corp.example:8080/v4/keyvaluesnamespaces")).status).toBe(200);
    expect((await from(listed, "10.0.0.7", "http://rebind.evil.example/v4/keyvaluesnamespaces")).status).toBe(403);
    const { keys, yaml } = keysPerScope();
    const keyed = app(`http: { host: 0.0.0.0, port: 0 }\nsecurity:\n${yaml}\n`);
    expect((await from(keyed, "10.0.0.7", "http://rebind.evil.example/v4/keyvaluesnamespaces", { headers: { "x-api-key": keys["kv.read"] } })).status).toBe(
      200,
    );
  });
});

describe("scope escalation through side channels", () => {
  test("a task start carrying keyvaluestore items needs kv.write as well as tasks", async () => {
    const { keys, yaml } = keysPerScope();
    const t = app(`security:\n${yaml}\n`);
    const start = (key: string) =>
      from(t, "127.0.0.1", "/v4/reloadtask/-/start", {
        method: "POST",
        ...json([{ type: "keyvaluestore", payload: { namespace: "side", key: "k", value: "planted" } }], { "x-api-key": key }),
      });
    const r = await start(keys.tasks);
    expect(r.status).toBe(403);
    expect((await r.json()).error).toContain('scope "kv.write"');
    const read = () => from(t, "127.0.0.1", "/v4/keyvalues/side?key=k", { headers: { "x-api-key": keys["kv.read"] } });
    expect((await read()).status).toBe(404);
    // With both scopes (here: admin) the Butler-style start stores the item.
    expect((await start(keys.admin)).status).toBe(200);
    expect(await (await read()).json()).toMatchObject({ value: "planted" });
  });
});

describe("error bodies and logs", () => {
  test("anonymous callers see readiness without details (paths, errors); admin sees them", async () => {
    const { keys, yaml } = keysPerScope();
    const t = app(`security:\n${yaml}\n`);
    const anon = await (await from(t, "10.0.0.9", "/ready")).text();
    expect(anon).not.toContain(t.dir);
    expect(anon).not.toContain("detail");
    expect(JSON.parse(anon).components.store).toEqual({ ok: true, required: true });
    const admin = await (await from(t, "10.0.0.9", "/ready", { headers: { "x-api-key": keys.admin } })).text();
    expect(admin).toContain(t.dir);
    expect((await from(t, "10.0.0.9", "/ready", { headers: { "x-api-key": keys["kv.read"] } })).status).toBe(200);
  });

  test("no 4xx or 5xx answer repeats a presented key, a configured secret or a hash", async () => {
    const { keys, yaml } = keysPerScope();
    const { log, lines } = capturedLog();
    const webhook = "http://127.0.0.1:9/services/T0/B0/WEBHOOKSECRET";
    const t = app(`security:\n${yaml}\ncontrol:\n  slack: { webhookUrl: "${webhook}", timeoutMs: 2000 }\n`, { log });
    const wrong = "stw_wrong0123456789wrong0123456789wrong01234";
    const bodies: string[] = [];
    const collect = async (p: Promise<Response>) => {
      const r = await p;
      expect(r.status).toBeGreaterThanOrEqual(400);
      bodies.push(await r.text());
    };
    await collect(from(t, "10.0.0.9", "/v4/keyvaluesnamespaces", { headers: { "x-api-key": wrong } }));
    await collect(from(t, "10.0.0.9", "/v4/keyvaluesnamespaces", { headers: { authorization: `Bearer ${wrong}` } }));
    await collect(from(t, "10.0.0.9", "/v4/audit", { headers: { "x-api-key": keys.tasks } }));
    await collect(from(t, "10.0.0.9", "/v4/nope", { headers: { "x-api-key": keys.admin } }));
    await collect(from(t, "10.0.0.9", "/v4/keyvalues/ns", { method: "POST", headers: { "x-api-key": keys.admin }, body: "{bad" }));
    await collect(
      from(t, "10.0.0.9", "/v4/slackpostmessage", { method: "PUT", ...json({ channel: "#c", from_user: "u", msg: "m" }, { "x-api-key": keys.mqtt }) }),
    );
    const security = await (await from(t, "10.0.0.9", "/v4/admin/security", { headers: { "x-api-key": keys.admin } })).text();
    const listing = await (await from(t, "10.0.0.9", "/v4/admin/apikeys", { headers: { "x-api-key": keys.admin } })).text();
    const all = [...bodies, security, listing, ...lines].join("\n");
    expect(all).not.toContain(wrong);
    for (const k of Object.values(keys)) expect(all).not.toContain(k);
    expect(all).not.toContain("sha256:");
    expect(all).not.toContain("WEBHOOKSECRET");
  });
});
