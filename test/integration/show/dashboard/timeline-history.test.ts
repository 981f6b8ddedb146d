// The dashboard timeline is kept in the store: events seen before a restart are still listed after it, in
// order, with their detail pages, and the history is capped.
import { describe, expect, test } from "bun:test";
import { createTestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createEventHistory, eventHistoryMigrations } from "../../../../src/show/dashboard/event-history";
import { openStore } from "../../../../src/platform/store/database";
import { createManualClock } from "../../../../src/platform/core/clock";

describe("timeline history", () => {
  test("survives a restart", async () => {
    const tmp = createTempDir();
    try {
      const first = createTestApp("", { dir: tmp.path });
      await first.app.start();
      await first.app.bus.emit("task.failed", syntheticTaskEvent({ outcome: "failed", taskName: "Reload before restart" }));
      await first.app.bus.emit("task.succeeded", syntheticTaskEvent({ outcome: "succeeded", taskName: "Reload also before" }));
      await first.app.stop();

      const second = createTestApp("", { dir: tmp.path });
      await second.app.start();
      await second.app.bus.emit("task.aborted", syntheticTaskEvent({ outcome: "aborted", taskName: "Reload after restart" }));
      const entries = second.app.dashboard.timeline.entries();
      expect(entries.map((e) => e.event.kind)).toEqual(["task.aborted", "task.succeeded", "task.failed"]);
      const page = await (await second.request("/ui/events")).text();
      expect(page).toContain("Reload before restart");
      const detail = await second.request(`/ui/events/${entries[2]!.seq}`);
      expect(detail.status).toBe(200);
      expect(await detail.text()).toContain("Reload before restart");
      await second.app.stop();
    } finally {
      tmp.remove();
    }
  });

  test("through the shared transaction, a burst writes only the newest rows, in one write, and a flush writes what waits", async () => {
    const tmp = createTempDir();
    const store = openStore(tmp.path, [eventHistoryMigrations]);
    try {
      const history = createEventHistory(store.db, 20, store.writes);
      const seqs: number[] = [];
      for (let i = 0; i < 1000; i++) seqs.push(history.append(syntheticTaskEvent({ outcome: "failed", taskName: `T${i}` }), i));
      expect(seqs.at(-1)).toBe(1000);
      history.flush();
      await store.writes.settled();
      expect(store.writes.stats.writes).toBe(2); // the 1000 rows' one write, and settled()'s own marker
      const rows = Number((store.db.prepare("SELECT COUNT(*) AS n FROM event_history").get() as { n: number }).n);
      expect(rows).toBe(20);
      expect(history.recent(2).map((r) => [r.seq, (r.event as { task: { name: string } }).task.name])).toEqual([
        [1000, "T999"],
        [999, "T998"],
      ]);
    } finally {
      store.close();
      tmp.remove();
    }
  });

  test("a second of a burst is one write of its newest rows (issue 89: every 250 ms wrote all of 1,000 a second)", async () => {
    const tmp = createTempDir();
    const store = openStore(tmp.path, [eventHistoryMigrations]);
    const clock = createManualClock(Date.parse("2026-11-27T12:00:00Z"));
    try {
      const history = createEventHistory(store.db, 500, store.writes, clock);
      // 1,000 events a second for one second, one a millisecond.
      for (let i = 0; i < 1000; i++) {
        history.append(syntheticTaskEvent({ outcome: "failed", taskName: `T${i}` }), clock.now());
        await clock.advance(1);
      }
      await store.writes.settled();
      const written = Number((store.db.prepare("SELECT COUNT(*) AS n FROM event_history").get() as { n: number }).n);
      const newest = Number((store.db.prepare("SELECT MAX(seq) AS s FROM event_history").get() as { s: number }).s);
      expect({ written, newest }).toEqual({ written: 500, newest: 1000 });
      expect(store.writes.stats.writes).toBe(2); // the second's one write, and settled()'s own marker
    } finally {
      store.close();
      tmp.remove();
    }
  });

  test("keeps only the newest rows and drops whole script logs", () => {
    const tmp = createTempDir();
    const store = openStore(tmp.path, [eventHistoryMigrations]);
    try {
      const history = createEventHistory(store.db, 20);
      for (let i = 0; i < 120; i++) {
        const e = syntheticTaskEvent({ outcome: "failed", taskName: `T${i}` });
        if (e.scriptLog) e.scriptLog.text = "x".repeat(10_000);
        history.append(e, i);
      }
      const rows = Number((store.db.prepare("SELECT COUNT(*) AS n FROM event_history").get() as { n: number }).n);
      expect(rows).toBeLessThanOrEqual(20 + 50);
      const newest = history.recent(3);
      expect(newest.map((r) => (r.event as { task: { name: string } }).task.name)).toEqual(["T119", "T118", "T117"]);
      expect(JSON.stringify(newest)).not.toContain("x".repeat(100));
    } finally {
      store.close();
      tmp.remove();
    }
  });
});
