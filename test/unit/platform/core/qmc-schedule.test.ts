// The QMC's schema-trigger calendar against dates worked out by hand, across Europe/Stockholm's 2026 clock changes
// (29 March 02:00 CET → 03:00 CEST, 25 October 03:00 CEST → 02:00 CET): weekdays, days of month incl. the last,
// office-hours custom steps, every-n-weeks, nth weekday, the daylight-saving option. (The simulator's own arithmetic is
// compared with this one in test/unit/sim/trigger-arithmetic-agree.test.ts.)
import { describe, expect, test } from "bun:test";
import { parseQmcFilter } from "../../../../src/platform/core/qmc-filter";
import { nextQmcFire, type QmcSchedule } from "../../../../src/platform/core/qmc-schedule";
import { readQmcSchedule, type QrsScheduleFields } from "../../../../src/platform/core/qmc-trigger-read";

const Z = (s: string) => Date.parse(s);
const iso = (ms: number | undefined) => (ms === undefined ? "none" : new Date(ms).toISOString().replace(".000", ""));

function schedule(f: QrsScheduleFields): QmcSchedule {
  const r = readQmcSchedule(f);
  if (!r.ok) throw new Error(r.error);
  return r.schedule;
}

/** The next `n` fires after `from`, as ISO strings. */
function fires(s: QmcSchedule, from: string, n: number): string[] {
  const out: string[] = [];
  let at = Z(from);
  for (let i = 0; i < n; i++) {
    const next = nextQmcFire(s, at);
    out.push(iso(next));
    if (next === undefined) break;
    at = next;
  }
  return out;
}

const STHLM = "Europe/Stockholm";

