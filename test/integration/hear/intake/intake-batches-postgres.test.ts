// Run claims and seen-marks on PostgreSQL share statements (src/hear/intake/postgres-batches.ts): many runs at once
// cost a few statements, two Stewards (each with its own pool) claiming the same runs in opposite orders still
// give every run to exactly one of them without deadlocking, a key asked for twice in one batch is won once, and a
// row PostgreSQL refuses (a NUL character, as a forged datagram could carry) fails only its own claim.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createIntakeStore, intakeMigrations } from "../../../../src/hear/intake/intake-store";
import { createPostgresIntakeBatches } from "../../../../src/hear/intake/postgres-batches";
import { openPostgresStore } from "../../../../src/platform/store/postgres-store";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { startPostgres, type PostgresService } from "../../../helpers/services";

let pg: PostgresService;
const pools: SqlDb[] = [];
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  for (const db of pools.splice(0)) await db.close();
  await pg?.stop();
});

let n = 0;
async function database(): Promise<string> {
  return pg.createDatabase(`intake_batches_${++n}`);
}
async function pool(url: string): Promise<SqlDb> {
  const db = await openPostgresStore({ url, maxConnections: 4, connectTimeoutMs: 5_000, tls: false, applicationName: "steward-test" }, [intakeMigrations]);
  pools.push(db);
  return db;
}

const LEASE = 60_000;
const claimRow = (key: string, instanceId: string) => ({
  key,
  executionId: key.split(":")[0]!,
  source: "udp",
  now: 1_000,
  expiresAt: 1_000 + LEASE,
  instanceId,
});

test("200 runs claimed and marked at once cost a few statements; each claim is answered with its own outcome", async () => {
  const db = await pool(await database());
  const b = createPostgresIntakeBatches(db);
  const keys = Array.from({ length: 200 }, (_, i) => `e${i}:failed`);
  expect(await Promise.all(keys.map((k) => b.claim(claimRow(k, "a"))))).toEqual(keys.map(() => true));
  expect(b.stats.claims.items).toBe(200);
  expect(b.stats.claims.batches).toBeLessThan(20);
  // Claimed already: a second round takes none of them.
  expect(await Promise.all(keys.map((k) => b.claim(claimRow(k, "b"))))).toEqual(keys.map(() => false));
  await Promise.all(keys.map((k) => b.markSeen([{ key: k, executionId: k.split(":")[0]!, source: "udp", now: 2_000, expiresAt: 9_000 }])));
  expect(b.stats.marks.items).toBe(200);
  expect(b.stats.marks.batches).toBeLessThan(20);
  const rows = await db.all<{ claimed: number; expiry: number }>("SELECT COUNT(claimed_by) AS claimed, MIN(expires_at) AS expiry FROM intake_seen");
  expect(rows).toEqual([{ claimed: 0, expiry: 9_000 }]);
});

test("two Stewards claiming the same 300 runs in opposite orders: every run is won exactly once, no deadlock", async () => {
  const url = await database();
  const [dbA, dbB] = [await pool(url), await pool(url)];
  const a = createIntakeStore(dbA);
  const b = createIntakeStore(dbB);
  const keys = Array.from({ length: 300 }, (_, i) => `run${String(i).padStart(3, "0")}:failed`);
  const claim = (s: typeof a, key: string, who: string) => s.claim(key, key.split(":")[0]!, "udp", 1_000, LEASE, who);
  const [wonA, wonB] = await Promise.all([
    Promise.all(keys.map((k) => claim(a, k, "a"))),
    Promise.all([...keys].reverse().map((k) => claim(b, k, "b"))).then((r) => r.reverse()),
  ]);
  keys.forEach((_, i) => expect(Number(wonA[i]) + Number(wonB[i])).toBe(1));
  const owners = await dbA.all<{ claimed_by: string; n: number }>("SELECT claimed_by, COUNT(*) AS n FROM intake_seen GROUP BY claimed_by ORDER BY claimed_by");
  expect(owners.reduce((s, r) => s + r.n, 0)).toBe(300);
  expect(owners.find((r) => r.claimed_by === "a")?.n ?? 0).toBe(wonA.filter(Boolean).length);
});

test("a key asked for twice in one batch is won by one caller; a row PostgreSQL refuses fails only its own claim", async () => {
  const db = await pool(await database());
  const b = createPostgresIntakeBatches(db);
  const twice = await Promise.all([b.claim(claimRow("same:failed", "a")), b.claim(claimRow("same:failed", "a"))]);
  expect(twice.filter(Boolean).length).toBe(1);

  const keys = Array.from({ length: 10 }, (_, i) => `ok${i}:failed`);
  const outcomes = await Promise.all(
    [...keys.slice(0, 5), "bad\u0000:failed", ...keys.slice(5)].map((k) =>
      b.claim(claimRow(k, "a")).then(
        (won) => ({ k, won }),
        (err: Error) => ({ k, err: err.message }),
      ),
    ),
  );
  expect(
    outcomes
      .filter((o) => "won" in o && o.won)
      .map((o) => o.k)
      .sort(),
  ).toEqual([...keys].sort());
  expect(outcomes.find((o) => o.k.startsWith("bad"))).toHaveProperty("err");
  expect(await createIntakeStore(db).isSeen("ok3:failed", 1_500)).toBe(true);
});

test("a Steward claiming a run it already holds (its first claim committed, the answer lost) gets it again; no one else does", async () => {
  const db = await pool(await database());
  const b = createPostgresIntakeBatches(db);
  expect(await b.claim(claimRow("lost-answer:failed", "a"))).toBe(true);
  // The retry after an answer lost with the connection: the row is this Steward's own claim.
  expect(await b.claim(claimRow("lost-answer:failed", "a"))).toBe(true);
  expect(await b.claim(claimRow("lost-answer:failed", "b"))).toBe(false);
  // Once handled (marked seen), the run is nobody's to claim again, its announcer's included.
  await b.markSeen([{ key: "lost-answer:failed", executionId: "lost-answer", source: "udp", now: 2_000, expiresAt: 9_000_000 }]);
  expect(await b.claim(claimRow("lost-answer:failed", "a"))).toBe(false);
  expect(await db.all("SELECT claimed_by FROM intake_seen WHERE key = 'lost-answer:failed'")).toEqual([{ claimed_by: null }]);
});
