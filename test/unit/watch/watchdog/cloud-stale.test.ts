// app.stale for Qlik Cloud apps from their tasks' schedules: an office-hours weekday task's app is quiet in the
// evening and over the weekend, and stale on Monday once the 07:00 run has not succeeded within its limit plus grace.
import { describe, expect, test } from "bun:test";
import { readSchedule } from "../../../../src/platform/core/rrule";
import type { CloudPlanTask } from "../../../../src/watch/watchdog/cloud-plan";
import { cloudStaleApps } from "../../../../src/watch/watchdog/cloud-stale";
import type { RunRow } from "../../../../src/watch/watchdog/watch-store";

const Z = (s: string) => Date.parse(s);
const MIN = 60_000;
const sched = readSchedule({
  recurrence: ["RRULE:FREQ=HOURLY;BYHOUR=7,8,9,10,11,12,13,14,15,16,17;BYDAY=MO,TU,WE,TH,FR;BYMINUTE=0;BYSECOND=0"],
  timeZone: "Europe/Stockholm",
  startDateTime: "2026-11-02T07:00:00",
  fallbackStartMs: 0,
});
if (!sched.ok) throw new Error(sched.error);
const task: CloudPlanTask = { id: "ct1", name: "Sales hourly", enabled: true, appId: "app-sales", updatedAt: "x", schedule: sched.schedule };
// Friday 27 November 2026, the last run of the day at 17:00 CET (16:00 UTC), 6 minutes.
const ends = new Map<string, RunRow[]>([
  ["ct1", [{ resultId: "r", taskId: "ct1", status: 7, createdMs: Z("2026-11-27T16:00:00Z"), stopMs: Z("2026-11-27T16:06:00Z") }]],
]);
const at = (nowMs: number) =>
  cloudStaleApps({ tasks: [task], ends, nowMs, watched: () => true, graceOf: () => 5 * MIN, limitOf: () => 12 * MIN }).stale.map((s) => [
    s.appId,
    new Date(s.expectedAtMs).toISOString(),
  ]);

describe("cloudStaleApps", () => {
  test("quiet on Friday evening, Saturday, Sunday and Monday before 07:17", () => {
    for (const s of ["2026-11-27T20:00:00Z", "2026-11-28T12:00:00Z", "2026-11-29T23:00:00Z", "2026-11-30T06:16:00Z"]) expect(at(Z(s))).toEqual([]);
  });
  test("stale on Monday at 07:17 CET: the 07:00 run did not succeed within 12 min + 5 min", () => {
    expect(at(Z("2026-11-30T06:18:00Z"))).toEqual([["app-sales", "2026-11-30T06:00:00.000Z"]]);
  });
  test("an app with no success seen, or a task whose limit is not known yet, is not judged", () => {
    expect(
      cloudStaleApps({ tasks: [task], ends: new Map(), nowMs: Z("2026-12-30T00:00:00Z"), watched: () => true, graceOf: () => 0, limitOf: () => 1 }).stale,
    ).toEqual([]);
    expect(
      cloudStaleApps({ tasks: [task], ends, nowMs: Z("2026-12-30T00:00:00Z"), watched: () => true, graceOf: () => 0, limitOf: () => undefined }).stale,
    ).toEqual([]);
  });
});

describe("a schedule too costly to search from the app's last success", () => {
  // Every second on Mondays and Tuesdays: searched from a Thursday it finds Monday 00:00:00 within one search's
  // budget (the task's own look judges it), but from a Tuesday (its last success) the search walks Monday's and
  // Tuesday's 86,400 times each and is over the budget. That must not throw out of the look (which then failed
  // for the whole tenant, every look); the task is named as too costly and the app is not judged by it.
  const all = (n: number) => Array.from({ length: n }, (_, i) => i).join(",");
  const costly = readSchedule({
    recurrence: [`RRULE:FREQ=DAILY;BYDAY=MO,TU;BYHOUR=${all(24)};BYMINUTE=${all(60)};BYSECOND=${all(60)}`],
    timeZone: "UTC",
    startDateTime: "2026-11-02T00:00:00",
    fallbackStartMs: 0,
  });
  if (!costly.ok) throw new Error(costly.error);
  const every = { ...task, id: "ct2", name: "Every second", schedule: costly.schedule };
  const lastTuesday = new Map<string, RunRow[]>([
    ["ct2", [{ resultId: "r2", taskId: "ct2", status: 7, createdMs: Z("2026-11-24T10:00:00Z"), stopMs: Z("2026-11-24T10:00:01Z") }]],
  ]);

  test("is named as too costly, and the look goes on without it", () => {
    const named: string[] = [];
    const result = cloudStaleApps({
      tasks: [every],
      ends: lastTuesday,
      nowMs: Z("2026-11-26T12:00:00Z"),
      watched: () => true,
      graceOf: () => 0,
      limitOf: () => MIN,
      tooCostly: (t, err) => named.push(`${t.name}: ${err.name}`),
    });
    expect(named).toEqual(["Every second: RecurrenceBudgetError"]);
    expect(result.stale).toEqual([]);
    expect(result.lastSuccessByApp.get("app-sales")).toBe(Z("2026-11-24T10:00:01Z"));
  });
});
