// A successful reload outside the Scheduler (the hub, the Engine API: src/hear/engine) is fresh data for the stale-app
// judgement at once, before QRS's lastReloadTime is read again with the plan: the app is not stale, and an open stale
// condition of it closes.
import { expect, test } from "bun:test";
import { WatchdogSchema } from "../../../../src/watch/watchdog/config";
import { evaluate, type KnownCondition } from "../../../../src/watch/watchdog/evaluate";
import { DAY, dailySalesPlan, NOW, SIX_NIGHTS } from "./daily-sales-plan";

const cfg = WatchdogSchema.parse({});
// QRS's lastReloadTime as last read with the plan: three days ago.
const plan = dailySalesPlan(NOW - 3 * DAY);
// Six nights of 5-minute reloads by the task, the last three days ago: two reloads overdue by the plan.
const runs = SIX_NIGHTS;
const look = (reloadsOutside?: Map<string, number>, open: KnownCondition[] = []) =>
  evaluate({
    cfg,
    plan,
    nowMs: NOW,
    checkedUntilMs: NOW - 60_000,
    watchingSinceMs: NOW - 30 * DAY,
    runs,
    running: [],
    changed: [],
    open,
    startLatencyMs: 0,
    ...(reloadsOutside ? { reloadsOutside } : {}),
  });

test("without it the app is stale; a hub reload this morning makes it fresh", () => {
  expect(
    look()
      .opens.filter((o) => o.type === "stale")
      .map((o) => o.appId),
  ).toEqual(["a1"]);
  expect(look(new Map([["a1", NOW - 2 * 3_600_000]])).opens.filter((o) => o.type === "stale")).toEqual([]);
  // Another app's hub reload changes nothing for this one.
  expect(
    look(new Map([["a2", NOW - 60_000]]))
      .opens.filter((o) => o.type === "stale")
      .map((o) => o.appId),
  ).toEqual(["a1"]);
});

test("an open stale condition closes once the app was reloaded outside the Scheduler", () => {
  const open: KnownCondition = { key: "stale:a1", type: "stale", appId: "a1", openedMs: NOW - 3 * DAY, details: {} };
  expect(look(undefined, [open]).closes.map((c) => c.key)).toEqual([]);
  expect(look(new Map([["a1", NOW - 60_000]]), [open]).closes.map((c) => c.key)).toEqual(["stale:a1"]);
});
