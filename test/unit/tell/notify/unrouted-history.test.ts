// Issue 105: the events no route took are kept for config rehearsals, held to notify.outbox.unroutedMaxBytes and the
// outbox's keep on both stores. A flood of 1,500 unrouted failures (about 10 MB of payload) leaves at most the budget
// and a sixteenth, the newest kept and the oldest gone; the routine successes are not kept at all; a queue's drain is.
import { afterAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { notifyMigrations } from "../../../../src/tell/notify/migrations";
import { createOutboxStore } from "../../../../src/tell/notify/outbox-store";
import { syntheticTaskEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { coreMigrations } from "../../../../src/platform/store/core-migrations";
import { createUnroutedHistory, unroutedBetween, unroutedCompleteFrom } from "../../../../src/tell/notify/unrouted-history";
import { postgresBackend, type SqlBackend, sqliteBackend } from "../../../helpers/sql-backends";

const MIB = 1024 * 1024;
const T0 = Date.parse("2026-11-02T00:00:00Z");
const backends: SqlBackend[] = [sqliteBackend(), postgresBackend()];
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

/** A failure of a task no route names, its script log padded to about 7 kB (a failure with a long script log). */
function failure(i: number): TaskEvent {
  const e = syntheticTaskEvent({ outcome: "failed", taskName: `Reload ${i % 50}`, taskId: `id-${i % 50}`, nowMs: T0 + i * 1000, host: "sense1.corp.example" });
  return { ...e, id: `run-${i}:failed`, scriptLogExcerpt: "x".repeat(6000) } as TaskEvent;
}

const bytesKept = async (db: Awaited<ReturnType<SqlBackend["open"]>>) =>
  Number((await db.get<{ b: number }>("SELECT COALESCE(SUM(LENGTH(payload)), 0) AS b FROM notify_unrouted"))?.b);

for (const backend of backends)
  describe(`on ${backend.name}`, () => {
    test("a flood of unrouted failures stays within the byte budget: the oldest go, the newest stay", { timeout: 120_000 }, async () => {
      const db = await backend.open([coreMigrations, notifyMigrations]);
      const history = createUnroutedHistory(db, { maxBytes: MIB });
      await history.start(T0);
      let written = 0;
      for (let i = 0; i < 1500; i++) {
        const e = failure(i);
        written += JSON.stringify(e).length;
        await history.record(e, T0 + i * 1000);
      }
      expect(written).toBeGreaterThan(8 * MIB);
      // Over by at most the sixteenth written between two looks.
      expect(await bytesKept(db)).toBeLessThanOrEqual(MIB + MIB / 16);
      expect(await bytesKept(db)).toBeGreaterThan(MIB / 2);
      const kept = await unroutedBetween(db, T0, T0 + 1500 * 1000, 10_000);
      expect(kept.at(-1)?.event.id).toBe("run-1499:failed");
      expect(kept[0]!.at).toBeGreaterThan(T0 + 1200 * 1000);
      // A rehearsal is told its history of them is complete only from past the newest deleted.
      const complete = (await unroutedCompleteFrom(db))!;
      expect(complete).toBeGreaterThan(T0 + 1200 * 1000);
      expect(complete).toBeLessThanOrEqual(kept[0]!.at);
      await history.start(T0 + 3000 * 1000);
      expect(await unroutedCompleteFrom(db)).toBe(complete);
    });

    test("routine successes are not kept, a queue's drain is, an event once; the outbox's purge takes those past its keep", async () => {
      const db = await backend.open([coreMigrations, notifyMigrations]);
      const history = createUnroutedHistory(db, { maxBytes: MIB });
      expect(await unroutedCompleteFrom(db)).toBeUndefined();
      await history.start(T0);
      await history.start(T0 + 5000);
      expect(await unroutedCompleteFrom(db)).toBe(T0);
      const ok = { ...syntheticTaskEvent({ outcome: "succeeded", taskName: "Reload 1", taskId: "id-1", nowMs: T0 }), id: "run-ok:succeeded" };
      const drain = { ...syntheticWatchdogEvent("task.on_track", { host: "reload01", nowMs: T0, condition: "queue_backlog" }), id: "drain-1" };
      await history.record(ok, T0);
      await history.record(drain, T0);
      await history.record(failure(1), T0 + 1000);
      await history.record(failure(1), T0 + 2000);
      const kept = await unroutedBetween(db, T0, T0 + 10_000, 100);
      expect(kept.map((k) => [k.event.id, k.at])).toEqual([
        ["drain-1", T0],
        ["run-1:failed", T0 + 1000],
      ]);
      const outbox = createOutboxStore(db, { instanceId: "test" });
      await outbox.purge(T0 + 500, T0 + 500);
      expect((await unroutedBetween(db, T0, T0 + 10_000, 100)).map((k) => k.event.id)).toEqual(["run-1:failed"]);
    });
  });
