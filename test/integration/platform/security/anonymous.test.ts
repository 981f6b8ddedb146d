// security.anonymous beyond the defaults first-key.test.ts shows: the addresses and scopes an admin lists are exactly
// what a caller without a key keeps; a proxy Steward does not trust, or a foreign host name (DNS rebinding), gets no
// grant; statusAccess.public opens the status page; `config check` says what the first key changes; bad values are
// errors naming the key and line (the test app puts four lines of its own before the YAML given).
import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { configCheckCommand } from "../../../../src/show/cli/config-commands";
import { sha256Hex } from "../../../../src/platform/security/api-keys";
import { inProcessEnv } from "../../../../src/platform/http/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";

const ADMIN_KEY = "admin-key-of-the-qlik-admins-000001";
const open: TestApp[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

function app(security = ""): TestApp {
  const t = createTestApp(`security:\n  apiKeys:\n    - { name: admins, hash: "sha256:${sha256Hex(ADMIN_KEY)}", scopes: [admin] }\n${security}`);
  open.push(t);
  return t;
}
const from = (t: TestApp, ip: string, path: string, headers: Record<string, string> = {}) =>
  Promise.resolve(t.app.http.hono.request(path, { headers }, { remoteAddress: ip }));
const message = async (r: Response) => ((await r.json()) as { message: string }).message;

describe("what the admin lists is what a caller without a key keeps", () => {
  test("from: the listed range keeps the scopes; another address and loopback (not listed) get 401 naming the grant", async () => {
    const t = app("  anonymous: { scopes: [kv.read], from: [10.20.0.0/16] }\n");
    expect((await from(t, "10.20.3.4", "/v4/keyvaluesnamespaces")).status).toBe(200);
    for (const ip of ["10.21.0.1", "127.0.0.1"]) {
      const r = await from(t, ip, "/v4/keyvaluesnamespaces");
      expect(r.status).toBe(401);
      const said = await message(r);
      expect(said).toContain(`callers without a key may use kv.read from the addresses security.anonymous.from lists, and address ${ip} is not one of them`);
      // The grant's addresses are the site's own: not told to whoever is refused.
      expect(said).not.toContain("10.20.0.0");
    }
    // A scope the grant does not list stays closed, also from the range.
    const r = await from(t, "10.20.3.4", "/v4/incidents");
    expect(r.status).toBe(401);
    expect(await message(r)).toContain('needs credentials with scope "read"');
    // The policy summary shows the grant.
    const summary = (await (await from(t, "127.0.0.1", "/v4/admin/security", { "x-api-key": ADMIN_KEY })).json()) as { anonymous: unknown };
    expect(summary.anonymous).toEqual({ scopes: ["kv.read"], from: ["10.20.0.0/16"] });
  });

  test("scopes: [] closes every non-public route to callers without a key, Steward's own calls too", async () => {
    const t = app("  anonymous: { scopes: [] }\n");
    expect((await from(t, "127.0.0.1", "/v4/keyvaluesnamespaces")).status).toBe(401);
    expect((await t.app.http.hono.request("/v4/keyvaluesnamespaces", {}, inProcessEnv())).status).toBe(401);
    expect((await from(t, "127.0.0.1", "/health")).status).toBe(200);
  });

  test("the default without a qlik: section: this server (and Steward's own calls, the demo's load script) keep the load-script scopes", async () => {
    const t = app();
    expect((await from(t, "127.0.0.1", "/v4/keyvaluesnamespaces")).status).toBe(200);
    const write = await t.app.http.hono.request(
      "/v4/keyvalues/etl-state",
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: "k", value: "v" }) },
      inProcessEnv(),
    );
    expect(write.status).toBe(201);
    expect((await from(t, "192.0.2.9", "/v4/keyvaluesnamespaces")).status).toBe(401);
    expect((await from(t, "127.0.0.1", "/v4/admin/apikeys")).status).toBe(401);
  });
});

