// Floods of refused requests must not grow the store: denials are aggregated per caller and window, the number of
// callers tracked per window is capped, and the audit log has retention by age and size in which denials go first.
import { afterEach, describe, expect, test } from "bun:test";
import { createAuditLog, auditMigrations } from "../../../../src/platform/audit/audit-log";
import { createManualClock } from "../../../../src/platform/core/clock";
import { openStore } from "../../../../src/platform/store/database";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startPostgres } from "../../../helpers/services";
import { createTempDir } from "../../../helpers/temp-dir";
import { keysPerScope } from "./keys";

const open: TestApp[] = [];
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
  while (cleanups.length) await cleanups.pop()!();
});
const from = (t: TestApp, ip: string, path: string, init: RequestInit = {}) => Promise.resolve(t.app.http.hono.request(path, init, { remoteAddress: ip }));
/** Rows on disk once the audit log has written what it holds (writes share the store's next commit). */
const auditRows = async (t: TestApp) => {
  await t.app.audit.flush();
  return Number((t.app.store.db.prepare("SELECT COUNT(*) AS n FROM audit").get() as { n: number }).n);
};

describe("denials of an anonymous flood", () => {
  test("are written once per caller and window, then as one count; the store does not grow with the flood", async () => {
    const clock = createManualClock(Date.parse("2026-03-01T10:00:00Z"));
    const { yaml } = keysPerScope();
    const t = createTestApp(`security:\n${yaml}\n  rateLimit: { perIp: { enabled: false } }\n`, { clock });
    open.push(t);
    await t.app.start();
    const ips = ["10.0.0.1", "10.0.0.2", "10.0.0.3"];
    for (let i = 0; i < 1500; i++) {
      const r = await from(t, ips[i % 3]!, "/v4/keyvalues/flood", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ key: `k${i}`, value: "x".repeat(100) }),
      });
      expect(r.status).toBe(401);
    }
    // One row per caller so far: who, what, why.
    expect(await auditRows(t)).toBe(3);
    const first = await t.app.audit.query({ action: "access.denied" });
    expect(first.map((e) => e.actor.ip).sort()).toEqual(ips);
    expect(first[0]).toMatchObject({ result: "denied", target: "POST /v4/keyvalues/flood", details: { check: "scope", status: 401 } });
    // The window ends: the repeats are written as one count per caller.
    await clock.advance(61_000);
    const all = await t.app.audit.query({ action: "access.denied" });
    expect(all.length).toBe(6);
    const repeated = all.map((e) => Number(e.details?.repeated ?? 0)).reduce((a, b) => a + b, 0);
    expect(repeated).toBe(1500 - 3);
  });

  test("many distinct callers share one entry past the per-window cap", async () => {
    const clock = createManualClock(Date.parse("2026-03-01T10:00:00Z"));
    const { yaml } = keysPerScope();
    const t = createTestApp(`security:\n${yaml}\n  rateLimit: { perIp: { enabled: false } }\n`, { clock });
    open.push(t);
    await t.app.start();
    for (let i = 0; i < 2000; i++) {
      expect((await from(t, `fd00::${i.toString(16)}`, "/v4/keyvaluesnamespaces")).status).toBe(401);
    }
    // 500 callers are tracked per window; the other 1500 share one entry.
    expect(await auditRows(t)).toBe(501);
    await t.app.stop();
    // Stopping writes the counts: nothing is lost, and the rows stay bounded.
    const db = openStore(`${t.dir}/data`, [auditMigrations]);
    cleanups.push(() => db.close());
    const rows = db.db.prepare("SELECT details FROM audit WHERE action = 'access.denied'").all() as Array<{ details: string }>;
    expect(rows.length).toBe(502);
    // A first denial is a row of its own; a count row stands for its repeats.
    const total = rows.map((r) => JSON.parse(r.details) as { repeated?: number }).reduce((n, d) => n + (d.repeated ?? 1), 0);
    expect(total).toBe(2000);
  });
});

describe("refused anonymous writes on an open API", () => {
  test("are counted like denials, not written one by one", async () => {
    const clock = createManualClock(Date.parse("2026-03-01T10:00:00Z"));
    const t = createTestApp("http: { host: 0.0.0.0, port: 0 }\nsecurity: { allowUnauthenticated: true, rateLimit: { perIp: { enabled: false } } }\n", {
      clock,
    });
    open.push(t);
    for (let i = 0; i < 1000; i++) {
      expect(
        (await from(t, "10.0.0.9", "/v4/keyvalues/ns", { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" })).status,
      ).toBe(400);
    }
    expect(
      (
        await from(t, "10.0.0.9", "/v4/keyvalues/ns", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ key: "k", value: 1 }),
        })
      ).status,
    ).toBe(201);
    const writes = await t.app.audit.query({ action: "api.write" });
    expect(writes.map((w) => [w.result, w.details?.status])).toEqual([
      ["ok", 201],
      ["failed", 400],
    ]);
  });
});

