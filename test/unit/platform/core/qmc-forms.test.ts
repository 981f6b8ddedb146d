// Every form the QMC and the QRS API can store, read as docs/watchdog.md states (issue 59): a "once" written as an
// hourly option with no increment, day steps under the hourly option across a clock change, the weekday form some
// scripts write, numbers as strings, the undocumented daylight-saving value 3, and an expiry in the trigger's zone.
// Expected instants are worked out by hand in the comments.
import { describe, expect, test } from "bun:test";
import { nextQmcFire } from "../../../../src/platform/core/qmc-schedule";
import { type QrsScheduleFields, readQmcSchedule } from "../../../../src/platform/core/qmc-trigger-read";

const Z = (s: string) => Date.parse(s);
const iso = (ms: number | undefined) => (ms === undefined ? "none" : new Date(ms).toISOString().replace(".000", ""));

function fires(f: QrsScheduleFields, from: string, n: number): string[] {
  const r = readQmcSchedule(f);
  if (!r.ok) throw new Error(r.error);
  const out: string[] = [];
  let at = Z(from);
  for (let i = 0; i < n; i++) {
    const next = nextQmcFire(r.schedule, at);
    out.push(iso(next));
    if (next === undefined) break;
    at = next;
  }
  return out;
}

const STHLM = "Europe/Stockholm";

describe("the increment decides how a trigger steps, whatever incrementOption says", () => {
  test("a 'once' stored as incrementOption 1 with increment 0 0 0 0 fires once, not hourly", () => {
    // 2026-11-24 20:00 CET = 19:00Z; nothing after it.
    const f: QrsScheduleFields = { incrementOption: 1, incrementDescription: "0 0 0 0", startDate: "2026-11-24T20:00:00.000", timeZone: STHLM };
    expect(fires(f, "2026-11-24T12:00:00Z", 3)).toEqual(["2026-11-24T19:00:00Z", "none"]);
  });
  test("zero increments under the daily, weekly and monthly options are a once too", () => {
    for (const incrementOption of [2, 3, 4, 5])
      expect(
        fires({ incrementOption, incrementDescription: "0 0 0 0", startDate: "2026-11-24T20:00:00.000", timeZone: STHLM }, "2026-11-01T00:00:00Z", 2),
      ).toEqual(["2026-11-24T19:00:00Z", "none"]);
  });
  test("incrementOption 1 with a day increment keeps the start's wall time across the spring clock change", () => {
    // 06:00 CET = 05:00Z on 28 March; 06:00 CEST = 04:00Z from 29 March (not 05:00Z, which a 24-hour grid gives).
    const f: QrsScheduleFields = { incrementOption: 1, incrementDescription: "0 0 1 0", startDate: "2026-03-01T06:00:00.000", timeZone: STHLM };
    expect(fires(f, "2026-03-28T00:00:00Z", 3)).toEqual(["2026-03-28T05:00:00Z", "2026-03-29T04:00:00Z", "2026-03-30T04:00:00Z"]);
  });
  test("incrementOption 1 with a week increment keeps the wall time across the autumn clock change", () => {
    // Sundays 06:00: 18 October CEST = 04:00Z, 25 October CET (changed at 03:00 that night) = 05:00Z.
    const f: QrsScheduleFields = { incrementOption: 1, incrementDescription: "0 0 0 1", startDate: "2026-10-04T06:00:00.000", timeZone: STHLM };
    expect(fires(f, "2026-10-17T00:00:00Z", 2)).toEqual(["2026-10-18T04:00:00Z", "2026-10-25T05:00:00Z"]);
  });
  test("numbers written as strings are read", () => {
    const f: QrsScheduleFields = {
      incrementOption: "2",
      incrementDescription: " 0 0 01 0 ",
      startDate: "2026-01-01T06:00:00",
      timeZone: STHLM,
      daylightSavingTime: "0",
    };
    expect(fires(f, "2026-06-01T00:00:00Z", 1)).toEqual(["2026-06-01T04:00:00Z"]);
  });
});

