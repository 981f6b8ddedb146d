// kv.maxTotalBytes with two Stewards on one PostgreSQL store, each with its own connection pool, racing every kind
// of write at once: overwrites that grow and shrink values (one statement each), new keys, deletes, namespace
// deletes and purges. A third connection samples what is stored the whole time: it must never hold more than the
// quota, and the usage counter must end equal to what is stored (a difference taken from a stale read of the
// replaced value would make it drift).
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { auditMigrations, createAuditLog } from "../../../../src/platform/audit/audit-log";
import { KvSchema } from "../../../../src/keep/kv/config";
import { createManualClock } from "../../../../src/platform/core/clock";
import { AppError } from "../../../../src/platform/core/errors";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import { createKvStore, kvMigrations, type KvStore } from "../../../../src/keep/kv";
import { openPostgresStore } from "../../../../src/platform/store/postgres-store";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { startPostgres, type PostgresService } from "../../../helpers/services";

const LIMIT = 1024 * 1024;
const KEYS = 12;
const ROUNDS = 60;
const PER_ROUND = 6;

let pg: PostgresService;
const pools: SqlDb[] = [];
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  for (const db of pools.splice(0)) await db.close();
  await pg?.stop();
});

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const STORED_BYTES = "SELECT COALESCE(SUM(octet_length(namespace) + octet_length(key) + octet_length(value)), 0) AS b FROM kv_entries";

test("two Stewards racing overwrites, new keys, deletes and purges never hold more than kv.maxTotalBytes, and the usage count stays exact", async () => {
  const url = await pg.createDatabase("kv_quota_cluster");
  const open = async () => {
    const db = await openPostgresStore({ url, maxConnections: 4, connectTimeoutMs: 5_000, tls: false, applicationName: "steward-test" }, [
      kvMigrations,
      auditMigrations,
    ]);
    pools.push(db);
    return db;
  };
  const [dbA, dbB, watcher] = [await open(), await open(), await open()];
  const clock = createManualClock(Date.parse("2026-03-01T10:00:00Z"));
  const steward = (db: SqlDb): KvStore =>
    createKvStore(KvSchema.parse({ maxTotalBytes: LIMIT, maxValueBytes: 200_000 }), {
      db,
      clock,
      log: createSilentLogger(),
      audit: createAuditLog(db, clock),
      metrics: createMetricsRegistry(),
    });
  const stewards = [steward(dbA), steward(dbB)];

  // Fill to near the quota first, so most later writes are overwrites of live keys that press against it.
  for (let i = 0; i < KEYS; i++) await stewards[i % 2]!.set("race", `k${i}`, "x".repeat(80_000));

  let sampling = true;
  let most = 0;
  const sampler = (async () => {
    while (sampling) {
      most = Math.max(most, Number((await watcher.get<{ b: number }>(STORED_BYTES))?.b ?? 0));
    }
  })();

  const outcomes = { ok: 0, refused: 0 };
  const attempt = async (p: Promise<unknown>) => {
    try {
      await p;
      outcomes.ok++;
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 409) throw err;
      outcomes.refused++;
    }
  };
  const next = random(15);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const ops: Array<Promise<unknown>> = [];
      for (let j = 0; j < PER_ROUND; j++) {
        const kv = stewards[Math.floor(next() * 2)]!;
        const pick = next();
        const key = `k${Math.floor(next() * KEYS)}`;
        const size = 1_000 + Math.floor(next() * 190_000);
        if (pick < 0.75) ops.push(attempt(kv.set("race", key, "v".repeat(size))));
        else if (pick < 0.85) ops.push(attempt(kv.set("race", `new${round}-${j}`, "n".repeat(size), next() < 0.5 ? 1 : 0)));
        else if (pick < 0.93) ops.push(attempt(kv.delete("race", key)));
        else if (pick < 0.97) ops.push(attempt(kv.purgeExpired()));
        else ops.push(attempt(kv.deleteNamespace(`ns${round % 3}`)), attempt(kv.set(`ns${round % 3}`, "a", "a".repeat(size))));
      }
      await Promise.all(ops);
      if (round % 10 === 9) await clock.advance(5);
    }
  } finally {
    // Stopped on a failure too, so the pools are not closed under a running query.
    sampling = false;
    await sampler;
  }

  const stored = Number((await watcher.get<{ b: number }>(STORED_BYTES))?.b ?? 0);
  const usage = Number((await watcher.get<{ bytes: number }>("SELECT bytes FROM kv_usage WHERE name = 'total'"))?.bytes);
  // Both kinds of outcome happened: the race pressed against the quota and also got through.
  expect(outcomes.refused).toBeGreaterThan(10);
  expect(outcomes.ok).toBeGreaterThan(50);
  expect(most).toBeLessThanOrEqual(LIMIT);
  expect(stored).toBeLessThanOrEqual(LIMIT);
  expect(usage).toBe(stored);
});

