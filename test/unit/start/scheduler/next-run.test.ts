// Next-fire computation: time zones (incl. DST changes), 5- and 6-field cron, date bounds, time-of-day
// windows (also across midnight), and counting fires in an interval.
import { describe, expect, test } from "bun:test";
import { compileTiming, firesBetween, inDateBounds, inWindow, nextFire, plannedTooFarAhead } from "../../../../src/start/scheduler/next-run";
import { boundInstant, cronProblem, type ScheduleDefinition } from "../../../../src/start/scheduler/schedule-model";

const TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
function def(extra: Partial<ScheduleDefinition>): ScheduleDefinition {
  return { name: "t", timezone: "UTC", qlikSenseTaskId: TASK, startupState: "started", tags: [], catchUp: false, cronSchedule: "* * * * *", ...extra };
}
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const runs = (d: ScheduleDefinition, fromIso: string, n: number) => {
  const t = compileTiming(d);
  const out: string[] = [];
  let ref = at(fromIso);
  for (let i = 0; i < n; i++) {
    const next = nextFire(t, ref);
    if (next === null) break;
    out.push(iso(next)!);
    ref = next;
  }
  return out;
};

describe("time zones", () => {
  test("the same cron fires at different instants per zone", () => {
    expect(runs(def({ cronSchedule: "30 6 * * *", timezone: "Europe/Stockholm" }), "2025-01-15T00:00:00Z", 1)).toEqual(["2025-01-15T05:30:00.000Z"]);
    expect(runs(def({ cronSchedule: "30 6 * * *", timezone: "America/New_York" }), "2025-01-15T00:00:00Z", 1)).toEqual(["2025-01-15T11:30:00.000Z"]);
    expect(runs(def({ cronSchedule: "30 6 * * *", timezone: "Asia/Kolkata" }), "2025-01-15T00:00:00Z", 1)).toEqual(["2025-01-15T01:00:00.000Z"]);
  });

  test("local time is kept across the spring DST change (Stockholm, 2025-03-30)", () => {
    expect(runs(def({ cronSchedule: "0 6 * * *", timezone: "Europe/Stockholm" }), "2025-03-29T00:00:00Z", 2)).toEqual([
      "2025-03-29T05:00:00.000Z",
      "2025-03-30T04:00:00.000Z",
    ]);
  });

  test("6-field cron has seconds first; 5-field fires on whole minutes", () => {
    expect(runs(def({ cronSchedule: "*/20 * * * * *" }), "2025-01-01T00:00:00Z", 3)).toEqual([
      "2025-01-01T00:00:20.000Z",
      "2025-01-01T00:00:40.000Z",
      "2025-01-01T00:01:00.000Z",
    ]);
    expect(runs(def({ cronSchedule: "*/20 * * * *" }), "2025-01-01T00:00:00Z", 2)).toEqual(["2025-01-01T00:20:00.000Z", "2025-01-01T00:40:00.000Z"]);
  });

  test("cron problems are described; 7 fields are refused", () => {
    expect(cronProblem("0 6 * * *")).toBeUndefined();
    expect(cronProblem("61 * * * *")).toMatch(/minute/);
    expect(cronProblem("* * *")).toBeDefined();
    expect(cronProblem("0 0 6 * * * 2030")).toMatch(/5 or 6/);
  });
});

describe("time-of-day window", () => {
  test("hourly from 03:00 to 15:00 local, both ends inclusive", () => {
    const d = def({ cronSchedule: "0 * * * *", timezone: "Europe/Stockholm", timeWindow: { from: "03:00", to: "15:00" } });
    const r = runs(d, "2025-06-01T00:00:00Z", 15);
    // Stockholm is UTC+2 in June: 03:00 local = 01:00Z … 15:00 local = 13:00Z, then next day 01:00Z.
    expect(r.slice(0, 13)).toEqual(Array.from({ length: 13 }, (_, i) => `2025-06-01T${String(1 + i).padStart(2, "0")}:00:00.000Z`));
    expect(r[13]).toBe("2025-06-02T01:00:00.000Z");
  });

  test("a window across midnight", () => {
    const d = def({ cronSchedule: "0 * * * *", timezone: "UTC", timeWindow: { from: "22:00", to: "01:30" } });
    expect(runs(d, "2025-06-01T12:00:00Z", 5)).toEqual([
      "2025-06-01T22:00:00.000Z",
      "2025-06-01T23:00:00.000Z",
      "2025-06-02T00:00:00.000Z",
      "2025-06-02T01:00:00.000Z",
      "2025-06-02T22:00:00.000Z",
    ]);
  });

  test("a per-second cron with a narrow window jumps straight to the next window", () => {
    const d = def({ cronSchedule: "* * * * * *", timezone: "UTC", timeWindow: { from: "12:00", to: "12:00" } });
    const t = compileTiming(d);
    expect(iso(nextFire(t, at("2025-06-01T12:00:59Z")))).toBe("2025-06-02T12:00:00.000Z");
    expect(inWindow(t, at("2025-06-01T12:00:30Z"))).toBe(true);
    expect(inWindow(t, at("2025-06-01T12:01:00Z"))).toBe(false);
  });

  test("a cron that never matches inside the window never fires", () => {
    const d = def({ cronSchedule: "0 20 * * *", timeWindow: { from: "03:00", to: "15:00" } });
    expect(nextFire(compileTiming(d), at("2025-06-01T00:00:00Z"))).toBeNull();
  });
});

