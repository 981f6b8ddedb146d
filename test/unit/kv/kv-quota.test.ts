// The key-value store's overall quota (kv.maxTotalBytes): the per-key and per-namespace limits alone allowed
// 1000 × 1000 × 64 kB ≈ 62 GiB. The count is kept through overwrites, deletes, namespace deletes, TTL purges
// and restarts.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { auditMigrations, createAuditLog, type AuditLog } from "../../../src/audit/audit-log";
import { KvSchema } from "../../../src/config/sections/kv";
import { createManualClock, type ManualClock } from "../../../src/core/clock";
import { AppError } from "../../../src/core/errors";
import { createSilentLogger } from "../../../src/core/logger";
import { createMetricsRegistry } from "../../../src/core/metrics";
import type { Component } from "../../../src/core/lifecycle";
import { createKvStore, kvMigrations, type KvStore } from "../../../src/kv";
import { openStore, type Store } from "../../../src/store/database";
import { createTempDir, type TempDir } from "../../helpers/temp-dir";

let dir: TempDir;
let store: Store;
let clock: ManualClock;
let audit: AuditLog;

const make = (overrides: Record<string, unknown> = {}): KvStore & Component =>
  createKvStore(KvSchema.parse(overrides), { store, clock, log: createSilentLogger(), audit, metrics: createMetricsRegistry() });

beforeEach(() => {
  dir = createTempDir();
  store = openStore(dir.path, [auditMigrations, kvMigrations]);
  clock = createManualClock(Date.parse("2025-03-01T10:00:00Z"));
  audit = createAuditLog(store.db, clock);
});
afterEach(() => {
  store.close();
  dir.remove();
});

function status(fn: () => unknown): number {
  try {
    fn();
    return 200;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return err.status;
  }
}

const MiB = 1024 * 1024;
const v100k = "v".repeat(100_000);

test("the default quota is finite and holds what Butler accepts from a load script (a 100 kB value under a 2 kB key)", () => {
  const d = KvSchema.parse({});
  expect(d.maxTotalBytes).toBeLessThanOrEqual(1024 ** 3);
  expect(d.maxTotalBytes).toBeLessThan(d.maxNamespaces * d.maxKeysPerNamespace * d.maxValueBytes);
  const kv = make({ maxValueBytes: 128 * 1024, maxKeyBytes: 4096 });
  for (let i = 0; i < 20; i++) kv.set("etl", `${"k".repeat(2000)}${i}`, v100k);
  expect(kv.keys("etl")?.length).toBe(20);
});

test("a write past kv.maxTotalBytes is a 409 naming the setting; overwrites, deletes, namespace deletes and purges free room", async () => {
  const kv = make({ maxTotalBytes: MiB, maxValueBytes: 200_000 });
  for (let i = 0; i < 10; i++) kv.set("ns", `k${i}`, v100k);
  let err: unknown;
  try {
    kv.set("ns", "k10", v100k);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).status).toBe(409);
  expect((err as AppError).message).toContain("kv.maxTotalBytes");
  expect(kv.has("ns", "k10")).toBe(false);
  // Same size again, or smaller: allowed even at the limit.
  expect(status(() => kv.set("ns", "k3", v100k))).toBe(200);
  expect(status(() => kv.set("ns", "k3", "small"))).toBe(200);
  expect(status(() => kv.set("ns", "k10", v100k))).toBe(200);
  expect(status(() => kv.set("ns", "k11", v100k))).toBe(409);
  kv.delete("ns", "k0");
  expect(status(() => kv.set("other", "a", v100k))).toBe(200);
  expect(status(() => kv.set("other", "b", v100k))).toBe(409);
  kv.deleteNamespace("other");
  expect(status(() => kv.set("ttl", "a", v100k, 1000))).toBe(200);
  expect(status(() => kv.set("ttl", "b", v100k))).toBe(409);
  // An expired key counts until it is purged (it is still on disk), then frees its room.
  await clock.advance(2000);
  expect(status(() => kv.set("ttl", "b", v100k))).toBe(409);
  kv.purgeExpired();
  expect(status(() => kv.set("ttl", "b", v100k))).toBe(200);
  // A restart counts what is stored.
  const again = make({ maxTotalBytes: MiB, maxValueBytes: 200_000 });
  expect(status(() => again.set("ns", "k12", v100k))).toBe(409);
  again.delete("ns", "k1");
  expect(status(() => again.set("ns", "k12", v100k))).toBe(200);
});
