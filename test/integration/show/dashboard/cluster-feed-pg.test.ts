// The site-wide dashboard feed on PostgreSQL: a Steward that writes many rows of its own between two polls (its polls
// skip them) still takes a row another Steward wrote before them, and each one's events are shown once on both.
import { afterAll, expect, test } from "bun:test";
import { createEventBus } from "../../../../src/platform/core/bus";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createClusterFeed, dashboardFeedMigrations } from "../../../../src/show/dashboard/cluster-feed";
import type { DomainEvent, DomainEvents } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { postgresBackend } from "../../../helpers/sql-backends";

const backend = postgresBackend();
afterAll(() => backend.shutdown());

function member(db: SqlDb, name: string) {
  const bus = createEventBus<DomainEvents>(createSilentLogger());
  const shown: string[] = [];
  const feed = createClusterFeed({
    db,
    bus,
    steward: name,
    writer: `writer-${name}`,
    sink: { take: (e: DomainEvent) => void shown.push((e as { id: string }).id) },
    log: createSilentLogger(),
    cursor: { get: () => undefined, set: () => {} },
    initial: 0,
    pollMs: () => 3_600_000,
  });
  const emit = async (id: string) => bus.emit("task.failed", { ...syntheticTaskEvent({ outcome: "failed" }), id });
  return { feed, shown, emit };
}

test("many rows of its own between two polls do not hide a row another Steward wrote before them", { timeout: 60_000 }, async () => {
  const db = await backend.open([dashboardFeedMigrations]);
  const a = member(db, "a");
  const b = member(db, "b");
  await a.feed.start();
  await b.feed.start();
  await a.emit("a-first");
  await Bun.sleep(100);
  expect(await a.feed.poll()).toBe(0);
  await b.emit("b-before");
  await Bun.sleep(100);
  // Far more than the feed re-reads below its newest id, written and committed before a's next poll.
  for (let i = 0; i < 600; i++) await a.emit(`a${i}`);
  for (let n = 0; n < 100 && a.shown.length < 601; n++) await Bun.sleep(20);
  expect(a.shown.length).toBe(601);
  expect(await a.feed.poll()).toBe(1);
  expect(a.shown.at(-1)).toBe("b-before");
  expect(await a.feed.poll()).toBe(0);
  await b.emit("b-after");
  await Bun.sleep(100);
  expect(await a.feed.poll()).toBe(1);
  expect(a.shown.filter((id) => id.startsWith("b-"))).toEqual(["b-before", "b-after"]);

  expect(await b.feed.poll()).toBe(601);
  expect(await b.feed.poll()).toBe(0);
  expect(new Set(b.shown).size).toBe(b.shown.length);
  expect(b.shown.length).toBe(603);
  await a.feed.stop(1_000);
  await b.feed.stop(1_000);
});
