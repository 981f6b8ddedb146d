// What the watchdog's page shows of each task is built when asked for, once per look (issue 78: 15-30 ms of each
// look on the ×50 site, for a page nobody may open), and it is the look's: a run kept after the look (the SQLite
// store's lists grow in place) does not change the last run the view shows.
import { expect, test } from "bun:test";
import { WatchdogSchema } from "../../../../src/watch/watchdog/config";
import { evaluate } from "../../../../src/watch/watchdog/evaluate";
import { createKeptRuns } from "../../../../src/watch/watchdog/kept-runs";
import type { WatchedTask } from "../../../../src/watch/watchdog/qrs-plan";
import { hourlyTask, planOf } from "./hourly-plan";

const cfg = WatchdogSchema.parse({ keepRuns: "3d" });
const NOW = Date.parse("2026-11-24T10:00:00Z");
const HOUR = 3_600_000;

function hourly(id: string, names: { reads: number }): WatchedTask {
  const t = hourlyTask(id, Date.parse("2026-01-01T00:05:00.000Z"));
  // The view is the one part of a look that reads a task's name: its reads count the views built.
  return Object.defineProperty(t, "name", {
    get() {
      names.reads++;
      return `Task ${id}`;
    },
  });
}

test("a look builds no view of its tasks until asked, then one, and the view keeps the look's last runs", () => {
  const names = { reads: 0 };
  const tasks = ["a", "b"].map((id) => hourly(id, names));
  const plan = planOf(tasks, NOW - HOUR);
  const kept = createKeptRuns();
  kept.load(kept.readToken(), NOW - cfg.keepRuns, []);
  const ran = (taskId: string, at: number, status: number) => ({
    resultId: `${taskId}-${at}`,
    taskId,
    status,
    createdMs: at,
    startMs: at + 1_000,
    stopMs: at + 120_000,
  });
  kept.added([
    ran("a", NOW - 2 * HOUR + 300_000, 7),
    ran("b", NOW - 2 * HOUR + 300_000, 7),
    ran("a", NOW - HOUR + 300_000, 8),
    ran("b", NOW - HOUR + 300_000, 7),
  ]);
  const result = evaluate({
    cfg,
    plan,
    nowMs: NOW,
    checkedUntilMs: NOW - 15 * 60_000,
    watchingSinceMs: NOW - 3 * HOUR,
    runs: [],
    runsByTask: kept.byTask(NOW - cfg.keepRuns)!,
    running: [],
    changed: [],
    open: [],
    startLatencyMs: 0,
  });
  expect(names.reads).toBe(0);
  // After the look: task a's 10:05 run ends and is kept in the same list the look read.
  kept.added([ran("a", NOW + 300_000, 7)]);
  const views = result.tasks;
  expect(names.reads).toBe(2);
  expect(result.tasks).toBe(views);
  expect(names.reads).toBe(2);
  expect(views.map((v) => [v.name, v.lastRunMs, v.lastStatus])).toEqual([
    ["Task a", NOW - HOUR + 420_000, 8],
    ["Task b", NOW - HOUR + 420_000, 7],
  ]);
  expect(views[0]?.nextExpectedMs).toBe(NOW + 300_000);
});