test("two Stewards adding keys and namespaces at once stop exactly at kv.maxKeysPerNamespace and kv.maxNamespaces", async () => {
  const url = await pg.createDatabase("kv_counts_cluster");
  const open = async () => {
    const db = await openPostgresStore({ url, maxConnections: 4, connectTimeoutMs: 5_000, tls: false, applicationName: "steward-test" }, [
      kvMigrations,
      auditMigrations,
    ]);
    pools.push(db);
    return db;
  };
  const [dbA, dbB] = [await open(), await open()];
  const clock = createManualClock(Date.parse("2026-03-01T10:00:00Z"));
  const steward = (db: SqlDb): KvStore =>
    createKvStore(KvSchema.parse({ maxKeysPerNamespace: 10, maxNamespaces: 5 }), {
      db,
      clock,
      log: createSilentLogger(),
      audit: createAuditLog(db, clock),
      metrics: createMetricsRegistry(),
    });
  const [a, b] = [steward(dbA), steward(dbB)];
  const settle = (p: Promise<unknown>) =>
    p.then(
      () => 201,
      (err: unknown) => (err instanceof AppError ? err.status : 500),
    );
  const keys = await Promise.all(Array.from({ length: 40 }, (_, i) => settle((i % 2 ? a : b).set("one", `k${i}`, "v"))));
  expect(keys.filter((s) => s === 201).length).toBe(10);
  expect(keys.filter((s) => s === 409).length, JSON.stringify(keys)).toBe(30);
  expect((await a.keys("one"))?.length).toBe(10);
  const spaces = await Promise.all(Array.from({ length: 20 }, (_, i) => settle((i % 2 ? a : b).set(`ns${i}`, "k", "v"))));
  // "one" holds keys already: four more namespaces fit.
  expect(spaces.filter((s) => s === 201).length).toBe(4);
  expect((await b.namespaces()).length).toBe(5);
});

