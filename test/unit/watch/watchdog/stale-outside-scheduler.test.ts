// A successful reload outside the Scheduler (the hub, the Engine API: src/hear/engine) is fresh data for the stale-app
// judgement at once, before QRS's lastReloadTime is read again with the plan: the app is not stale, and an open stale
// condition of it closes.
import { expect, test } from "bun:test";
import { WatchdogSchema } from "../../../../src/watch/watchdog/config";
import { evaluate, type KnownCondition } from "../../../../src/watch/watchdog/evaluate";
import type { Plan } from "../../../../src/watch/watchdog/qrs-plan";
import { readSchemaEvent } from "../../../../src/watch/watchdog/schedule";
import type { RunRow } from "../../../../src/watch/watchdog/watch-store";

const cfg = WatchdogSchema.parse({});
const DAY = 86_400_000;
const NOW = Date.parse("2026-11-24T09:00:00Z");
const trigger = readSchemaEvent({
  id: "tr1",
  name: "Daily 06:00",
  enabled: true,
  incrementOption: 2,
  incrementDescription: "0 0 1 0",
  startDate: "2026-01-01T06:00:00",
  timeZone: "UTC",
});
if (!trigger.ok) throw new Error(trigger.error);
const plan: Plan = {
  readAtMs: NOW - 10 * DAY,
  problems: [],
  // QRS's lastReloadTime as last read with the plan: three days ago.
  apps: new Map([["a1", { id: "a1", name: "Sales", tags: [], customProperties: [], lastReloadMs: NOW - 3 * DAY }]]),
  tasks: new Map([
    [
      "t1",
      {
        id: "t1",
        name: "Reload Sales",
        taskType: 0,
        enabled: true,
        tags: [],
        customProperties: [],
        appId: "a1",
        schedules: [trigger.trigger],
        chains: [],
        overrides: {},
      },
    ],
  ]),
};
// Six nights of 5-minute reloads by the task, the last three days ago: two reloads overdue by the plan.
const runs: RunRow[] = [8, 7, 6, 5, 4, 3].map((d) => {
  const at = Date.parse("2026-11-24T06:00:00Z") - d * DAY;
  return { resultId: `r${d}`, taskId: "t1", status: 7, createdMs: at, startMs: at, stopMs: at + 5 * 60_000 };
});
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
