// The rows-per-namespace counter (kv_key_counts) on both store back ends: it follows every insert, overwrite,
// delete, namespace delete and purge, is seeded from the keys a store already holds when the migration runs, and
// keeps kv.maxKeysPerNamespace exact when expired keys not yet purged are counted. On PostgreSQL two Stewards race
// new keys and deletes into one namespace: the limit holds and the counter ends equal to what is stored.
import { afterAll, afterEach, beforeEach, describe, expect, test } from "bun:test";
import { auditMigrations, createAuditLog } from "../../../../src/platform/audit/audit-log";
import { KvSchema } from "../../../../src/keep/kv/config";
import { createManualClock, type ManualClock } from "../../../../src/platform/core/clock";
import { AppError } from "../../../../src/platform/core/errors";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import { createKvStore, kvMigrations, type KvStore } from "../../../../src/keep/kv";
import type { MigrationSet } from "../../../../src/platform/store/database";
import { openStore } from "../../../../src/platform/store/database";
import { openPostgresStore } from "../../../../src/platform/store/postgres-store";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { postgresBackend, sqliteBackend, type SqlBackend } from "../../../helpers/sql-backends";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

const T0 = Date.parse("2026-03-01T10:00:00Z");
const COUNTS = "SELECT namespace, n FROM kv_key_counts ORDER BY namespace";
const STORED = "SELECT namespace, COUNT(*) AS n FROM kv_entries GROUP BY namespace ORDER BY namespace";
/** The migrations before the counter: what a store written by an earlier Steward holds. */
const kvBeforeCounts: MigrationSet = { module: "kv", migrations: kvMigrations.migrations.filter((m) => m.version <= 4) };

const rows = async (db: SqlDb, sql: string) => (await db.all<{ namespace: string; n: number }>(sql)).map((r) => [r.namespace, Number(r.n)]);

function kvOn(db: SqlDb, clock: ManualClock, overrides: Record<string, unknown> = {}): KvStore {
  return createKvStore(KvSchema.parse(overrides), { db, clock, log: createSilentLogger(), audit: createAuditLog(db, clock), metrics: createMetricsRegistry() });
}

async function refused(p: Promise<unknown>): Promise<AppError | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    if (err instanceof AppError && err.status === 409) return err;
    throw err;
  }
}

const backends: Array<SqlBackend & { server?: () => Promise<{ createDatabase(name: string): Promise<string> }> }> = [sqliteBackend(), postgresBackend()];

for (const backend of backends) {
  describe(`kv key counts on ${backend.name}`, () => {
    let db: SqlDb;
    let clock: ManualClock;
    beforeEach(async () => {
      db = await backend.open([kvMigrations, auditMigrations]);
      clock = createManualClock(T0);
    });
    afterAll(() => backend.shutdown());

    test("the counter follows inserts, overwrites, deletes, namespace deletes and purges of expired keys", async () => {
      const kv = kvOn(db, clock);
      for (let i = 0; i < 5; i++) await kv.set("a", `k${i}`, "v", i < 2 ? 1_000 : 0);
      await kv.set("b", "k", "v");
      await kv.set("a", "k4", "a longer value");
      await kv.set("a", "k4", "v", 500);
      expect(await rows(db, COUNTS)).toEqual([
        ["a", 5],
        ["b", 1],
      ]);
      expect(await kv.delete("a", "k3")).toBe(true);
      expect(await kv.delete("a", "k3")).toBe(false);
      await clock.advance(1_000);
      // Expired, not yet purged: still stored rows, so still counted.
      expect(await rows(db, COUNTS)).toEqual([
        ["a", 4],
        ["b", 1],
      ]);
      expect(await kv.purgeExpired()).toBe(3);
      expect(await rows(db, COUNTS)).toEqual([
        ["a", 1],
        ["b", 1],
      ]);
      // An expired key set again is one row, not a second.
      await kv.set("a", "k2", "v", 10);
      await clock.advance(10);
      await kv.set("a", "k2", "again");
      expect(await rows(db, COUNTS)).toEqual(await rows(db, STORED));
      expect(await kv.deleteNamespace("a")).toBe(true);
      expect(await rows(db, COUNTS)).toEqual([["b", 1]]);
      expect(await kv.delete("b", "k")).toBe(true);
      expect(await rows(db, COUNTS)).toEqual([]);
    });

    test("kv.maxKeysPerNamespace stays exact while expired keys wait for the purge", async () => {
      const kv = kvOn(db, clock, { maxKeysPerNamespace: 3, maxNamespaces: 2 });
      for (let i = 0; i < 3; i++) await kv.set("ns", `old${i}`, "v", 1_000);
      expect(await refused(kv.set("ns", "new0", "v"))).toBeDefined();
      await clock.advance(1_000);
      for (let i = 0; i < 3; i++) await kv.set("ns", `new${i}`, "v");
      expect(await rows(db, COUNTS)).toEqual([["ns", 6]]);
      expect((await refused(kv.set("ns", "new3", "v")))?.message).toMatch(/maximum of 3 keys \(kv\.maxKeysPerNamespace\)/);
      // Namespaces holding only expired rows do not count against kv.maxNamespaces either.
      await kv.set("other", "k", "v", 1_000);
      await clock.advance(1_000);
      await kv.set("third", "k", "v");
      expect((await refused(kv.set("fourth", "k", "v")))?.message).toMatch(/maximum of 2 namespaces/);
      expect(await kv.keys("ns")).toEqual(["new0", "new1", "new2"]);
    });
  });
}

