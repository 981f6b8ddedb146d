// The key-value store on both store back ends (the SQLite file and PostgreSQL) with a manual clock: round
// trips, TTL expiry with and without reads (the purge timer), limits with their status codes, and audit records
// of writes.
import { afterAll, afterEach, beforeEach, describe, expect, test } from "bun:test";
import { auditMigrations, createAuditLog, type AuditLog } from "../../../../src/platform/audit/audit-log";
import { KvSchema } from "../../../../src/keep/kv/config";
import { createManualClock, type ManualClock } from "../../../../src/platform/core/clock";
import { AppError } from "../../../../src/platform/core/errors";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import { createKvStore, kvMigrations, type KvStore } from "../../../../src/keep/kv";
import type { Component } from "../../../../src/platform/core/lifecycle";
import { openStore, type Store } from "../../../../src/platform/store/database";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { bothBackends } from "../../../helpers/sql-backends";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

for (const backend of bothBackends()) {
  let dir: TempDir;
  let auditStore: Store;
  let db: SqlDb;
  let clock: ManualClock;
  let audit: AuditLog;
  let kv: KvStore & Component;

  function make(overrides: Record<string, unknown> = {}): KvStore & Component {
    return createKvStore(KvSchema.parse(overrides), { db, clock, log: createSilentLogger(), audit, metrics: createMetricsRegistry() });
  }

  beforeEach(async () => {
    dir = createTempDir();
    // The audit log is still on the local SQLite file.
    auditStore = openStore(dir.path, [auditMigrations]);
    db = await backend.open([kvMigrations]);
    clock = createManualClock(Date.parse("2025-03-01T10:00:00Z"));
    audit = createAuditLog(auditStore.sql, clock);
    kv = make({ purgeIntervalMs: 60_000 });
    await kv.start();
  });
  afterEach(async () => {
    await kv.stop(1000);
    auditStore.close();
    dir.remove();
  });
  afterAll(() => backend.shutdown());

  const rowCount = async () => Number((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM kv_entries"))?.n);
  /** The purge runs on a timer and then talks to the store: wait for its result rather than for a turn of the loop. */
  const rowCountBecomes = (n: number) => waitFor(async () => (await rowCount()) === n, { what: `${n} rows in kv_entries`, timeoutMs: 5_000 });

  async function expectAppError(p: Promise<unknown>, status: number, message: RegExp): Promise<void> {
    let caught: unknown;
    try {
      await p;
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).status).toBe(status);
    expect((caught as AppError).message).toMatch(message);
  }

  describe(`kv store on ${backend.name}`, () => {
    test("round trip of strings and JSON values; overwrite replaces value and TTL", async () => {
      await kv.set("etl", "last", "2025-03-01");
      await kv.set("etl", "obj", { a: [1, 2] });
      expect(await kv.get("etl", "last")).toEqual({ namespace: "etl", key: "last", value: "2025-03-01", ttl: 0 });
      expect((await kv.get("etl", "obj"))?.value).toEqual({ a: [1, 2] });
      await kv.set("etl", "last", "again", 5000);
      expect(await kv.get("etl", "last")).toMatchObject({ value: "again", ttl: 5000, expiresAt: clock.now() + 5000 });
      await kv.set("etl", "last", "forever");
      expect(await kv.get("etl", "last")).toEqual({ namespace: "etl", key: "last", value: "forever", ttl: 0 });
      expect(await kv.namespaces()).toEqual(["etl"]);
      expect(await kv.keys("etl")).toEqual(["last", "obj"]);
      expect(await kv.has("etl", "obj")).toBe(true);
      expect(await kv.delete("etl", "obj")).toBe(true);
      expect(await kv.delete("etl", "obj")).toBe(false);
      expect(await kv.deleteNamespace("etl")).toBe(true);
      expect(await kv.namespaces()).toEqual([]);
      expect(await kv.keys("etl")).toBeUndefined();
    });

    test("setKey (the task-start KeyValueWriter) stores a string with TTL", async () => {
      await kv.setKey("chain", "p1", "v", 1000);
      expect(await kv.get("chain", "p1")).toMatchObject({ value: "v", ttl: 1000 });
    });

    test("an expired key is invisible at once, before any purge", async () => {
      await kv.set("ns", "k", "v", 1000);
      await clock.advance(999);
      expect((await kv.get("ns", "k"))?.value).toBe("v");
      // Move time without running timers: only the read-side filter can hide it.
      const internal = clock as unknown as { now(): number };
      const realNow = internal.now;
      internal.now = () => realNow() + 1;
      try {
        expect(await kv.get("ns", "k")).toBeUndefined();
        expect(await kv.has("ns", "k")).toBe(false);
        // The namespace outlives its last key (Butler's keylist answers 200 with no keys).
        expect(await kv.keys("ns")).toEqual([]);
        expect(await kv.namespaces()).toEqual(["ns"]);
        expect(await rowCount()).toBe(1);
      } finally {
        internal.now = realNow;
      }
    });

    test("expired keys are purged by the timer without any read", async () => {
      await kv.set("ns", "short", "v", 5_000);
      await kv.set("ns", "long", "v", 3_600_000);
      await kv.set("ns", "keep", "v");
      expect(await rowCount()).toBe(3);
      await clock.advance(5_000);
      await rowCountBecomes(2);
      // The hourly key goes at the latest one purge interval after it expires.
      await clock.advance(3_600_000 - 5_000 + 60_000);
      await rowCountBecomes(1);
      expect(await kv.keys("ns")).toEqual(["keep"]);
    });

    test("a shorter TTL set later re-arms the timer earlier", async () => {
      await kv.set("ns", "a", "v", 50_000);
      await kv.set("ns", "b", "v", 2_000);
      await clock.advance(2_000);
      await rowCountBecomes(1);
    });

    test("limits: keys per namespace and namespaces give 409 with the setting name", async () => {
      await kv.stop(100);
      kv = make({ maxKeysPerNamespace: 2, maxNamespaces: 2 });
      await kv.start();
      await kv.set("a", "1", "x");
      await kv.set("a", "2", "x");
      await kv.set("a", "2", "overwrite is fine");
      await expectAppError(kv.set("a", "3", "x"), 409, /maximum of 2 keys \(kv\.maxKeysPerNamespace\)/);
      await kv.set("b", "1", "x");
      await expectAppError(kv.set("c", "1", "x"), 409, /maximum of 2 namespaces \(kv\.maxNamespaces\)/);
      // Expired keys do not count against the limits. An emptied namespace stays listed until the list is full;
      // then the oldest empty one makes room for a new namespace.
      await kv.set("a", "1", "x", 10);
      await clock.advance(10);
      await kv.set("a", "3", "x");
      await kv.set("b", "1", "x", 10);
      await clock.advance(10);
      expect(await kv.namespaces()).toEqual(["a", "b"]);
      expect(await kv.keys("b")).toEqual([]);
      await kv.set("c", "1", "x");
      expect(await kv.namespaces()).toEqual(["a", "c"]);
      expect(await kv.keys("b")).toBeUndefined();
      const denied = await audit.query({ action: "kv.set", result: "failed" });
      expect(denied.length).toBe(2);
    });

    test("limits: key, namespace and value size give 413", async () => {
      await kv.stop(100);
      kv = make({ maxKeyBytes: 8, maxValueBytes: 16 });
      await kv.start();
      await expectAppError(kv.set("ns", "ninebytes", "x"), 413, /key is 9 bytes; the limit is 8 bytes \(kv\.maxKeyBytes\)/);
      await expectAppError(kv.set("namespace", "k", "x"), 413, /namespace is 9 bytes/);
      // "åäö" is 6 UTF-8 bytes: sizes are bytes, not characters.
      await expectAppError(kv.set("ns", "k", "åäöåäöxxxxx"), 413, /value is 17 bytes; the limit is 16 bytes \(kv\.maxValueBytes\)/);
      expect((await kv.set("ns", "k", "åäöåäöxxxx")).value).toBe("åäöåäöxxxx");
      await expectAppError(kv.set("ns", "k", { a: "0123456789ab" }), 413, /value is 20 bytes/);
      await expectAppError(kv.set("ns", "k", "x", -1), 400, /ttl/);
    });

    test("names no store can keep: 400 on a write from any path, not found on a read (never a store error)", async () => {
      await expectAppError(kv.set("a\u0000b", "k", "x"), 400, /namespace: must not contain the NUL character/);
      await expectAppError(kv.set("ns", "k\u0000", "x"), 400, /key: must not contain the NUL character/);
      await expectAppError(kv.set("ns", "\udc00", "x"), 400, /key: must not contain a lone UTF-16 surrogate/);
      expect(await kv.get("a\u0000b", "k")).toBeUndefined();
      expect(await kv.has("ns", "\ud800")).toBe(false);
      expect(await kv.keys("a\u0000")).toBeUndefined();
      expect(await kv.delete("ns", "k\u0000")).toBe(false);
      expect(await kv.deleteNamespace("a\u0000")).toBe(false);
      expect(await kv.namespaces()).toEqual([]);
    });

    test("every write is audited with its actor", async () => {
      await kv.set("ns", "k", "v", 0, { kind: "apiKey", name: "etl" });
      await kv.delete("ns", "k", { kind: "apiKey", name: "etl" });
      const rows = await audit.query({ actorName: "etl" });
      expect(rows.map((r) => [r.action, r.target, r.result])).toEqual([
        ["kv.delete", "ns/k", "ok"],
        ["kv.set", "ns/k", "ok"],
      ]);
    });
  });
}
