// The Butler-compatible key-value routes on a running app: bodies as Butler sends and expects them,
// 404/409/413/400 errors, persistence across a restart on the same data directory, and TTL across a restart.
import type { SqliteSqlDb } from "../../../../src/platform/store/sqlite-db";
import { afterAll, describe, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";

const json = (body: unknown, method = "POST"): RequestInit => ({ method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const tmp = createTempDir();
afterAll(() => tmp.remove());

describe("key-value REST API", () => {
  test("Butler round trip over a real HTTP listener", async () => {
    const t = createTestApp("", { dir: `${tmp.path}/http` });
    await t.app.start();
    try {
      const base = t.app.server!.url();
      let r = await fetch(`${base}/v4/keyvalues/Sales%20ETL`, json({ key: "Last extract", value: "2020-09-29 17:14:56", ttl: 60000 }));
      expect(r.status).toBe(201);
      expect(await r.json()).toEqual({ namespace: "Sales ETL", key: "Last extract", value: "2020-09-29 17:14:56", ttl: 60000 });
      r = await fetch(`${base}/v4/keyvalues/Sales%20ETL?key=${encodeURIComponent("Last extract")}`);
      expect(await r.json()).toEqual({ namespace: "Sales ETL", key: "Last extract", value: "2020-09-29 17:14:56" });
    } finally {
      await t.close();
    }
  });

  test("all routes, status codes and bodies", async () => {
    const t = createTestApp("kv:\n  maxKeysPerNamespace: 3\n  maxNamespaces: 2\n  maxValueBytes: 100\n", { dir: `${tmp.path}/routes` });
    await t.app.start();
    try {
      let r = await t.request("/v4/keyvaluesnamespaces");
      expect(await r.json()).toEqual([]);
      // Scalars are coerced to strings as Butler's Fastify did; no ttl means 0.
      r = await t.request("/v4/keyvalues/ns1", json({ key: "n", value: 12345.789 }));
      expect(r.status).toBe(201);
      expect(await r.json()).toEqual({ namespace: "ns1", key: "n", value: "12345.789", ttl: 0 });
      await t.request("/v4/keyvalues/ns1", json({ key: "b", value: "x" }));
      r = await t.request("/v4/keylist/ns1");
      expect(r.headers.get("content-type")).toContain("application/json");
      expect(await r.json()).toEqual({ namespace: "ns1", keys: [{ key: "b" }, { key: "n" }] });

      r = await t.request("/v4/keyvalues/ns1/keyexists?key=b");
      expect(await r.json()).toEqual({ keyExists: true, keyValue: { namespace: "ns1", key: "b", value: "x" } });
      r = await t.request("/v4/keyvalues/ns1/keyexists?key=nope");
      expect(await r.json()).toEqual({ keyExists: false, keyValue: {} });

      // Not found is 404 with a message naming what is missing.
      r = await t.request("/v4/keyvalues/ns1/keyexists?key=b".replace("ns1", "ghost"));
      expect(r.status).toBe(404);
      expect((await r.json()).error).toBe("namespace 'ghost' not found");
      r = await t.request("/v4/keyvalues/ns1?key=nope");
      expect(r.status).toBe(404);
      expect((await r.json()).error).toBe("key 'nope' not found in namespace 'ns1'");
      expect((await t.request("/v4/keyvalues/ghost?key=a")).status).toBe(404);
      expect((await t.request("/v4/keylist/ghost")).status).toBe(404);
      expect((await t.request("/v4/keyvalues/ns1/nope", { method: "DELETE" })).status).toBe(404);
      expect((await t.request("/v4/keyvalues/ghost", { method: "DELETE" })).status).toBe(404);

      // Invalid input is 400 naming the field.
      r = await t.request("/v4/keyvalues/ns1?nokey=1");
      expect(r.status).toBe(400);
      expect((await r.json()).error).toMatch(/^query\.key: /);
      // A missing key or a value that is no text says so, not only "Invalid input".
      r = await t.request("/v4/keyvalues/ns1", json({ value: "x" }));
      expect(r.status).toBe(400);
      expect((await r.json()).error).toBe("body.key: required");
      r = await t.request("/v4/keyvalues/ns1", json({ key: "k", value: "x", ttl: "soon" }));
      expect(r.status).toBe(400);
      expect((await r.json()).error).toMatch(/^body\.ttl: /);
      r = await t.request("/v4/keyvalues/ns1", json({ key: "k", value: { nested: true } }));
      expect(r.status).toBe(400);
      expect((await r.json()).error).toBe("body.value: expected text, a number or true/false, got an object");
      r = await t.request("/v4/keyvalues/ns1", json({ key: null, value: "x" }));
      expect((await r.json()).error).toBe("body.key: expected text, a number or true/false, got null");

      // Limits.
      await t.request("/v4/keyvalues/ns1", json({ key: "c", value: "x" }));
      r = await t.request("/v4/keyvalues/ns1", json({ key: "d", value: "x" }));
      expect(r.status).toBe(409);
      expect((await r.json()).error).toContain("kv.maxKeysPerNamespace");
      await t.request("/v4/keyvalues/ns2", json({ key: "a", value: "x" }));
      r = await t.request("/v4/keyvalues/ns3", json({ key: "a", value: "x" }));
      expect(r.status).toBe(409);
      expect((await r.json()).error).toContain("kv.maxNamespaces");
      r = await t.request("/v4/keyvalues/ns1", json({ key: "b", value: "x".repeat(101) }));
      expect(r.status).toBe(413);
      expect((await r.json()).error).toBe("value is 101 bytes; the limit is 100 bytes (kv.maxValueBytes)");

      // Deletes.
      expect((await t.request("/v4/keyvalues/ns1/b", { method: "DELETE" })).status).toBe(204);
      expect((await t.request("/v4/keyvalues/ns1?key=b")).status).toBe(404);
      expect((await t.request("/v4/keyvalues/ns2", { method: "DELETE" })).status).toBe(204);
      expect(await (await t.request("/v4/keyvaluesnamespaces")).json()).toEqual(["ns1"]);

      // Writes are audited (the request's row says what the write did); the endpoint flag is listed.
      const audited = await t.app.audit.query({ action: "api.write", limit: 1000 });
      expect(audited.some((a) => a.details?.op === "kv.delete-namespace" && a.details?.object === "ns2" && a.result === "ok")).toBe(true);
      expect(await (await t.request("/v4/configfile/endpointsenabled")).json()).toContain("keyValueStore");
    } finally {
      await t.close();
    }
  });

  test("one audit row per write: the request's row names what the write did, refused writes too", async () => {
    const t = createTestApp("kv:\n  maxValueBytes: 10\n", { dir: `${tmp.path}/audit` });
    await t.app.start();
    try {
      expect((await t.request("/v4/keyvalues/etl", json({ key: "last", value: "v1", ttl: 5000 }))).status).toBe(201);
      expect((await t.request("/v4/keyvalues/etl", json({ key: "big", value: "x".repeat(11) }))).status).toBe(413);
      expect((await t.request("/v4/keyvalues/etl/last", { method: "DELETE" })).status).toBe(204);
      const rows = (await t.app.audit.query({ limit: 1000 })).filter((r) => r.action !== "access.denied");
      expect(rows.map((r) => [r.action, r.target, r.result, r.details?.op, r.details?.object, r.details?.status])).toEqual([
        ["api.write", "DELETE /v4/keyvalues/etl/last", "ok", "kv.delete", "etl/last", 204],
        ["api.write", "POST /v4/keyvalues/etl", "failed", "kv.set", "etl/big", 413],
        ["api.write", "POST /v4/keyvalues/etl", "ok", "kv.set", "etl/last", 201],
      ]);
      expect(rows[2]!.details).toMatchObject({ ttl: 5000, bytes: 2, route: "POST /v4/keyvalues/:namespace", scope: "kv.write" });
      // Writes that do not come over REST keep their own row; the filter by action finds both (the REST ones by their op).
      await t.app.kv!.set("etl", "internal", "v");
      await t.app.audit.flush();
      expect((await t.app.audit.query({ action: "kv.set" })).map((r) => [r.action, r.target])).toEqual([
        ["kv.set", "etl/internal"],
        ["api.write", "POST /v4/keyvalues/etl"],
        ["api.write", "POST /v4/keyvalues/etl"],
      ]);
    } finally {
      await t.close();
    }
  });

  test("a set's key and its request's audit row commit together: one COMMIT per set, the row's text as before", async () => {
    const t = createTestApp("", { dir: `${tmp.path}/one-commit` });
    await t.app.start();
    try {
      const seam = t.app.store.sql as unknown as SqliteSqlDb;
      // Other components may commit meanwhile: the fewest commits seen around one set is the set's own.
      const commits: number[] = [];
      let requestId = "";
      for (let i = 0; i < 5; i++) {
        await t.app.audit.flush();
        const before = seam.batches.transactions;
        const r = await t.request("/v4/keyvalues/etl", json({ key: "last", value: `v${i}`, ttl: 5000 }));
        expect(r.status).toBe(201);
        commits.push(seam.batches.transactions - before);
        requestId = r.headers.get("x-request-id") ?? "";
      }
      expect(Math.min(...commits)).toBe(1);
      // The row's stored text, byte for byte as the access guard has always written it.
      const rows = await t.app.store.sql.all<Record<string, string | null>>("SELECT * FROM audit WHERE action = 'api.write' ORDER BY id");
      expect(rows).toHaveLength(5);
      const last = rows[4]!;
      expect([last.actor_kind, last.actor_name, last.actor_ip, last.action, last.target, last.result]).toEqual([
        "anonymous",
        "anonymous",
        null,
        "api.write",
        "POST /v4/keyvalues/etl",
        "ok",
      ]);
      expect(last.details).toBe(
        `{"route":"POST /v4/keyvalues/:namespace","scope":"kv.write","status":201,"requestId":"${requestId}","op":"kv.set","object":"etl/last","ttl":5000,"bytes":2}`,
      );
      expect(last.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    } finally {
      await t.close();
    }
  });

  test("a set whose audit row the store refuses is not kept either: no key without its row", async () => {
    const t = createTestApp("", { dir: `${tmp.path}/atomic` });
    await t.app.start();
    try {
      // The store refuses the row of a successful write (as a full disk or an I/O error would refuse that insert).
      await t.app.store.sql.exec(
        "CREATE TEMP TRIGGER refuse_ok_rows BEFORE INSERT ON main.audit WHEN NEW.action = 'api.write' AND NEW.result = 'ok' " +
          "BEGIN SELECT RAISE(ABORT, 'audit row refused'); END",
      );
      const r = await t.request("/v4/keyvalues/etl", json({ key: "orphan", value: "v" }));
      expect(r.status).toBe(500);
      expect(await t.app.kv!.get("etl", "orphan")).toBeUndefined();
      // The failed set has its row (a failed one, which the trigger lets through), as any failed write has.
      const rows = await t.app.audit.query({ action: "api.write" });
      expect(rows.map((row) => [row.result, row.details?.op, row.details?.object, row.details?.status])).toEqual([["failed", "kv.set", "etl/orphan", 500]]);
    } finally {
      await t.close();
    }
  });

  test("concurrent sets share commits (group commit in the store seam): fewer commits than writes, one audit row each", async () => {
    const t = createTestApp("kv:\n  maxKeysPerNamespace: 30\n", { dir: `${tmp.path}/group` });
    await t.app.start();
    try {
      const seam = t.app.store.sql as unknown as SqliteSqlDb;
      const before = { ...seam.batches };
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => t.request("/v4/keyvalues/burst", json({ key: `k${i}`, value: `v${i}` }))));
      // Keys 30..39 are over the namespace's limit: refused (409) without undoing the others of their batch.
      expect(answers.map((r) => r.status).sort()).toEqual([...Array<number>(30).fill(201), ...Array<number>(10).fill(409)]);
      const calls = seam.batches.calls - before.calls;
      const commits = seam.batches.transactions - before.transactions;
      expect(calls).toBeGreaterThanOrEqual(40);
      expect(commits).toBeLessThan(calls / 4);
      expect(await t.app.audit.query({ action: "api.write", result: "ok", limit: 1000 })).toHaveLength(30);
      expect(await t.app.kv!.keys("burst")).toHaveLength(30);
    } finally {
      await t.close();
    }
  });

  test("keys survive a restart; a TTL that ran out while stopped is gone and purged at start", async () => {
    const dir = `${tmp.path}/restart`;
    const clock = createManualClock(Date.parse("2025-05-01T08:00:00Z"));
    let t: TestApp = createTestApp("", { dir, clock });
    await t.app.start();
    await t.request("/v4/keyvalues/chain", json({ key: "forever", value: "a" }));
    await t.request("/v4/keyvalues/chain", json({ key: "short", value: "b", ttl: 10_000 }));
    await t.request("/v4/keyvalues/chain", json({ key: "long", value: "c", ttl: 3_600_000 }));
    await t.close();

    // The clock moves on while Steward is down (timers of the stopped app are cleared).
    await clock.advance(60_000);
    t = createTestApp("", { dir, clock });
    try {
      await t.app.start();
      const rows = Number((t.app.store.db.prepare("SELECT COUNT(*) AS n FROM kv_entries").get() as { n: number }).n);
      expect(rows).toBe(2);
      expect(await (await t.request("/v4/keylist/chain")).json()).toEqual({ namespace: "chain", keys: [{ key: "forever" }, { key: "long" }] });
      expect(await (await t.request("/v4/keyvalues/chain?key=long")).json()).toEqual({ namespace: "chain", key: "long", value: "c" });
      expect((await t.app.kv!.get("chain", "long"))!.expiresAt).toBe(Date.parse("2025-05-01T09:00:00Z"));
    } finally {
      await t.close();
    }
  });

  test("what Butler's load scripts send: TTLs as text, a negative TTL, a 100 kB value and a 2 kB key with the default limits", async () => {
    const t = createTestApp("", { dir: `${tmp.path}/butler-forms` });
    try {
      let r = await t.request("/v4/keyvalues/chain", json({ key: "a", value: "1", ttl: "60000" }));
      expect(await r.json()).toEqual({ namespace: "chain", key: "a", value: "1", ttl: 60000 });
      r = await t.request("/v4/keyvalues/chain", json({ key: "b", value: "2", ttl: "" }));
      expect(await r.json()).toEqual({ namespace: "chain", key: "b", value: "2", ttl: 0 });
      // Butler echoed a negative TTL and kept the key for ever.
      r = await t.request("/v4/keyvalues/chain", json({ key: "c", value: "3", ttl: -5 }));
      expect(r.status).toBe(201);
      expect((await r.json()).ttl).toBe(-5);
      expect(await t.app.kv!.get("chain", "c")).toMatchObject({ value: "3", ttl: 0 });
      const big = "v".repeat(100 * 1024);
      const longKey = "k".repeat(2048);
      r = await t.request("/v4/keyvalues/chain", json({ key: longKey, value: big }));
      expect(r.status).toBe(201);
      r = await t.request(`/v4/keyvalues/chain?key=${longKey}`);
      expect(((await r.json()) as { value: string }).value).toBe(big);
    } finally {
      await t.close();
    }
  });

  test("a namespace outlives its last key until it is deleted (keylist 200 with no keys, delete 204), as in Butler", async () => {
    const t = createTestApp("", { dir: `${tmp.path}/empty-ns` });
    try {
      await t.request("/v4/keyvalues/first", json({ key: "x", value: "1" }));
      await t.request("/v4/keyvalues/second", json({ key: "a", value: "b" }));
      expect((await t.request("/v4/keyvalues/second/a", { method: "DELETE" })).status).toBe(204);
      let r = await t.request("/v4/keylist/second");
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ namespace: "second", keys: [] });
      r = await t.request("/v4/keyvalues/second/keyexists?key=a");
      expect(await r.json()).toEqual({ keyExists: false, keyValue: {} });
      // Creation order, not name order.
      expect(await (await t.request("/v4/keyvaluesnamespaces")).json()).toEqual(["first", "second"]);
      expect((await t.request("/v4/keyvalues/second", { method: "DELETE" })).status).toBe(204);
      expect((await t.request("/v4/keylist/second")).status).toBe(404);
      expect((await t.request("/v4/keyvalues/second", { method: "DELETE" })).status).toBe(404);
      expect(await (await t.request("/v4/keyvaluesnamespaces")).json()).toEqual(["first"]);
    } finally {
      await t.close();
    }
  });

  test("kv.enabled: false removes the routes", async () => {
    const t = createTestApp("kv:\n  enabled: false\n");
    try {
      expect((await t.request("/v4/keyvaluesnamespaces")).status).toBe(404);
      expect(t.app.kv).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