describe("audit retention", () => {
  test("entries older than maxAge go; over maxEntries the oldest denials go first; no row is large", async () => {
    const tmp = createTempDir();
    const store = openStore(tmp.path, [auditMigrations]);
    cleanups.push(() => (store.close(), tmp.remove()));
    const clock = createManualClock(Date.parse("2026-01-01T00:00:00Z"));
    const audit = createAuditLog(store.sql, clock, { maxAgeMs: 30 * 86_400_000, maxEntries: 1000 });
    const n = () => Number((store.db.prepare("SELECT COUNT(*) AS n FROM audit").get() as { n: number }).n);
    audit.record({ actor: { kind: "apiKey", name: "ops" }, action: "task.start", target: "old", result: "ok" });
    void clock.set(Date.parse("2026-01-20T00:00:00Z"));
    for (let i = 0; i < 100; i++) audit.record({ actor: { kind: "apiKey", name: "ops" }, action: "task.start", target: `t${i}`, result: "ok" });
    for (let i = 0; i < 1500; i++)
      audit.record({ actor: { kind: "anonymous", name: "anonymous", ip: "10.0.0.1" }, action: "access.denied", target: `/x${i}`, result: "denied" });
    // Pruned as it went (every 1000 inserts) and now.
    await audit.flush();
    await audit.prune();
    expect(n()).toBe(1000);
    expect((await audit.query({ action: "task.start", limit: 1000 })).length).toBe(101);
    void clock.set(Date.parse("2026-02-05T00:00:00Z"));
    await audit.prune();
    // The January 1st entry is past 30 days; the January 20th ones are not.
    expect(await audit.query({ target: "old" })).toEqual([]);
    expect((await audit.query({ action: "task.start", limit: 1000 })).length).toBe(100);
    audit.record({
      actor: { kind: "anonymous", name: "x".repeat(10_000) },
      action: "access.denied",
      target: `/${"a".repeat(100_000)}`,
      result: "denied",
      details: { reason: "b".repeat(100_000) },
    });
    await audit.flush();
    const big = store.db.prepare("SELECT LENGTH(actor_name) + LENGTH(target) + LENGTH(details) AS len FROM audit ORDER BY id DESC LIMIT 1").get() as {
      len: number;
    };
    expect(big.len).toBeLessThan(5000);
  });
});

describe("refused requests with a NUL character in their path, on PostgreSQL", () => {
  test("drop none of the admin's audit rows written at the same moment", { timeout: 60_000 }, async () => {
    const pg = await startPostgres();
    cleanups.push(() => pg.stop());
    const { keys, yaml } = keysPerScope();
    const t = createTestApp(
      `store:\n  postgres:\n    url: ${await pg.createDatabase("audit_nul")}\nsecurity:\n${yaml}\n  rateLimit: { perIp: { enabled: false }, perKey: { enabled: false } }\n`,
    );
    open.push(t);
    await t.app.start();
    const admin = { "x-api-key": keys.admin, "content-type": "application/json" };
    const requests: Array<Promise<Response>> = [];
    for (let i = 0; i < 300; i++) {
      requests.push(from(t, "10.0.0.1", "/v4/keyvalues/ops", { method: "POST", headers: admin, body: JSON.stringify({ key: `k${i}`, value: "v" }) }));
      // Each from its own address: every one is a first denial, recorded in full with the decoded path.
      requests.push(
        from(t, `10.1.${i >> 8}.${i & 255}`, `/v4/keyvalues/x%00${i}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
      );
    }
    const answers = await Promise.all(requests);
    expect(answers.filter((r) => r.status === 201).length).toBe(300);
    expect(answers.filter((r) => r.status === 401).length).toBe(300);
    await t.app.audit.flush();
    expect((await t.app.audit.query({ action: "api.write", limit: 1000 })).length).toBe(300);
    const denied = await t.app.audit.query({ action: "access.denied", limit: 1000 });
    expect(denied.length).toBe(300);
    expect(denied.map((d) => d.target)).toContain("POST /v4/keyvalues/x\ufffd7");
  });
});
