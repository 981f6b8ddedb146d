// The site-wide dashboard feed: a Steward's own events reach its pages once their row is written, and its polls never
// read its own rows back (at thousands of runs a second, reading and parsing them again was most of the feed's cost);
// the other Stewards' rows are each taken once, a row committed late below the newest one taken included, and a
// restart takes nothing twice.
import { afterAll, expect, test } from "bun:test";
import { createEventBus } from "../../../../src/platform/core/bus";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createClusterFeed, dashboardFeedMigrations } from "../../../../src/show/dashboard/cluster-feed";
import type { DomainEvent, DomainEvents } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { openStore } from "../../../../src/platform/store/database";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

const dir = createTempDir("steward-feed-own-");
afterAll(() => dir.remove());

/** The store as one Steward sees it, counting the payloads its reads bring back. */
function counting(db: SqlDb) {
  const read = { payloads: 0 };
  const seen: SqlDb = Object.create(db);
  seen.all = async <T>(sql: string, args?: never[]) => {
    const rows = (await db.all<T>(sql, args)) as Array<{ payload?: string | null }>;
    read.payloads += rows.filter((r) => typeof r.payload === "string").length;
    return rows as T[];
  };
  return { db: seen, read };
}

test("own events are shown once without being read back; the others' once each, a late commit too; a restart takes nothing twice", async () => {
  const store = openStore(dir.path, [dashboardFeedMigrations]);
  const member = (name: string, cursor: { id?: number }) => {
    const bus = createEventBus<DomainEvents>(createSilentLogger());
    const shown: Array<{ id: string; steward: string }> = [];
    const { db, read } = counting(store.sql);
    const feed = createClusterFeed({
      db,
      bus,
      steward: name,
      writer: `writer-${name}`,
      sink: { take: (e: DomainEvent, _at, steward) => void shown.push({ id: (e as { id: string }).id, steward }) },
      log: createSilentLogger(),
      cursor: { get: () => cursor.id, set: (id) => void (cursor.id = id) },
      initial: 0,
      pollMs: () => 3_600_000,
    });
    return { bus, feed, shown, read };
  };
  const cursorA: { id?: number } = {};
  const a = member("a", cursorA);
  const b = member("b", {});
  await a.feed.start();
  await b.feed.start();
  for (let i = 0; i < 30; i++) await a.bus.emit("task.failed", { ...syntheticTaskEvent({ outcome: "failed" }), id: `a${i}` });
  for (let i = 0; i < 20; i++) await b.bus.emit("task.failed", { ...syntheticTaskEvent({ outcome: "failed" }), id: `b${i}` });
  // Rows are written after emit returns; on a loaded machine that takes a while.
  await waitFor(() => a.shown.length === 30 && b.shown.length === 20, { what: "the 50 rows written" });
  // Each one's own events, shown as written (no poll has run since the start).
  expect(a.shown.filter((s) => s.steward === "a").map((s) => s.id)).toEqual(Array.from({ length: 30 }, (_, i) => `a${i}`));
  expect(b.shown.filter((s) => s.steward === "b").length).toBe(20);

  expect(await a.feed.poll()).toBe(20);
  expect(await b.feed.poll()).toBe(30);
  expect(await a.feed.poll()).toBe(0);
  // A read the 20 rows of b and none of its own.
  expect(a.read.payloads).toBe(20);
  expect(b.read.payloads).toBe(30);

  // A row of b's that commits after a later one was read: its id below the newest a took (one of a's own ids here).
  const ownId = Number((await store.sql.get<{ m: number }>("SELECT MAX(id) AS m FROM dashboard_feed WHERE writer = 'writer-a'"))?.m);
  const lateEvent = { ...syntheticTaskEvent({ outcome: "failed" }), id: "late" };
  await store.sql.run("UPDATE dashboard_feed SET steward = 'b', writer = 'writer-b', payload = ? WHERE id = ?", [JSON.stringify(lateEvent), ownId]);
  expect(await a.feed.poll()).toBe(1);
  expect(a.shown.at(-1)?.id).toBe("late");
  expect(await a.feed.poll()).toBe(0);
  expect(a.shown.length).toBe(51);

  // A restart of a (the same writer, its cursor kept) shows nothing twice; a new event of b's once.
  await a.feed.stop(1_000);
  const again = member("a", cursorA);
  await again.feed.start();
  await b.bus.emit("task.failed", { ...syntheticTaskEvent({ outcome: "failed" }), id: "b-new" });
  await waitFor(() => b.shown.at(-1)?.id === "b-new", { what: "b's new row written" });
  expect(await again.feed.poll()).toBe(1);
  expect(again.shown.map((s) => s.id)).toEqual(["b-new"]);
  await again.feed.stop(1_000);
  await b.feed.stop(1_000);
  store.close();
});
