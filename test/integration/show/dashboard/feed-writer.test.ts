// The site-wide feed's rows on PostgreSQL (src/show/dashboard/feed-writer.ts): the events published together go in one
// INSERT, in publish order, each payload stored as the very JSON text it was given; a batch PostgreSQL refuses
// because of one row is written row by row, so only that row fails.
import { afterAll, expect, test } from "bun:test";
import { dashboardFeedMigrations } from "../../../../src/show/dashboard/cluster-feed";
import { createFeedWriter } from "../../../../src/show/dashboard/feed-writer";
import { postgresBackend } from "../../../helpers/sql-backends";

const backend = postgresBackend();
afterAll(() => backend.shutdown());

test("rows published together keep their order and their JSON text; a refused row fails alone", { timeout: 60_000 }, async () => {
  const db = await backend.open([dashboardFeedMigrations]);
  const write = createFeedWriter(db, "node-a", "writer-a");
  // Text JSON.stringify leaves as it is (non-ASCII, line separators, an escaped quote) must come back unchanged.
  const payloads = [0, 1, 2, 3, 4, 5].map((i) => JSON.stringify({ id: `e${i}`, name: `Reload é ${i} \u2028 "q"`, n: i }));
  const first = await Promise.allSettled(payloads.map((p, i) => write({ seenAt: 1_000 + i, kind: "task.failed", payload: p })));
  expect(first.map((r) => r.status)).toEqual(payloads.map(() => "fulfilled"));
  // A kind PostgreSQL will not store (a NUL character): the batch is refused, then each row is written on its own.
  const second = await Promise.allSettled([
    write({ seenAt: 2_000, kind: "task.failed", payload: '{"id":"f0"}' }),
    write({ seenAt: 2_001, kind: "task\u0000failed", payload: '{"id":"f1"}' }),
    write({ seenAt: 2_002, kind: "task.failed", payload: '{"id":"f2"}' }),
  ]);
  expect(second.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  const rows = await db.all<{ seen_at: number; steward: string; kind: string; payload: string }>(
    "SELECT seen_at, steward, kind, payload FROM dashboard_feed ORDER BY id",
  );
  expect(rows.map((r) => r.payload)).toEqual([...payloads, '{"id":"f0"}', '{"id":"f2"}']);
  expect(rows.map((r) => Number(r.seen_at))).toEqual([1_000, 1_001, 1_002, 1_003, 1_004, 1_005, 2_000, 2_002]);
  expect(new Set(rows.map((r) => `${r.steward} ${r.kind}`))).toEqual(new Set(["node-a task.failed"]));
});