describe("date bounds", () => {
  test("startDate inclusive, a plain endDate includes that whole day, in the schedule's zone", () => {
    const d = def({ cronSchedule: "0 12 * * *", timezone: "America/New_York", startDate: "2025-02-10", endDate: "2025-02-12" });
    expect(runs(d, "2025-01-01T00:00:00Z", 10)).toEqual(["2025-02-10T17:00:00.000Z", "2025-02-11T17:00:00.000Z", "2025-02-12T17:00:00.000Z"]);
  });

  test("date-times with and without offsets; endDate exclusive as an instant", () => {
    const d = def({ cronSchedule: "0 * * * *", timezone: "Europe/Stockholm", startDate: "2025-02-10T10:00", endDate: "2025-02-10T12:00:00+01:00" });
    expect(runs(d, "2025-02-01T00:00:00Z", 10)).toEqual(["2025-02-10T09:00:00.000Z", "2025-02-10T10:00:00.000Z"]);
    const t = compileTiming(d);
    expect(inDateBounds(t, at("2025-02-10T08:59:59Z"))).toBe(false);
    expect(inDateBounds(t, at("2025-02-10T09:00:00Z"))).toBe(true);
    expect(inDateBounds(t, at("2025-02-10T11:00:00Z"))).toBe(false);
    expect(boundInstant("2025-02-10", "Asia/Tokyo", true)).toBe(at("2025-02-10T15:00:00Z"));
    expect(Number.isNaN(boundInstant("2025-02-30T99:00", "UTC", false))).toBe(true);
  });

  test("firesBetween counts fires in (after, until] and respects the limit", () => {
    const t = compileTiming(def({ cronSchedule: "*/15 * * * *" }));
    expect(firesBetween(t, at("2025-01-01T00:00:00Z"), at("2025-01-01T01:00:00Z"), 100).map((x) => iso(x))).toEqual([
      "2025-01-01T00:15:00.000Z",
      "2025-01-01T00:30:00.000Z",
      "2025-01-01T00:45:00.000Z",
      "2025-01-01T01:00:00.000Z",
    ]);
    expect(firesBetween(t, at("2025-01-01T00:00:00Z"), at("2025-01-02T00:00:00Z"), 5)).toHaveLength(5);
  });
});

describe("a planned next fire further ahead than the cron allows", () => {
  const t = compileTiming(def({ cronSchedule: "*/2 * * * * *" }));
  const now = at("2025-01-01T00:00:01.000Z");
  test("the first fire after now, or one a clock within the tolerance planned, is fine", () => {
    expect(plannedTooFarAhead(t, at("2025-01-01T00:00:02.000Z"), now, 1_000)).toBe(false);
    // A Steward up to 1 s ahead may have planned at 00:00:02 by its clock: the fire after that.
    expect(plannedTooFarAhead(t, at("2025-01-01T00:00:04.000Z"), now, 1_000)).toBe(false);
    expect(plannedTooFarAhead(t, at("2025-01-01T00:00:06.000Z"), now, 1_000)).toBe(true);
    expect(plannedTooFarAhead(t, at("2025-01-01T00:00:04.000Z"), now, 100)).toBe(true);
    expect(plannedTooFarAhead(t, null, now, 1_000)).toBe(false);
    // Due already: the missed-fire check's business, not this one's.
    expect(plannedTooFarAhead(t, at("2025-01-01T00:00:00.000Z"), now, 1_000)).toBe(false);
  });
  test("a plan 30 s ahead (a clock stepped forward) is too far", () => {
    expect(plannedTooFarAhead(t, at("2025-01-01T00:00:32.000Z"), now, 1_000)).toBe(true);
  });
  test("the last fire before an end date is fine; a plan past the end is too far", () => {
    const ending = compileTiming(def({ cronSchedule: "0 * * * *", endDate: "2025-01-01T01:30:00Z" }));
    expect(plannedTooFarAhead(ending, at("2025-01-01T01:00:00.000Z"), at("2025-01-01T00:59:59.800Z"), 1_000)).toBe(false);
    expect(plannedTooFarAhead(ending, at("2025-01-01T02:00:00.000Z"), at("2025-01-01T00:30:00.000Z"), 1_000)).toBe(true);
  });
});
