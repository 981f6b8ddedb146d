// What the audit keeps of a request, read back as a `read` key would (/v4/audit, /ui/audit): no check-in key from a
// ping's path (answered, refused, rate-limited), and the caller's address is the TCP peer; X-Forwarded-For counts only
// from a proxy listed in security.trustedProxies, alike for the API, its denials, the status routes and alert links.
import { afterEach, describe, expect, test } from "bun:test";
import { createLinkStore } from "../../../../src/tell/ack-links/link-store";
import { linkQuery, newNonce, signLink } from "../../../../src/tell/ack-links/signature";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { keysPerScope } from "./keys";

const open: TestApp[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});
const app = (yaml: string) => {
  const t = createTestApp(yaml);
  open.push(t);
  return t;
};
const from = (t: TestApp, ip: string, path: string, init: RequestInit = {}) => Promise.resolve(t.app.http.hono.request(path, init, { remoteAddress: ip }));

const PING_KEY = "erp-Extract_7f3a9c2e5b1d4f6a8c0e";
const FORGED = "203.0.113.66";

interface AuditRow {
  actor: { kind: string; name: string; ip?: string };
  action: string;
  target?: string;
  details?: Record<string, unknown>;
}

describe("check-in keys never reach the audit", () => {
  test("POST and GET pings (answered, unknown key, refused by the ping limit and by the per-IP limit) are audited without the key", async () => {
    const { keys, yaml } = keysPerScope();
    const t = app(
      `security:\n${yaml}\n  rateLimit:\n    perIp: { requests: 12, window: 1m }\n    exemptLoopback: false\ncheckins:\n  rateLimit: { requests: 6, window: 1m }\n  checks:\n    erp-extract: { key: ${PING_KEY}, cron: "0 5 * * *", grace: 1h }\n`,
    );
    await t.app.start();
    const ping = (path: string, method = "POST") => from(t, "10.9.0.4", path, { method, body: method === "POST" ? "exported 42 rows" : null });
    expect((await ping(`/ping/${PING_KEY}/0`)).status).toBe(200);
    expect((await ping(`/ping/${PING_KEY}`)).status).toBe(200);
    expect((await ping(`/ping/${PING_KEY}/fail`)).status).toBe(200);
    expect((await ping(`/ping/${PING_KEY}/start`, "GET")).status).toBe(200);
    expect((await ping(`/ping/${PING_KEY}x/log`)).status).toBe(404); // a near miss is a secret too
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await ping(`/ping/${PING_KEY}/log`)).status);
    expect(statuses).toContain(429); // checkins.rateLimit, then security.rateLimit.perIp
    await t.app.audit.flush();

    const rows = (await (await from(t, "127.0.0.1", "/v4/audit?limit=200", { headers: { "x-api-key": keys.read } })).json()) as { entries: AuditRow[] };
    const pings = rows.entries.filter((e) => e.target?.includes("/ping/"));
    expect(pings.length).toBeGreaterThanOrEqual(5);
    expect(pings.map((e) => e.target)).toContain("POST /ping/***/0");
    expect(pings.map((e) => e.target)).toContain("POST /ping/***");
    expect(pings.some((e) => e.action === "access.denied")).toBe(true); // the per-IP limit's refusal
    expect(JSON.stringify(rows)).not.toContain(PING_KEY);

    const page = await from(t, "127.0.0.1", "/ui/audit", { headers: { "x-api-key": keys.read, accept: "text/html" } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("/ping/***/0");
    expect(html).not.toContain(PING_KEY);
  });
});