test("sets that waited together for the usage row into a namespace with no keys yet stop at kv.maxKeysPerNamespace", async () => {
  // Made to happen every time: another session holds the usage row while twelve sets into a new namespace start,
  // so all of them read the namespace's key count (no row yet: nothing to lock) before waiting. A count read before
  // the wait said 0 to each of them and all twelve were stored (CI saw 12 of a limit of 10).
  const url = await pg.createDatabase("kv_counts_wait");
  const db = await openPostgresStore({ url, maxConnections: 16, connectTimeoutMs: 5_000, tls: false, applicationName: "steward-wait" }, [
    kvMigrations,
    auditMigrations,
  ]);
  pools.push(db);
  const clock = createManualClock(Date.parse("2026-03-01T10:00:00Z"));
  const kv = createKvStore(KvSchema.parse({ maxKeysPerNamespace: 10 }), {
    db,
    clock,
    log: createSilentLogger(),
    audit: createAuditLog(db, clock),
    metrics: createMetricsRegistry(),
  });
  const other = postgres(url, { max: 1, onnotice: () => {} });
  const watcher = postgres(url, { max: 1, onnotice: () => {} });
  let sets: Promise<number[]> | undefined;
  try {
    await other.unsafe("BEGIN");
    await other.unsafe("UPDATE kv_usage SET bytes = bytes WHERE name = 'total'");
    sets = Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        kv.set("fresh", `k${i}`, "v").then(
          () => 201,
          (err: unknown) => (err instanceof AppError ? err.status : 500),
        ),
      ),
    );
    let waiting = 0;
    for (let i = 0; i < 500 && waiting < 12; i++) {
      // Asked outside the held transaction: a transaction sees pg_stat_activity as it was at its first read.
      waiting = (await watcher.unsafe("SELECT 1 FROM pg_stat_activity WHERE application_name = 'steward-wait' AND wait_event_type = 'Lock'")).length;
      if (waiting < 12) await Bun.sleep(10);
    }
    expect(waiting).toBe(12);
    await other.unsafe("ROLLBACK");
    const outcomes = await sets;
    expect(outcomes.filter((s) => s === 201).length).toBe(10);
    expect(outcomes.filter((s) => s === 409).length).toBe(2);
  } finally {
    await other.end({ timeout: 5 });
    await watcher.end({ timeout: 5 });
    await sets?.catch(() => undefined);
  }
  expect((await kv.keys("fresh"))?.length).toBe(10);
});

test("a set PostgreSQL aborts as a deadlock victim is retried, not failed", async () => {
  // The cycle of the race above, made on purpose: another Steward's uncommitted new key X holds X's index entry
  // and then waits for the usage row, which this Steward's set of X took first (it had no row of X to lock).
  // The server aborts the side that waited first, this set; it must be run again, not answered with a 500.
  const url = await pg.createDatabase("kv_deadlock");
  const db = await openPostgresStore({ url, maxConnections: 2, connectTimeoutMs: 5_000, tls: false, applicationName: "steward-deadlock" }, [
    kvMigrations,
    auditMigrations,
  ]);
  pools.push(db);
  const clock = createManualClock(Date.parse("2026-03-01T10:00:00Z"));
  const kv = createKvStore(KvSchema.parse({}), { db, clock, log: createSilentLogger(), audit: createAuditLog(db, clock), metrics: createMetricsRegistry() });
  await kv.set("race", "other", "o");
  const other = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await other.unsafe("SET deadlock_timeout = '10s'");
    await other.unsafe("BEGIN");
    await other.unsafe("INSERT INTO kv_entries (namespace, key, value, expires_at, ttl_ms, updated_at) VALUES ('race', 'x', '\"theirs\"', NULL, 0, 0)");
    const mine = kv.set("race", "x", "mine").then(
      () => "stored",
      (err: unknown) => `failed: ${(err as Error).message}`,
    );
    // This Steward's set now holds the usage row and waits for the other's key.
    for (let i = 0; i < 200; i++) {
      const waiting = await other.unsafe("SELECT 1 FROM pg_stat_activity WHERE application_name = 'steward-deadlock' AND wait_event_type = 'Lock'");
      if (waiting.length > 0) break;
      await Bun.sleep(10);
    }
    await other.unsafe("UPDATE kv_usage SET bytes = bytes WHERE name = 'total'");
    await other.unsafe("ROLLBACK");
    expect(await mine).toBe("stored");
  } finally {
    await other.end({ timeout: 5 });
  }
  expect((await kv.get("race", "x"))?.value).toBe("mine");
  const stored = Number((await db.get<{ b: number }>(STORED_BYTES))?.b ?? 0);
  expect(Number((await db.get<{ bytes: number }>("SELECT bytes FROM kv_usage WHERE name = 'total'"))?.bytes)).toBe(stored);
});
