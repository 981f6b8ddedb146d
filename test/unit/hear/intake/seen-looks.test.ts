// The claims' looks at the seen marks on SQLite (src/hear/intake/seen-looks.ts, issue 89): the claims of one turn of
// the event loop read the store once, not once each, and each still answers for its own key and time.
import { afterAll, expect, test } from "bun:test";
import { createIntakeStore, intakeMigrations } from "../../../../src/hear/intake/intake-store";
import { runKey } from "../../../../src/hear/events/run-key";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { sqliteBackend } from "../../../helpers/sql-backends";

const backend = sqliteBackend();
afterAll(() => backend.shutdown());

/** The store as it is, counting the looks at seen marks sent to it (not the seen filter's build, seen-filter.ts). */
function counted(db: SqlDb): { db: SqlDb; reads: () => number } {
  let reads = 0;
  const look = (sql: string) => (sql.includes("WHERE key IN") ? reads++ : 0);
  const wrapped = Object.create(db) as SqlDb;
  Object.assign(wrapped, {
    get: (sql: string, params?: unknown[]) => (look(sql), db.get(sql, params as never)),
    all: (sql: string, params?: unknown[]) => (look(sql), db.all(sql, params as never)),
  });
  return { db: wrapped, reads: () => reads };
}

const exec = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
const HOUR = 3_600_000;

test("600 claims made in one turn read the store twice, and each answers for its own run", async () => {
  const { db, reads } = counted(await backend.open([intakeMigrations]));
  const store = createIntakeStore(db);
  const now = 10 * HOUR;
  // Runs 0-9 were announced an hour ago and are still remembered; runs 10-19 were, but their marks have expired.
  await store.markSeen(
    Array.from({ length: 10 }, (_, i) => ({ key: runKey(exec(i), "failed"), executionId: exec(i) })),
    "udp",
    now - HOUR,
    2 * HOUR,
  );
  await store.markSeen(
    Array.from({ length: 10 }, (_, i) => ({ key: runKey(exec(10 + i), "failed"), executionId: exec(10 + i) })),
    "udp",
    now - 3 * HOUR,
    HOUR,
  );
  const before = reads();
  const claims = Array.from({ length: 600 }, (_, i) => store.claim(runKey(exec(i), "failed"), exec(i), "udp", now, 60_000, "steward-a"));
  const won = await Promise.all(claims);
  // 600 claims: one statement for 512 keys and one for the rest (was one each).
  expect(reads() - before).toBe(2);
  expect(won.slice(0, 10)).toEqual(Array(10).fill(false));
  expect(won.slice(10)).toEqual(Array(590).fill(true));
  // A claim of a key claimed meanwhile loses; another turn reads again (a marked run: a new one is answered by the
  // seen filter, built by now, without a look).
  expect(await store.claim(runKey(exec(599), "failed"), exec(599), "udp", now, 60_000, "steward-b")).toBe(false);
  expect(await store.claim(runKey(exec(3), "failed"), exec(3), "udp", now, 60_000, "steward-a")).toBe(false);
  expect(reads() - before).toBe(3);
  expect(await store.claim(runKey(exec(600), "failed"), exec(600), "udp", now, 60_000, "steward-a")).toBe(true);
  expect(reads() - before).toBe(3);
});
