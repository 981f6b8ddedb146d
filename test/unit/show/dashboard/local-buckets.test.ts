// The overview's charts on the site's clock: hours start on the zone's hour (half past for India), days at its
// midnight, and the day of the spring change is one bar of 23 hours holding every run of it.
import { afterEach, expect, test } from "bun:test";
import { createEventBus } from "../../../../src/platform/core/bus";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { DomainEvents } from "../../../../src/platform/events/types";
import { openStore, type Store } from "../../../../src/platform/store/database";
import { localDayBuckets, localHourBuckets } from "../../../../src/show/dashboard/local-buckets";
import { createRunHistory, runHistoryMigrations } from "../../../../src/show/dashboard/run-history";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

let tmp: TempDir;
let store: Store;
afterEach(() => {
  store?.close();
  tmp?.remove();
});

async function historyWith(now: number, stops: string[]) {
  tmp = createTempDir();
  store = openStore(tmp.path, [runHistoryMigrations]);
  const bus = createEventBus<DomainEvents>(createSilentLogger());
  const history = createRunHistory(store.db, bus, () => now);
  await history.start();
  for (const [i, stop] of stops.entries()) {
    const e = syntheticTaskEvent({ outcome: "succeeded", nowMs: Date.parse(stop) + 1_000, taskId: `t${i}`, taskName: `Task ${i}` });
    e.execution!.stopTime = stop;
    await bus.emit("task.succeeded", e);
  }
  return history;
}

test("hours of a zone half an hour off UTC start at half past", async () => {
  const now = Date.parse("2026-11-25T09:10:00Z"); // 14:40 in Kolkata
  const h = await historyWith(now, ["2026-11-25T08:35:00Z", "2026-11-25T08:25:00Z"]);
  const hours = localHourBuckets(h, now, "Asia/Kolkata", 24);
  expect(new Date(hours[23]!.start).toISOString()).toBe("2026-11-25T08:30:00.000Z"); // 14:00 there
  expect(hours[23]!.succeeded).toBe(1);
  expect(hours[22]!.succeeded).toBe(1); // 08:25Z is 13:55 there
});

test("days start at the zone's midnight; the spring change's short day is one bar", async () => {
  const now = Date.parse("2026-03-30T10:00:00Z"); // Monday, 12:00 in Stockholm (CEST)
  const h = await historyWith(now, [
    "2026-03-28T23:30:00Z", // Sunday 00:30 CET
    "2026-03-29T21:30:00Z", // Sunday 23:30 CEST
    "2026-03-29T22:30:00Z", // Monday 00:30 CEST
    "2026-03-28T22:30:00Z", // Saturday 23:30 CET
  ]);
  const days = localDayBuckets(h, now, "Europe/Stockholm", 7);
  expect(days).toHaveLength(7);
  expect(days.map((d) => new Date(d.start).toISOString()).slice(-3)).toEqual([
    "2026-03-27T23:00:00.000Z", // Saturday's midnight, CET
    "2026-03-28T23:00:00.000Z", // Sunday's
    "2026-03-29T22:00:00.000Z", // Monday's, CEST: Sunday had 23 hours
  ]);
  expect(days.slice(-3).map((d) => d.succeeded)).toEqual([1, 2, 1]);
});