describe("the grant is judged on the real caller", () => {
  test("through a proxy that is not trusted: no grant; through a trusted one: the client it names is judged", async () => {
    const t = app("  anonymous: { scopes: [kv.read], from: [10.20.0.0/16] }\n  trustedProxies: [10.9.9.9]\n");
    const untrusted = await from(t, "10.20.3.4", "/v4/keyvaluesnamespaces", { "x-forwarded-for": "10.20.3.5" });
    expect(untrusted.status).toBe(401);
    expect(await message(untrusted)).toContain("came through a proxy (10.20.3.4) that is not in security.trustedProxies");
    expect((await from(t, "10.9.9.9", "/v4/keyvaluesnamespaces", { "x-forwarded-for": "10.20.3.5" })).status).toBe(200);
    expect((await from(t, "10.9.9.9", "/v4/keyvaluesnamespaces", { "x-forwarded-for": "192.0.2.1" })).status).toBe(401);
    // A proxy on this server (loopback) without trustedProxies: every caller would look local, so none gets the grant.
    expect((await from(t, "127.0.0.1", "/v4/keyvaluesnamespaces", { "x-forwarded-for": "10.20.3.5" })).status).toBe(401);
  });

  test("a proxy listed only in statusAccess.trustedProxies names callers for the status routes, never for the grant (issue 86)", async () => {
    const t = app(
      "  anonymous: { scopes: [kv.read, kv.write], from: [10.20.0.0/16] }\n  statusAccess: { ipAllowlist: [10.20.0.0/16], trustedProxies: [10.9.9.9] }\n",
    );
    const write = await t.app.http.hono.request(
      "/v4/keyvalues/etl-state",
      { method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": "10.20.3.5" }, body: JSON.stringify({ key: "k", value: "v" }) },
      { remoteAddress: "10.9.9.9" },
    );
    expect(write.status).toBe(401);
    expect(await message(write)).toContain("came through a proxy (10.9.9.9) that is not in security.trustedProxies");
    expect((await from(t, "10.9.9.9", "/v4/keyvaluesnamespaces", { "x-forwarded-for": "10.20.3.5" })).status).toBe(401);
    // What statusAccess.trustedProxies is for: the status routes judge the client the proxy names.
    expect((await from(t, "10.9.9.9", "/status", { accept: "text/html", "x-forwarded-for": "10.20.3.5" })).status).toBe(200);
    expect((await from(t, "10.9.9.9", "/status", { accept: "text/html", "x-forwarded-for": "192.0.2.1" })).status).toBe(403);
  });

  test("a request that names the server by a foreign host (DNS rebinding) gets no grant", async () => {
    const t = app("  anonymous: { scopes: [kv.read], from: [loopback] }\n");
    expect((await t.app.http.hono.request("http://localhost/v4/keyvaluesnamespaces", {}, { remoteAddress: "127.0.0.1" })).status).toBe(200);
    const r = await t.app.http.hono.request("http://attacker.example/v4/keyvaluesnamespaces", {}, { remoteAddress: "127.0.0.1" });
    expect(r.status).toBe(401);
    expect(await message(r)).toContain("addressed to localhost or 127.0.0.1 (not attacker.example)");
  });
});

describe("the status page", () => {
  test("statusAccess.public: /status and /v4/status/… without a key from anywhere; nothing else opens", async () => {
    const t = app("  statusAccess: { public: true }\n");
    const page = await from(t, "192.0.2.7", "/status", { accept: "text/html" });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect((await from(t, "192.0.2.7", "/v4/status/streams/Sales")).status).toBe(404);
    expect((await from(t, "192.0.2.7", "/v4/keyvaluesnamespaces")).status).toBe(401);
  });

  test("refused by the status allowlist in a browser: an HTML 403 page; an API client keeps the JSON 403", async () => {
    const t = app("  statusAccess: { ipAllowlist: [10.20.0.0/16] }\n");
    const page = await from(t, "192.0.2.7", "/status", { accept: "text/html" });
    expect(page.status).toBe(403);
    expect(page.headers.get("content-type")).toContain("text/html");
    // In the reader's words: the address to tell the Qlik team, no config key, no scope.
    const text = await page.text();
    expect(text).toContain("not to the one you are on (your address: 192.0.2.7)");
    expect(text).not.toMatch(/security\.|statusAccess|ipAllowlist|scope/);
    expect(((await (await from(t, "192.0.2.7", "/status")).json()) as { error: string }).error).toContain("security.statusAccess.ipAllowlist");
    const client = await from(t, "192.0.2.7", "/status");
    expect(client.status).toBe(403);
    expect(client.headers.get("content-type")).toContain("application/json");
  });

  test("refused in a browser where security.anonymous grants other addresses: the page does not speak of it", async () => {
    const t = app("  anonymous: { scopes: [status], from: [10.30.0.0/16] }\n");
    const r = await from(t, "192.0.2.7", "/status", { accept: "text/html" });
    expect(r.status).toBe(401);
    const html = await r.text();
    expect(html).toContain("Open this page with the link your Qlik team gave you.");
    expect(html).not.toMatch(/anonymous|scope|security\./);
    // The API client's JSON still says what an administrator needs.
    expect(((await (await from(t, "192.0.2.7", "/status")).json()) as { error: string }).error).toContain("security.anonymous.from");
  });

  test("refused in a browser: an HTML page with a form when /status takes a key in the query string", async () => {
    const t = app('  queryKey: { enabled: true, routes: ["GET /status"] }\n');
    const r = await from(t, "192.0.2.7", "/status", { accept: "text/html,*/*;q=0.8" });
    expect(r.status).toBe(401);
    expect(r.headers.get("content-type")).toContain("text/html");
    const html = await r.text();
    expect(html).toContain('<form method="get" action="/status">');
    expect(html).toContain('name="apiKey"');
    expect(html).toContain("Access key");
    expect(html).not.toMatch(/scope|security\.|anonymous/);
  });
});

describe("config", () => {
  test("bad values are errors naming the key and its line", () => {
    expect(() => createTestApp("security:\n  anonymous:\n    scopes: [tasks, admin]\n")).toThrow(
      /test\.yaml:8:\d+ security\.anonymous\.scopes\[1\]: admin is never granted to callers without a key/,
    );
    expect(() => createTestApp("security:\n  anonymous:\n    from: [qlik-nodes, nodes]\n")).toThrow(
      /test\.yaml:8:\d+ security\.anonymous\.from\[1\]: expected qlik-nodes, loopback, or an IP address or CIDR/,
    );
    expect(() => createTestApp("security:\n  statusAccess: { public: true, requireKey: true }\n")).toThrow("security.statusAccess.public");
  });

  test("config check says what the first key will change, and once keys exist what callers without one keep", () => {
    const dir = createTempDir("steward-anon-check-");
    try {
      const file = join(dir.path, "steward.yaml");
      writeFileSync(file, `dataDir: ${dir.path}/data\nhttp: { host: 127.0.0.1, port: 8080 }\n`);
      const lines: string[] = [];
      expect(configCheckCommand(file, (s) => lines.push(s))).toBe(0);
      const before = lines.find((l) => l.startsWith("Access:"))!;
      expect(before).toContain("no API key or client certificate yet, so every caller that reaches 127.0.0.1 may use every route");
      expect(before).toContain("callers without a key then keep the public routes and tasks, apps, kv.read, kv.write, files, mqtt from this server");
      expect(before).toContain("the dashboard asks for a key");
      writeFileSync(
        file,
        `dataDir: ${dir.path}/data\nhttp: { host: 127.0.0.1, port: 8080 }\nsecurity:\n  apiKeys: [{ name: a, hash: "sha256:${sha256Hex(ADMIN_KEY)}", scopes: [admin] }]\n  anonymous: { scopes: [] }\n`,
      );
      lines.length = 0;
      configCheckCommand(file, (s) => lines.push(s));
      expect(lines.find((l) => l.startsWith("Access:"))).toContain("Callers without a key may use nothing but the public routes");
    } finally {
      dir.remove();
    }
  });
});
