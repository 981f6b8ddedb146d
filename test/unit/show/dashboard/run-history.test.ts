// The run history behind the /ui charts: outcomes per hour and per day from stored runs, repeated reports of
// a run counted once, durations per task, a task's runs newest first, and rows older than 35 days pruned.
import { afterEach, describe, expect, test } from "bun:test";
import { createEventBus } from "../../../../src/platform/core/bus";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { DomainEvents, TaskEvent } from "../../../../src/platform/events/types";
import { createRunHistory, runHistoryMigrations } from "../../../../src/show/dashboard/run-history";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { openStore, type Store } from "../../../../src/platform/store/database";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse("2026-03-10T12:30:00Z");

let tmp: TempDir;
let store: Store;
afterEach(() => {
  store?.close();
  tmp?.remove();
});

function run(o: { outcome: "succeeded" | "failed" | "aborted"; at: number; taskId?: string; taskName?: string; durationMs?: number }): TaskEvent {
  const e = syntheticTaskEvent({ outcome: o.outcome, nowMs: o.at + 1_000, taskId: o.taskId ?? "t1", taskName: o.taskName ?? "Reload Sales" });
  e.execution!.stopTime = new Date(o.at).toISOString();
  if (o.durationMs !== undefined) e.execution!.durationMs = o.durationMs;
  return e;
}

async function setup() {
  tmp = createTempDir();
  store = openStore(tmp.path, [runHistoryMigrations]);
  const bus = createEventBus<DomainEvents>(createSilentLogger());
  const history = createRunHistory(store.db, bus, () => NOW);
  await history.start();
  return { bus, history };
}

describe("run history", () => {
  test("outcomes per hour and per day, each run once however often it is reported", async () => {
    const { bus, history } = await setup();
    const failed = run({ outcome: "failed", at: NOW - 10 * 60_000 });
    await bus.emit("task.failed", failed);
    await bus.emit("task.failed", failed); // a second appender or node reporting the same run
    await bus.emit("task.succeeded", run({ outcome: "succeeded", at: NOW - 20 * 60_000 }));
    await bus.emit("task.succeeded", run({ outcome: "succeeded", at: NOW - 2 * HOUR }));
    await bus.emit("task.aborted", run({ outcome: "aborted", at: NOW - 3 * DAY }));
    await bus.emit("task.succeeded", run({ outcome: "succeeded", at: NOW - 8 * DAY })); // outside both charts

    const hours = history.outcomes(NOW, HOUR, 24);
    expect(hours).toHaveLength(24);
    expect(new Date(hours[23]!.start).toISOString()).toBe("2026-03-10T12:00:00.000Z");
    expect(hours[23]).toMatchObject({ succeeded: 1, failed: 1, aborted: 0 });
    expect(hours[21]).toMatchObject({ succeeded: 1, failed: 0, aborted: 0 });
    expect(hours.reduce((n, b) => n + b.succeeded + b.failed + b.aborted, 0)).toBe(3);

    const days = history.outcomes(NOW, DAY, 7);
    expect(new Date(days[6]!.start).toISOString()).toBe("2026-03-10T00:00:00.000Z");
    expect(days[6]).toMatchObject({ succeeded: 2, failed: 1 });
    expect(days[3]).toMatchObject({ aborted: 1 });
    expect(days.reduce((n, b) => n + b.succeeded + b.failed + b.aborted, 0)).toBe(4);
  });

  test("the reloads growing fastest: this week's average against the three weeks before, with enough runs in each", async () => {
    const { bus, history } = await setup();
    const at = (daysAgo: number) => NOW - daysAgo * DAY;
    // t1 doubled (60 s → 120 s); t2 held steady; t3 grew but ran only twice this week (too few to tell).
    for (const d of [20, 15, 10]) await bus.emit("task.succeeded", run({ outcome: "succeeded", at: at(d), durationMs: 60_000 }));
    for (const d of [5, 3, 1]) await bus.emit("task.succeeded", run({ outcome: "succeeded", at: at(d), durationMs: 120_000 }));
    await bus.emit("task.failed", run({ outcome: "failed", at: at(2), durationMs: 900_000 })); // a failure's time is no trend
    for (const d of [20, 15, 10, 5, 3, 1])
      await bus.emit("task.succeeded", run({ outcome: "succeeded", at: at(d), taskId: "t2", taskName: "Steady", durationMs: 30_000 }));
    for (const d of [20, 15, 10]) await bus.emit("task.succeeded", run({ outcome: "succeeded", at: at(d), taskId: "t3", taskName: "Few", durationMs: 10_000 }));
    for (const d of [3, 1]) await bus.emit("task.succeeded", run({ outcome: "succeeded", at: at(d), taskId: "t3", taskName: "Few", durationMs: 90_000 }));
    expect(history.growing(NOW, 7 * DAY, 21 * DAY, 3, 5)).toEqual([
      { taskId: "t1", taskName: "Reload Sales", recentAvgMs: 120_000, baselineAvgMs: 60_000, factor: 2 },
    ]);
    const between = history.runsBetween(at(7), NOW);
    expect(between.reduce((n, r) => n + r.runs, 0)).toBe(9);
    expect(between.filter((r) => r.outcome === "failed").map((r) => r.runs)).toEqual([1]);
  });

  test("slowest tasks and a task's runs", async () => {
    const { bus, history } = await setup();
    for (const [ms, at] of [
      [60_000, 5],
      [180_000, 4],
      [120_000, 3],
    ] as const)
      await bus.emit("task.succeeded", run({ outcome: "succeeded", at: NOW - at * HOUR, durationMs: ms }));
    await bus.emit("task.succeeded", run({ outcome: "succeeded", at: NOW - HOUR, taskId: "t2", taskName: "Quick reload", durationMs: 5_000 }));
    expect(history.slowest(NOW - 7 * DAY, 5)).toEqual([
      { taskId: "t1", taskName: "Reload Sales", runs: 3, maxMs: 180_000, avgMs: 120_000 },
      { taskId: "t2", taskName: "Quick reload", runs: 1, maxMs: 5_000, avgMs: 5_000 },
    ]);
    expect(history.runsOf("t1", 2).map((r) => r.durationMs)).toEqual([120_000, 180_000]);
  });

  test("rows older than 35 days are removed at start", async () => {
    tmp = createTempDir();
    store = openStore(tmp.path, [runHistoryMigrations]);
    const bus = createEventBus<DomainEvents>(createSilentLogger());
    const first = createRunHistory(store.db, bus, () => NOW - 40 * DAY);
    first.record(run({ outcome: "failed", at: NOW - 40 * DAY }));
    first.record(run({ outcome: "failed", at: NOW - 30 * DAY }));
    const later = createRunHistory(store.db, bus, () => NOW);
    await later.start();
    expect(later.runsOf("t1", 10).map((r) => r.finishedAt)).toEqual([NOW - 30 * DAY]);
    await later.stop(1_000);
  });

  test("a flood of runs keeps at most the newest maxRows rows", async () => {
    tmp = createTempDir();
    store = openStore(tmp.path, [runHistoryMigrations]);
    const bus = createEventBus<DomainEvents>(createSilentLogger());
    const history = createRunHistory(store.db, bus, () => NOW, 100);
    for (let i = 0; i < 1_000; i++) history.record(run({ outcome: "failed", at: NOW - 1_000 + i }));
    const rows = Number((store.db.prepare("SELECT COUNT(*) AS n FROM task_runs").get() as { n: number }).n);
    expect(rows).toBeLessThanOrEqual(200);
    expect(history.runsOf("t1", 1)[0]!.finishedAt).toBe(NOW - 1);
  });
});
