// The shared dashboard feed is bounded: a flood of events keeps only the newest rows (the cap), whatever the
// age of the rows, so the table cannot grow without end on a busy or attacked site.
import { afterAll, expect, test } from "bun:test";
import { createEventBus } from "../../../../src/platform/core/bus";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createClusterFeed, dashboardFeedMigrations } from "../../../../src/show/dashboard/cluster-feed";
import type { DomainEvents } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { openStore } from "../../../../src/platform/store/database";
import { createTempDir } from "../../../helpers/temp-dir";

const dir = createTempDir("steward-feed-cap-");
afterAll(() => dir.remove());

test("past maxRows the oldest feed rows go; every event is still shown", async () => {
  const store = openStore(dir.path, [dashboardFeedMigrations]);
  const bus = createEventBus<DomainEvents>(createSilentLogger());
  let shown = 0;
  const feed = createClusterFeed({
    db: store.sql,
    bus,
    steward: "a",
    writer: "writer-a",
    sink: { take: () => void shown++ },
    log: createSilentLogger(),
    cursor: { get: () => undefined, set: () => {} },
    initial: 0,
    maxRows: 100,
  });
  await feed.start();
  for (let i = 0; i < 450; i++) {
    await bus.emit("task.failed", { ...syntheticTaskEvent({ outcome: "failed" }), id: `e${i}` });
    if (i % 50 === 49) {
      await Bun.sleep(20);
      await feed.poll();
    }
  }
  await Bun.sleep(20);
  await feed.poll();
  await feed.stop(1_000);
  const rows = Number((await store.sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM dashboard_feed"))?.n);
  expect(shown).toBe(450);
  expect(rows).toBeLessThanOrEqual(100 + 10);
  store.close();
});