describe("the filter under any option", () => {
  test("weekdays written in the weekly-interval position ('* * - * 1-5 * * *', a community script's custom trigger)", () => {
    // Daily at 12:05 New York time on weekdays: Friday 27 Nov 17:05Z, then Monday 30 Nov.
    const f: QrsScheduleFields = {
      incrementOption: 5,
      incrementDescription: "0 0 1 0",
      schemaFilterDescription: ["* * - * 1-5 * * *"],
      startDate: "2017-01-11T12:05:46.000",
      expirationDate: "9999-01-01T00:00:00.000",
      timeZone: "America/New_York",
      daylightSavingTime: 0,
    };
    expect(fires(f, "2026-11-27T12:00:00Z", 2)).toEqual(["2026-11-27T17:05:46Z", "2026-11-30T17:05:46Z"]);
  });
  test("a weekday filter under the hourly option keeps only weekday fires", () => {
    const f: QrsScheduleFields = {
      incrementOption: 1,
      incrementDescription: "0 6 0 0",
      schemaFilterDescription: "* * - 1,2,3,4,5 1 * * *",
      startDate: "2026-11-02T00:00:00",
      timeZone: "UTC",
    };
    // Friday 27 Nov 18:00, then Monday 30 Nov 00:00.
    expect(fires(f, "2026-11-27T13:00:00Z", 2)).toEqual(["2026-11-27T18:00:00Z", "2026-11-30T00:00:00Z"]);
  });
  test("a day-of-month filter under the daily option", () => {
    const f: QrsScheduleFields = {
      incrementOption: 2,
      incrementDescription: "0 0 1 0",
      schemaFilterDescription: "* * - * * 10 * *",
      startDate: "2026-01-01T03:00:00",
      timeZone: "UTC",
    };
    expect(fires(f, "2026-11-24T00:00:00Z", 2)).toEqual(["2026-12-10T03:00:00Z", "2027-01-10T03:00:00Z"]);
  });
});

