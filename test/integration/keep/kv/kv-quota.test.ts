// The key-value store's overall quota (kv.maxTotalBytes), on both store back ends: the per-key and
// per-namespace limits alone allowed 1000 × 1000 × 64 kB ≈ 62 GiB. The count is kept through overwrites,
// deletes, namespace deletes, TTL purges and restarts, and — on PostgreSQL — across Stewards sharing the store.
import { afterAll, afterEach, beforeEach, describe, expect, test } from "bun:test";
import { auditMigrations, createAuditLog, type AuditLog } from "../../../../src/platform/audit/audit-log";
import { KvSchema } from "../../../../src/keep/kv/config";
import { createManualClock, type ManualClock } from "../../../../src/platform/core/clock";
import { AppError } from "../../../../src/platform/core/errors";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import type { Component } from "../../../../src/platform/core/lifecycle";
import { createKvStore, kvMigrations, type KvStore } from "../../../../src/keep/kv";
import { openStore, type Store } from "../../../../src/platform/store/database";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { bothBackends } from "../../../helpers/sql-backends";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

const MiB = 1024 * 1024;
const v100k = "v".repeat(100_000);

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return err.status;
  }
}

test("the default quota is finite and smaller than what the other limits allow", () => {
  const d = KvSchema.parse({});
  expect(d.maxTotalBytes).toBeLessThanOrEqual(1024 ** 3);
  expect(d.maxTotalBytes).toBeLessThan(d.maxNamespaces * d.maxKeysPerNamespace * d.maxValueBytes);
});

for (const backend of bothBackends()) {
  describe(`quota on ${backend.name}`, () => {
    let dir: TempDir;
    let auditStore: Store;
    let db: SqlDb;
    let clock: ManualClock;
    let audit: AuditLog;

    const make = (overrides: Record<string, unknown> = {}, on: SqlDb = db): KvStore & Component =>
      createKvStore(KvSchema.parse(overrides), { db: on, clock, log: createSilentLogger(), audit, metrics: createMetricsRegistry() });

    beforeEach(async () => {
      dir = createTempDir();
      auditStore = openStore(dir.path, [auditMigrations]);
      db = await backend.open([kvMigrations]);
      clock = createManualClock(Date.parse("2025-03-01T10:00:00Z"));
      audit = createAuditLog(auditStore.sql, clock);
    });
    afterEach(() => {
      auditStore.close();
      dir.remove();
    });
    afterAll(() => backend.shutdown());

    test("the default quota holds what Butler accepts from a load script (a 100 kB value under a 2 kB key)", async () => {
      const kv = make({ maxValueBytes: 128 * 1024, maxKeyBytes: 2048 });
      for (let i = 0; i < 20; i++) await kv.set("etl", `${"k".repeat(2000)}${i}`, v100k);
      expect((await kv.keys("etl"))?.length).toBe(20);
    });

    test("a write past kv.maxTotalBytes is a 409 naming the setting; overwrites, deletes, namespace deletes and purges free room", async () => {
      const kv = make({ maxTotalBytes: MiB, maxValueBytes: 200_000 });
      for (let i = 0; i < 10; i++) await kv.set("ns", `k${i}`, v100k);
      let err: unknown;
      try {
        await kv.set("ns", "k10", v100k);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(409);
      expect((err as AppError).message).toContain("kv.maxTotalBytes");
      expect(await kv.has("ns", "k10")).toBe(false);
      // Same size again, or smaller: allowed even at the limit.
      expect(await status(kv.set("ns", "k3", v100k))).toBe(200);
      expect(await status(kv.set("ns", "k3", "small"))).toBe(200);
      expect(await status(kv.set("ns", "k10", v100k))).toBe(200);
      expect(await status(kv.set("ns", "k11", v100k))).toBe(409);
      await kv.delete("ns", "k0");
      expect(await status(kv.set("other", "a", v100k))).toBe(200);
      expect(await status(kv.set("other", "b", v100k))).toBe(409);
      await kv.deleteNamespace("other");
      expect(await status(kv.set("ttl", "a", v100k, 1000))).toBe(200);
      expect(await status(kv.set("ttl", "b", v100k))).toBe(409);
      // An expired key counts until it is purged (it is still on disk), then frees its room.
      clock = createManualClock(clock.now() + 2000);
      const later = make({ maxTotalBytes: MiB, maxValueBytes: 200_000 });
      expect(await status(later.set("ttl", "b", v100k))).toBe(409);
      await later.purgeExpired();
      expect(await status(later.set("ttl", "b", v100k))).toBe(200);
      // A restart counts what is stored.
      const again = make({ maxTotalBytes: MiB, maxValueBytes: 200_000 });
      expect(await status(again.set("ns", "k12", v100k))).toBe(409);
      await again.delete("ns", "k1");
      expect(await status(again.set("ns", "k12", v100k))).toBe(200);
    });

    test("writes racing from several stores on one database cannot go over the quota together", async () => {
      // Two Stewards of a cluster (on SQLite: two callers of one store) write at the same moment.
      const one = make({ maxTotalBytes: MiB, maxValueBytes: 200_000 });
      const two = make({ maxTotalBytes: MiB, maxValueBytes: 200_000 });
      const results = await Promise.all(Array.from({ length: 16 }, (_, i) => status((i % 2 ? one : two).set("race", `k${i}`, v100k))));
      expect(results.filter((s) => s === 200).length).toBe(10);
      expect(results.filter((s) => s === 409).length).toBe(6);
      const stored = await db.get<{ b: number }>(
        db.dialect === "postgres"
          ? "SELECT SUM(octet_length(namespace) + octet_length(key) + octet_length(value)) AS b FROM kv_entries"
          : "SELECT SUM(LENGTH(CAST(namespace AS BLOB)) + LENGTH(CAST(key AS BLOB)) + LENGTH(CAST(value AS BLOB))) AS b FROM kv_entries",
      );
      expect(stored!.b).toBeLessThanOrEqual(MiB);
      expect(await db.get("SELECT bytes FROM kv_usage WHERE name = 'total'")).toEqual({ bytes: stored!.b });
    });
  });
}