describe("QMC triggers across the spring clock change", () => {
  const weekdays: QrsScheduleFields = {
    incrementOption: 3,
    incrementDescription: "0 0 1 0",
    schemaFilterDescription: "* * - 1,2,3,4,5 1 * * *",
    startDate: "2026-03-02T06:30:00.000",
    timeZone: STHLM,
  };
  test("weekly Monday–Friday at 06:30: no weekend, 06:30 local on both sides of 29 March", () => {
    const expected = ["2026-03-27T05:30:00Z", "2026-03-30T04:30:00Z", "2026-03-31T04:30:00Z"];
    expect(fires(schedule(weekdays), "2026-03-26T12:00:00Z", 3)).toEqual(expected);
  });
  test("daily with a weekday filter (Tuesday and Thursday) reads the weekdays too", () => {
    const f: QrsScheduleFields = { ...weekdays, incrementOption: 2, schemaFilterDescription: "* * - 2,4 * * * *" };
    expect(fires(schedule(f), "2026-03-23T00:00:00Z", 3)).toEqual(["2026-03-24T05:30:00Z", "2026-03-26T05:30:00Z", "2026-03-31T04:30:00Z"]);
  });
  test("every second week on Monday counts weeks from the start's week", () => {
    const f: QrsScheduleFields = { ...weekdays, schemaFilterDescription: "* * - 1 2 * * *" };
    // Start week: Monday 2 March; so 2, 16, 30 March and 13 April.
    expect(fires(schedule(f), "2026-03-03T00:00:00Z", 3)).toEqual(["2026-03-16T05:30:00Z", "2026-03-30T04:30:00Z", "2026-04-13T04:30:00Z"]);
  });
  const monthly: QrsScheduleFields = {
    incrementOption: 4,
    incrementDescription: "0 0 1 0",
    schemaFilterDescription: "* * - * * 1,15,\u00a4 * *",
    startDate: "2026-01-01T05:00:00.000",
    timeZone: STHLM,
  };
  test("monthly on the 1st, the 15th and the last day: 28 February (not a leap year), 31 March in summer time", () => {
    const expected = [
      "2026-02-15T04:00:00Z",
      "2026-02-28T04:00:00Z",
      "2026-03-01T04:00:00Z",
      "2026-03-15T04:00:00Z",
      "2026-03-31T03:00:00Z",
      "2026-04-01T03:00:00Z",
    ];
    expect(fires(schedule(monthly), "2026-02-10T00:00:00Z", 6)).toEqual(expected);
  });
  test("monthly on the 31st skips the months without one; every third month from the start", () => {
    expect(fires(schedule({ ...monthly, schemaFilterDescription: "* * - * * 31 * *" }), "2026-03-31T12:00:00Z", 2)).toEqual([
      "2026-05-31T03:00:00Z",
      "2026-07-31T03:00:00Z",
    ]);
    expect(fires(schedule({ ...monthly, schemaFilterDescription: "* * - * * 1 * 3" }), "2026-01-02T00:00:00Z", 2)).toEqual([
      "2026-04-01T03:00:00Z",
      "2026-07-01T03:00:00Z",
    ]);
  });
  test("an old-style monthly trigger (no days in its filter) keeps the start's day of month", () => {
    expect(
      fires(schedule({ ...monthly, schemaFilterDescription: "* * - * * * * *", startDate: "2026-01-20T05:00:00.000" }), "2026-03-01T00:00:00Z", 2),
    ).toEqual(["2026-03-20T04:00:00Z", "2026-04-20T03:00:00Z"]);
  });
  test("the first Monday and the last Friday of the month (weekday prefix)", () => {
    expect(fires(schedule({ ...monthly, schemaFilterDescription: "* * 1 1 * * * *" }), "2026-03-03T00:00:00Z", 2)).toEqual([
      "2026-04-06T03:00:00Z",
      "2026-05-04T03:00:00Z",
    ]);
    expect(fires(schedule({ ...monthly, schemaFilterDescription: "* * \u00a4 5 * * * *" }), "2026-03-01T00:00:00Z", 2)).toEqual([
      "2026-03-27T04:00:00Z",
      "2026-04-24T03:00:00Z",
    ]);
  });
  const officeHours: QrsScheduleFields = {
    incrementOption: 5,
    incrementDescription: "15 0 0 0",
    schemaFilterDescription: "* 7-17 - 1,2,3,4,5 * * * *",
    startDate: "2026-03-02T07:00:00.000",
    timeZone: STHLM,
  };
  test("every 15 minutes 07:00–17:45 on weekdays: Friday's last fire, then Monday 07:00 in summer time", () => {
    const expected = ["2026-03-27T16:30:00Z", "2026-03-27T16:45:00Z", "2026-03-30T05:00:00Z", "2026-03-30T05:15:00Z"];
    expect(fires(schedule(officeHours), "2026-03-27T16:20:00Z", 4)).toEqual(expected);
  });
  test("hourly at ten past, 07:10–17:10 on weekdays", () => {
    const f: QrsScheduleFields = { ...officeHours, incrementOption: 1, incrementDescription: "0 1 0 0", startDate: "2026-03-02T07:10:00.000" };
    expect(fires(schedule(f), "2026-03-30T15:00:00Z", 3)).toEqual(["2026-03-30T15:10:00Z", "2026-03-31T05:10:00Z", "2026-03-31T06:10:00Z"]);
  });
  test("daylight-saving option: permanent standard time stays on CET in summer, permanent daylight time on CEST in winter", () => {
    const daily: QrsScheduleFields = { incrementOption: 2, incrementDescription: "0 0 1 0", startDate: "2026-01-01T06:00:00.000", timeZone: STHLM };
    expect(fires(schedule(daily), "2026-06-01T00:00:00Z", 1)).toEqual(["2026-06-01T04:00:00Z"]);
    expect(fires(schedule({ ...daily, daylightSavingTime: 1 }), "2026-06-01T00:00:00Z", 1)).toEqual(["2026-06-01T05:00:00Z"]);
    expect(fires(schedule({ ...daily, daylightSavingTime: 2 }), "2026-01-10T00:00:00Z", 1)).toEqual(["2026-01-10T04:00:00Z"]);
  });
});

describe("QMC triggers across the autumn clock change", () => {
  test("weekdays at 02:30 fire once on the Monday after 25 October; Friday before at CEST", () => {
    const f: QrsScheduleFields = {
      incrementOption: 3,
      incrementDescription: "0 0 1 0",
      schemaFilterDescription: "* * - 1,2,3,4,5 1 * * *",
      startDate: "2026-10-01T02:30:00.000",
      timeZone: STHLM,
    };
    expect(fires(schedule(f), "2026-10-23T00:00:00Z", 2)).toEqual(["2026-10-23T00:30:00Z", "2026-10-26T01:30:00Z"]);
  });
});

describe("filters Steward cannot read are errors, not guesses", () => {
  test("wrong field count, out-of-range values, an unknown daylight-saving option", () => {
    expect(parseQmcFilter("* * - * * * *").ok).toBe(false);
    expect(parseQmcFilter("* 7-25 - * * * * *").ok).toBe(false);
    expect(parseQmcFilter("* * - 7 * * * *").ok).toBe(false);
    expect(parseQmcFilter("* * - * * L * *").ok).toBe(false);
    const r = readQmcSchedule({ incrementOption: 2, incrementDescription: "0 0 1 0", startDate: "2026-01-01T00:00:00", daylightSavingTime: 4 });
    expect(r.ok ? "" : r.error).toContain("daylightSavingTime 4");
  });
});