describe("the audit's address is the TCP peer; X-Forwarded-For only from a trusted proxy", () => {
  const spoof = { "x-forwarded-for": FORGED, "x-real-ip": FORGED };

  test("an API write, a denial and a status route's denial from a client record its own address, not the header's", async () => {
    const { keys, yaml } = keysPerScope();
    const t = app(`security:\n${yaml}\n  statusAccess: { ipAllowlist: [10.20.0.0/16] }\n`);
    await t.app.start();
    const write = await from(t, "10.9.0.7", "/v4/keyvalues/ns", {
      method: "POST",
      headers: { "x-api-key": keys["kv.write"], "content-type": "application/json", ...spoof },
      body: JSON.stringify({ key: "k", value: "v" }),
    });
    expect(write.status).toBe(201);
    expect((await from(t, "10.9.0.8", "/v4/keyvalues/ns", { method: "DELETE", headers: { "x-api-key": keys.read, ...spoof } })).status).toBe(403);
    expect((await from(t, "10.9.0.9", "/status", { headers: { "x-forwarded-for": "10.20.1.1" } })).status).toBe(403);
    await t.app.audit.flush();
    const rows = (await (await from(t, "127.0.0.1", "/v4/audit?limit=50", { headers: { "x-api-key": keys.read } })).json()) as { entries: AuditRow[] };
    const ips = rows.entries.filter((e) => e.actor.ip !== "127.0.0.1").map((e) => e.actor.ip);
    expect(ips.sort()).toEqual(["10.9.0.7", "10.9.0.8", "10.9.0.9"]);
    expect(JSON.stringify(rows)).not.toContain(FORGED);
  });

  const expiredLink = async (t: TestApp) => {
    const now = Date.now();
    const { secret } = await createLinkStore(t.app.sharedStore.sql).key(now);
    const p = { incidentId: 1, action: "ack" as const, recipient: "anna@corp.example", expiresAt: now - 1000, nonce: newNonce() };
    const link = `/act/incident/1?${linkQuery(p, signLink(secret, p))}`;
    return (peer: string, forwarded: string) =>
      from(t, peer, link, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": forwarded } });
  };

  test("alert links: a client's X-Forwarded-For is not recorded, the row has the peer's address", async () => {
    const t = app("actionLinks: { publicBaseUrl: https://steward.corp.example/ }\n");
    await t.app.start();
    const post = await expiredLink(t);
    expect((await post("10.9.0.7", FORGED)).status).toBe(410);
    await t.app.audit.flush();
    expect((await t.app.audit.query({ action: "incident.link" })).map((r) => r.actor.ip)).toEqual(["10.9.0.7"]);
  });

  test("alert links behind a trusted proxy: its forwarded address is recorded, an unreadable one leaves the proxy's", async () => {
    const t = app("actionLinks: { publicBaseUrl: https://steward.corp.example/ }\nsecurity:\n  trustedProxies: [10.0.0.5]\n");
    await t.app.start();
    const post = await expiredLink(t);
    expect((await post("10.9.0.7", FORGED)).status).toBe(410);
    expect((await post("10.0.0.5", "198.51.100.23")).status).toBe(410);
    expect((await post("10.0.0.5", "not an address")).status).toBe(410);
    await t.app.audit.flush();
    const rows = await t.app.audit.query({ action: "incident.link" });
    expect(rows.map((r) => r.actor.ip).sort()).toEqual(["10.0.0.5", "10.9.0.7", "198.51.100.23"]);
  });

  test("with trusted proxies the right-most address not a proxy is the caller; a client naming a proxy gains nothing", async () => {
    const { keys, yaml } = keysPerScope();
    const t = app(`security:\n${yaml}\n  trustedProxies: [10.0.0.0/29]\n`);
    await t.app.start();
    const del = (peer: string, forwarded: string) =>
      from(t, peer, "/v4/keyvalues/ns", { method: "DELETE", headers: { "x-api-key": keys.read, "x-forwarded-for": forwarded } });
    expect((await del("10.0.0.5", `${FORGED}, 198.51.100.23, 10.0.0.6`)).status).toBe(403);
    expect((await del("10.9.0.1", "10.0.0.5")).status).toBe(403);
    await t.app.audit.flush();
    const rows = await t.app.audit.query({ action: "access.denied" });
    expect(rows.map((r) => r.actor.ip).sort()).toEqual(["10.9.0.1", "198.51.100.23"]);
  });
});
