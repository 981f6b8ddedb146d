// The filter of runs surely never marked (src/hear/intake/seen-filter.ts, issue 89): on SQLite a new run's claim
// reads nothing from the store once the filter is built, and a run marked before (in the table at load, or marked
// since, even while the filter was being built) is still recognised as handled.
import { afterAll, expect, test } from "bun:test";
import { runKey } from "../../../../src/hear/events/run-key";
import { createIntakeStore, intakeMigrations } from "../../../../src/hear/intake/intake-store";
import { createSeenFilter, MIN_BITS, PAGE, seenFilterOf } from "../../../../src/hear/intake/seen-filter";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { sqliteBackend } from "../../../helpers/sql-backends";

const backend = sqliteBackend();
afterAll(() => backend.shutdown());

/** The store as it is, counting the statements sent to it. */
function counted(db: SqlDb): { db: SqlDb; statements: () => number } {
  let n = 0;
  const wrapped = Object.create(db) as SqlDb;
  Object.assign(wrapped, {
    get: (sql: string, params?: unknown[]) => (n++, db.get(sql, params as never)),
    all: (sql: string, params?: unknown[]) => (n++, db.all(sql, params as never)),
    run: (sql: string, params?: unknown[]) => (n++, db.run(sql, params as never)),
  });
  return { db: wrapped, statements: () => n };
}

const exec = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
const key = (i: number) => runKey(exec(i), "failed");
const HOUR = 3_600_000;
const turn = () => new Promise((r) => setImmediate(r));

/** Claims `i` as steward-a at `now`. */
const claim = (store: ReturnType<typeof createIntakeStore>, i: number, now: number) => store.claim(key(i), exec(i), "udp", now, 60_000, "steward-a");

test("a new run's claim sends no statement once the filter is built; runs marked before it was built are still recognised", async () => {
  const { db, statements } = counted(await backend.open([intakeMigrations]));
  const now = 10 * HOUR;
  // Marks written before this start (a previous run of Steward): the filter learns them from the table.
  for (let i = 0; i < 5; i++)
    await db.run("INSERT INTO intake_seen (key, execution_id, source, seen_at, expires_at) VALUES (?, ?, 'udp', ?, ?)", [
      key(i),
      exec(i),
      now - HOUR,
      now + HOUR,
    ]);
  const store = createIntakeStore(db);
  // The first claim starts the build and looks at its mark as before.
  expect(await claim(store, 100, now)).toBe(true);
  for (let i = 0; i < 20 && !seenFilterOf(db).state.ready; i++) await turn();
  expect(seenFilterOf(db).state.ready).toBe(true);
  const before = statements();
  const fresh = await Promise.all(Array.from({ length: 50 }, (_, i) => claim(store, 200 + i, now)));
  expect(fresh).toEqual(Array(50).fill(true));
  // Fifty new runs: no look at all (one statement per turn of claims before).
  expect(statements() - before).toBe(0);
  // The runs marked by the previous start are still duplicates.
  for (let i = 0; i < 5; i++) expect(await claim(store, i, now)).toBe(false);
});

test("a run marked while the filter is being built, and one marked after, are still duplicates", async () => {
  const db = await backend.open([intakeMigrations]);
  const store = createIntakeStore(db);
  const now = 10 * HOUR;
  // The first claim starts the build; the mark of run 1 is sent in the same turn, before the build's reads run.
  const first = claim(store, 0, now);
  const marked = store.markSeen([{ key: key(1), executionId: exec(1) }], "udp", now, HOUR);
  expect(await first).toBe(true);
  await marked;
  await store.markSeen([{ key: key(2), executionId: exec(2) }], "udp", now, HOUR);
  for (let i = 0; i < 20 && !seenFilterOf(db).state.ready; i++) await turn();
  expect(seenFilterOf(db).state.ready).toBe(true);
  expect(await claim(store, 1, now + 1)).toBe(false);
  expect(await claim(store, 2, now + 1)).toBe(false);
  // An expired mark is not a duplicate: the filter says "maybe", the look says expired.
  expect(await claim(store, 2, now + 2 * HOUR)).toBe(true);
});

test("no key added is ever answered 'never marked'; few others are answered 'maybe'", async () => {
  const filter = createSeenFilter(await backend.open([intakeMigrations]));
  filter.mayHave("start the build");
  for (let i = 0; i < 10 && !filter.state.ready; i++) await turn();
  expect(filter.state).toEqual({ keys: 0, bits: MIN_BITS, ready: true });
  for (let i = 0; i < 20_000; i++) filter.add(key(i));
  for (let i = 0; i < 20_000; i++) if (!filter.mayHave(key(i))) throw new Error(`key ${i} missed`);
  let maybe = 0;
  for (let i = 20_000; i < 120_000; i++) if (filter.mayHave(key(i))) maybe++;
  // 20,000 keys in 2^20 bits with four probes: about 0.01 % wrong "maybe".
  expect(maybe).toBeLessThan(100);
});

test("past a key per ten bits the filter is built again from the table, keeping what is stored", async () => {
  const db = await backend.open([intakeMigrations]);
  await db.run("INSERT INTO intake_seen (key, execution_id, source, seen_at, expires_at) VALUES (?, ?, 'udp', 0, 1)", [key(0), exec(0)]);
  const filter = createSeenFilter(db);
  filter.mayHave(key(0));
  for (let i = 0; i < 10 && !filter.state.ready; i++) await turn();
  expect(filter.mayHave(key(0))).toBe(true);
  // Keys added (their marks never written, as after a failed commit) until the bound: a new build starts.
  for (let i = 1; i <= MIN_BITS / 10 + 1; i++) filter.add(key(i));
  expect(filter.state.ready).toBe(false);
  expect(filter.mayHave(key(1))).toBe(true);
  for (let i = 0; i < 10 && !filter.state.ready; i++) await turn();
  expect(filter.state.keys).toBe(0);
  // The stored mark is kept; the keys that were never stored are gone (a few may still answer "maybe").
  expect(filter.mayHave(key(0))).toBe(true);
  let maybe = 0;
  for (let i = 1; i <= 1000; i++) if (filter.mayHave(key(i))) maybe++;
  expect(maybe).toBeLessThan(10);
});

test("a table of more keys than one page is read whole, a page a statement", async () => {
  const store = await backend.open([intakeMigrations]);
  // The most rows one statement of the build returned.
  let largest = 0;
  const db = Object.create(store) as SqlDb;
  Object.assign(db, {
    all: async (sql: string, params?: unknown[]) => {
      const rows = await store.all(sql, params as never);
      largest = Math.max(largest, rows.length);
      return rows;
    },
  });
  const n = 2 * PAGE + 17;
  await db.transaction(async (tx) => {
    for (let i = 0; i < n; i++)
      await tx.run("INSERT INTO intake_seen (key, execution_id, source, seen_at, expires_at) VALUES (?, ?, 'udp', 0, 1)", [key(i), exec(i)]);
  });
  const filter = createSeenFilter(db);
  filter.mayHave("start the build");
  for (let i = 0; i < 50 && !filter.state.ready; i++) await turn();
  expect(filter.state.ready).toBe(true);
  for (let i = 0; i < n; i++) if (!filter.mayHave(key(i))) throw new Error(`stored key ${i} missed`);
  expect(largest).toBe(PAGE);
});