describe("kv key counts after an upgrade", () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = createTempDir();
  });
  afterEach(() => dir.remove());

  test("SQLite: the migration seeds the counter from the keys the store holds, and it survives a restart", async () => {
    const clock = createManualClock(T0);
    const before = openStore(dir.path, [kvBeforeCounts, auditMigrations]);
    // This build's SQLite set reads the counter, so the older store's keys are written as rows.
    const put = (ns: string, key: string) =>
      before.sql.run("INSERT INTO kv_entries (namespace, key, value, ttl_ms, updated_at) VALUES (?, ?, '\"v\"', 0, ?)", [ns, key, T0]);
    for (let i = 0; i < 4; i++) await put("a", `k${i}`);
    await put("b", "k");
    before.close();
    const after = openStore(dir.path, [kvMigrations, auditMigrations]);
    expect(await rows(after.sql, COUNTS)).toEqual([
      ["a", 4],
      ["b", 1],
    ]);
    await kvOn(after.sql, clock).set("a", "k9", "v");
    after.close();
    const again = openStore(dir.path, [kvMigrations, auditMigrations]);
    expect(await rows(again.sql, COUNTS)).toEqual([
      ["a", 5],
      ["b", 1],
    ]);
    again.close();
  });

  test("PostgreSQL: seeded on upgrade; two Stewards racing new keys and deletes into one namespace keep the limit and the count exact", async () => {
    const pg = postgresBackend();
    try {
      const url = await (await pg.server()).createDatabase(`kv_counts_${process.pid}`);
      const opts = { url, maxConnections: 4, connectTimeoutMs: 5_000, tls: false as const, applicationName: "steward-test" };
      const clock = createManualClock(T0);
      const before = await openPostgresStore(opts, [kvBeforeCounts, auditMigrations]);
      const old = kvOn(before, clock);
      for (let i = 0; i < 3; i++) await old.set("race", `seed${i}`, "v");
      await before.close();

      const [dbA, dbB] = [await openPostgresStore(opts, [kvMigrations, auditMigrations]), await openPostgresStore(opts, [kvMigrations, auditMigrations])];
      try {
        expect(await rows(dbA, COUNTS)).toEqual([["race", 3]]);
        const LIMIT = 40;
        const stewards = [kvOn(dbA, clock, { maxKeysPerNamespace: LIMIT }), kvOn(dbB, clock, { maxKeysPerNamespace: LIMIT })];
        let added = 0;
        let limited = 0;
        // 120 new keys offered at once by two Stewards, with deletes of the seeds among them.
        await Promise.all(
          Array.from({ length: 120 }, async (_, i) => {
            const kv = stewards[i % 2] as KvStore;
            if (i % 40 === 0) await kv.delete("race", `seed${i / 40}`);
            if (await refused(kv.set("race", `k${i}`, "v"))) limited++;
            else added++;
          }),
        );
        // A set refused while a seed was still there may leave room once it is deleted: fill that room now.
        expect(added).toBeGreaterThanOrEqual(LIMIT - 3);
        expect(added).toBeLessThanOrEqual(LIMIT);
        expect(added + limited).toBe(120);
        for (let i = 0; added < LIMIT; i++) {
          await stewards[0]?.set("race", `late${i}`, "v");
          added++;
        }
        expect(await refused(stewards[1]!.set("race", "one-too-many", "v"))).toBeDefined();
        expect(await rows(dbA, STORED)).toEqual([["race", LIMIT]]);
        expect(await rows(dbA, COUNTS)).toEqual([["race", LIMIT]]);
      } finally {
        await dbA.close();
        await dbB.close();
      }
    } finally {
      await pg.shutdown();
    }
  });
});
