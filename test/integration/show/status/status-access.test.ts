// The status routes' address allowlist (security.statusAccess): an address in the list reads /status and
// /v4/status/… without a key, others get a 403 JSON naming their address (a status key still works for them unless
// requireKey); no other route opens to the list; X-Forwarded-For counts only from a configured trusted proxy.
import { afterEach, describe, expect, test } from "bun:test";
import { sha256Hex } from "../../../../src/platform/security/api-keys";
import { createTestApp, type TestApp } from "../../../helpers/app";

const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const STATUS_KEY = "status-key-for-the-extension-0001";
const ADMIN_KEY = "admin-key-for-the-qlik-admins-0001";
const open: TestApp[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function app(statusAccess: string): Promise<TestApp> {
  const t = createTestApp(
    `security:\n  apiKeys:\n    - { name: portal, hash: "sha256:${sha256Hex(STATUS_KEY)}", scopes: [status] }\n    - { name: admins, hash: "sha256:${sha256Hex(ADMIN_KEY)}", scopes: [admin] }\n  statusAccess:\n${statusAccess}\nfreshness:\n  interval: 1h\n  promises:\n    sales-morning:\n      appIds: [${SALES}]\n      freshBy: "07:00"\n`,
  );
  open.push(t);
  await t.app.freshness!.store.recordReload({ appId: SALES, appName: "Sales", stream: "Sales", tags: [], ok: true, atMs: Date.now(), task: "Reload Sales" });
  return t;
}
const from = (t: TestApp, ip: string, path: string, headers: Record<string, string> = {}) =>
  Promise.resolve(t.app.http.hono.request(path, { headers }, { remoteAddress: ip }));

describe("an allowlist instead of the key (requireKey: false)", () => {
  const yaml = "    ipAllowlist: [10.20.0.0/16, 'fd00:20::/32']\n";

  test("listed IPv4 and IPv6 addresses (also IPv4-mapped) read every status route without a key", async () => {
    const t = await app(yaml);
    for (const ip of ["10.20.3.4", "fd00:20::7", "::ffff:10.20.9.9"]) {
      for (const path of [`/v4/status/apps/${SALES}`, `/v4/status/apps/${SALES}/badge.svg`, "/v4/status/streams/Sales", "/status"]) {
        const r = await from(t, ip, path);
        expect(`${ip} ${path} ${r.status}`).toBe(`${ip} ${path} 200`);
      }
    }
  });

  test("an address outside the list: 403 JSON naming it; a status key still reads from there", async () => {
    const t = await app(yaml);
    for (const ip of ["10.21.0.1", "fd00:21::1", "127.0.0.1"]) {
      const r = await from(t, ip, `/v4/status/apps/${SALES}`);
      expect(r.status).toBe(403);
      expect(r.headers.get("content-type")).toContain("application/json");
      const body = (await r.json()) as { code: string; error: string; details: { check: string } };
      expect(body).toMatchObject({ code: "FORBIDDEN", details: { check: "statusAccess" } });
      expect(body.error).toContain(`address ${ip} is not in security.statusAccess.ipAllowlist`);
    }
    expect((await from(t, "10.21.0.1", `/v4/status/apps/${SALES}`, { "x-api-key": STATUS_KEY })).status).toBe(200);
    // A wrong key is refused as a wrong key, even from a listed address.
    expect((await from(t, "10.20.0.1", `/v4/status/apps/${SALES}`, { "x-api-key": "not-a-key-of-this-steward-000" })).status).toBe(401);
  });

  test("the list opens the status routes only: a listed address without a key reads nothing else", async () => {
    const t = await app(yaml);
    for (const path of ["/v4/checkins", "/v4/keyvaluesnamespaces", "/v4/admin/apikeys"]) {
      const r = await from(t, "10.20.3.4", path);
      expect(`${path} ${r.status}`).toBe(`${path} 401`);
    }
  });

  test("a forged X-Forwarded-For is ignored without trustedProxies", async () => {
    const t = await app(yaml);
    const r = await from(t, "192.0.2.7", `/v4/status/apps/${SALES}`, { "x-forwarded-for": "10.20.3.4" });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: string }).error).toContain("address 192.0.2.7 ");
  });
});

describe("behind a trusted proxy", () => {
  const yaml = "    ipAllowlist: [10.20.0.0/16, 'fd00:20::/32']\n    trustedProxies: [192.0.2.10, '2001:db8::10']\n";

  test("the client's address is the right-most one the trusted proxies did not write", async () => {
    const t = await app(yaml);
    const get = (peer: string, xff: string) => from(t, peer, `/v4/status/apps/${SALES}`, { "x-forwarded-for": xff });
    expect((await get("192.0.2.10", "10.20.3.4")).status).toBe(200);
    expect((await get("2001:db8::10", "fd00:20::9")).status).toBe(200);
    // A client that writes a listed address itself: the proxy appends the real one, which is judged.
    const forged = await get("192.0.2.10", "10.20.3.4, 198.51.100.23");
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: string }).error).toContain("address 198.51.100.23 ");
    // Two trusted hops: skipped.
    expect((await get("192.0.2.10", "10.20.3.4, 2001:db8::10")).status).toBe(200);
    // The same header from a peer that is not a trusted proxy: its own address counts.
    expect((await get("192.0.2.11", "10.20.3.4")).status).toBe(403);
    // An unreadable or oversized header from the proxy: refused, never guessed.
    const bad = await get("192.0.2.10", "10.20.3.4, not-an-ip");
    expect(bad.status).toBe(403);
    expect(((await bad.json()) as { error: string }).error).toContain("X-Forwarded-For (unreadable)");
    expect((await get("192.0.2.10", Array.from({ length: 40 }, () => "10.20.3.4").join(", "))).status).toBe(403);
    expect((await get("192.0.2.10", `10.20.3.4,${" ".repeat(3000)}10.20.3.4`)).status).toBe(403);
  });
});

describe("the allowlist in addition to the key (requireKey: true)", () => {
  test("a status key works from a listed address only; no key is 401 there", async () => {
    const t = await app("    ipAllowlist: [10.20.0.0/16]\n    requireKey: true\n");
    expect((await from(t, "10.20.3.4", `/v4/status/apps/${SALES}`, { "x-api-key": STATUS_KEY })).status).toBe(200);
    expect((await from(t, "10.20.3.4", `/v4/status/apps/${SALES}`)).status).toBe(401);
    const r = await from(t, "10.30.0.1", `/v4/status/apps/${SALES}`, { "x-api-key": STATUS_KEY });
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ code: "FORBIDDEN", details: { check: "statusAccess" } });
    // The admin key is bound by the list as well on these routes.
    expect((await from(t, "10.30.0.1", `/v4/status/apps/${SALES}`, { "x-api-key": ADMIN_KEY })).status).toBe(403);
  });
});

test("a bad CIDR names its key", () => {
  expect(() => createTestApp("security:\n  statusAccess:\n    ipAllowlist: [10.0.0.0/33]\n")).toThrow("security.statusAccess.ipAllowlist[0]");
  expect(() => createTestApp("security:\n  statusAccess:\n    trustedProxies: [proxy.corp]\n")).toThrow("security.statusAccess.trustedProxies[0]");
});