describe("daylight-saving option and expiry, in the trigger's zone", () => {
  test("daylightSavingTime 3 (not documented by Qlik) is read as observe", () => {
    const f: QrsScheduleFields = {
      incrementOption: 2,
      incrementDescription: "0 0 1 0",
      startDate: "2026-01-01T06:00:00",
      timeZone: STHLM,
      daylightSavingTime: 3,
    };
    expect(fires(f, "2026-06-01T00:00:00Z", 1)).toEqual(["2026-06-01T04:00:00Z"]);
  });
  test("an expiry is the zone's wall time, not UTC", () => {
    // Daily 06:00 New York (EST, UTC-5) = 11:00Z. Expiry 1 December 05:30 New York = 10:30Z: the 1 December fire
    // (11:00Z) is after it. Read as UTC (05:30Z) the expiry would have cut the same fires; one at 06:30 shows the
    // difference: 06:30 New York = 11:30Z lets the 1 December fire through, 06:30Z would not.
    const ny: QrsScheduleFields = {
      incrementOption: 2,
      incrementDescription: "0 0 1 0",
      startDate: "2026-11-01T06:00:00",
      expirationDate: "2026-12-01T05:30:00.000",
      timeZone: "America/New_York",
    };
    expect(fires(ny, "2026-11-29T12:00:00Z", 3)).toEqual(["2026-11-30T11:00:00Z", "none"]);
    const later = { ...ny, expirationDate: "2026-12-01T06:30:00" };
    expect(fires(later, "2026-11-29T12:00:00Z", 3)).toEqual(["2026-11-30T11:00:00Z", "2026-12-01T11:00:00Z", "none"]);
    // With a Z the expiry is an instant, as a Z startDate is (issue 66): 06:30Z is before the 1 December fire (11:00Z).
    const instant = { ...ny, expirationDate: "2026-12-01T06:30:00Z" };
    expect(fires(instant, "2026-11-29T12:00:00Z", 3)).toEqual(["2026-11-30T11:00:00Z", "none"]);
  });
  test("west of UTC too, a wall time the autumn change repeats fires at its second (standard-time) occurrence", () => {
    // New York, 1 November 2026: 02:00 EDT becomes 01:00 EST, so 01:30 happens at 05:30Z (EDT) and 06:30Z (EST).
    // Found by the simulator's own arithmetic (trigger-arithmetic-agree.test.ts): Steward took the first one here and
    // the second one east of UTC.
    const f: QrsScheduleFields = { incrementOption: 2, incrementDescription: "0 0 1 0", startDate: "2026-10-01T01:30:00", timeZone: "America/New_York" };
    expect(fires(f, "2026-10-31T00:00:00Z", 3)).toEqual(["2026-10-31T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-02T06:30:00Z"]);
  });
  test("west of UTC too, a wall time the spring change skips fires an hour later on the new clock", () => {
    // New York, 8 March 2026: 02:00 EST becomes 03:00 EDT; 02:30 does not exist and fires at 03:30 EDT = 07:30Z
    // (Steward had 06:30Z, 01:30 EST: an hour early).
    const f: QrsScheduleFields = { incrementOption: 2, incrementDescription: "0 0 1 0", startDate: "2026-01-01T02:30:00", timeZone: "America/New_York" };
    expect(fires(f, "2026-03-07T00:00:00Z", 3)).toEqual(["2026-03-07T07:30:00Z", "2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z"]);
  });
  test("a fire exactly at the expiry does not happen", () => {
    const f: QrsScheduleFields = {
      incrementOption: 2,
      incrementDescription: "0 0 1 0",
      startDate: "2026-11-01T06:00:00",
      expirationDate: "2026-11-03T06:00:00",
      timeZone: "UTC",
    };
    expect(fires(f, "2026-11-01T00:00:00Z", 3)).toEqual(["2026-11-01T06:00:00Z", "2026-11-02T06:00:00Z", "none"]);
  });
  test("a start date with Z or an offset is an instant; without, the zone's wall time (issue 66)", () => {
    // Stockholm is CET (UTC+1) in November. 06:00Z is 07:00 there, so daily at 07:00 CET = 06:00Z; 06:00+02:00 is
    // 04:00Z, 05:00 CET = 04:00Z; a bare 06:00 is 06:00 CET = 05:00Z.
    const a: QrsScheduleFields = { incrementOption: 2, incrementDescription: "0 0 1 0", startDate: "2026-11-01T06:00:00.000Z", timeZone: STHLM };
    expect(fires(a, "2026-11-24T00:00:00Z", 1)).toEqual(["2026-11-24T06:00:00Z"]);
    expect(fires({ ...a, startDate: "2026-11-01T06:00:00.000+02:00" }, "2026-11-24T00:00:00Z", 1)).toEqual(["2026-11-24T04:00:00Z"]);
    expect(fires({ ...a, startDate: "2026-11-01T06:00" }, "2026-11-24T00:00:00Z", 1)).toEqual(["2026-11-24T05:00:00Z"]);
  });
  test("what cannot be read says which field", () => {
    const base: QrsScheduleFields = { incrementOption: 2, incrementDescription: "0 0 1 0", startDate: "2026-11-01T06:00:00" };
    const err = (f: QrsScheduleFields) => {
      const r = readQmcSchedule(f);
      return r.ok ? "read" : r.error;
    };
    expect(err({ ...base, incrementOption: "daily" })).toContain("incrementOption");
    expect(err({ ...base, incrementOption: 7 })).toContain("incrementOption");
    expect(err({ ...base, incrementDescription: "0 0 1" })).toContain("incrementDescription");
    expect(err({ ...base, expirationDate: "soon" })).toContain("expirationDate");
    expect(err({ ...base, schemaFilterDescription: ["* * - * * * * *", "* * - * * * * *"] })).toContain("2 filters");
    expect(err({ ...base, schemaFilterDescription: [] })).toBe("read");
  });
});
