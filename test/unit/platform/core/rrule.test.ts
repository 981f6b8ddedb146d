// RRULE occurrences as Qlik Cloud's time-scheduled tasks fire: expected times worked out by hand from the rule and
// the zone (Stockholm is UTC+1 in winter, +2 from 29 March 2026 02:00 to 25 October 2026 03:00; New York −5/−4).
import { cpuMsOf } from "../../../helpers/cpu-cost";
import { describe, expect, test } from "bun:test";
import { nextOccurrence, occurrencesBetween, parseRule, readSchedule, type Schedule } from "../../../../src/platform/core/rrule";

const at = (s: string) => Date.parse(s);
const iso = (ms: number[]) => ms.map((m) => new Date(m).toISOString().replace(".000", ""));

function schedule(recurrence: string | string[], timeZone = "UTC", startDateTime?: string, endDateTime?: string): Schedule {
  const r = readSchedule({
    recurrence: Array.isArray(recurrence) ? recurrence : [recurrence],
    timeZone,
    ...(startDateTime ? { startDateTime } : {}),
    ...(endDateTime ? { endDateTime } : {}),
    fallbackStartMs: at("2026-01-01T00:00:00Z"),
  });
  if (!r.ok) throw new Error(r.error);
  return r.schedule;
}
const list = (s: Schedule, from: string, to: string, max = 50) => iso(occurrencesBetween(s, at(from), at(to), max));

describe("RRULE occurrences", () => {
  test("DAILY at 08:00 in Stockholm keeps the wall time across the spring change", () => {
    const s = schedule("RRULE:FREQ=DAILY;BYHOUR=8;BYMINUTE=0;BYSECOND=0", "Europe/Stockholm");
    expect(list(s, "2026-03-27T12:00:00Z", "2026-03-31T00:00:00Z")).toEqual(["2026-03-28T07:00:00Z", "2026-03-29T06:00:00Z", "2026-03-30T06:00:00Z"]);
  });

  test("DAILY at 01:30 in New York across the autumn change fires once a day", () => {
    const s = schedule("RRULE:FREQ=DAILY;BYHOUR=1;BYMINUTE=30;BYSECOND=0", "America/New_York");
    expect(list(s, "2026-10-31T12:00:00Z", "2026-11-03T12:00:00Z")).toHaveLength(3);
  });

  test("a wall time the spring change skips still fires that day (an hour later in UTC terms)", () => {
    const s = schedule("RRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=30;BYSECOND=0", "Europe/Stockholm");
    const got = occurrencesBetween(s, at("2026-03-28T00:00:00Z"), at("2026-03-31T00:00:00Z"));
    expect(got).toHaveLength(3);
    expect(iso([got[0]!, got[2]!])).toEqual(["2026-03-28T01:30:00Z", "2026-03-30T00:30:00Z"]);
  });

  test("HOURLY with INTERVAL counts from the start; MINUTELY with INTERVAL and BYHOUR", () => {
    const h = schedule("RRULE:FREQ=HOURLY;INTERVAL=4;BYMINUTE=15;BYSECOND=0", "UTC", "2026-01-01T02:00:00");
    expect(list(h, "2026-01-02T00:00:00Z", "2026-01-02T12:00:00Z")).toEqual(["2026-01-02T02:15:00Z", "2026-01-02T06:15:00Z", "2026-01-02T10:15:00Z"]);
    const m = schedule("RRULE:FREQ=MINUTELY;INTERVAL=20;BYHOUR=9;BYSECOND=0", "UTC", "2026-01-01T00:00:00");
    expect(list(m, "2026-01-05T00:00:00Z", "2026-01-05T23:59:00Z")).toEqual(["2026-01-05T09:00:00Z", "2026-01-05T09:20:00Z", "2026-01-05T09:40:00Z"]);
  });

  test("WEEKLY on weekdays, and every second week", () => {
    const s = schedule("RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=6;BYMINUTE=0;BYSECOND=0", "UTC");
    // 2026-11-23 is a Monday.
    expect(list(s, "2026-11-22T00:00:00Z", "2026-11-29T00:00:00Z")).toEqual(["2026-11-23T06:00:00Z", "2026-11-25T06:00:00Z", "2026-11-27T06:00:00Z"]);
    const two = schedule("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;BYHOUR=6;BYMINUTE=0;BYSECOND=0", "UTC", "2026-11-03T00:00:00");
    expect(list(two, "2026-11-01T00:00:00Z", "2026-12-10T00:00:00Z")).toEqual(["2026-11-03T06:00:00Z", "2026-11-17T06:00:00Z", "2026-12-01T06:00:00Z"]);
  });

  test("MONTHLY on the last Friday, the first Monday, the 31st (skipping short months) and the last day", () => {
    const lastFri = schedule("RRULE:FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=18;BYMINUTE=0;BYSECOND=0", "UTC");
    expect(list(lastFri, "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z")).toEqual(["2026-01-30T18:00:00Z", "2026-02-27T18:00:00Z", "2026-03-27T18:00:00Z"]);
    const firstMon = schedule("RRULE:FREQ=MONTHLY;BYDAY=1MO;BYHOUR=7;BYMINUTE=0;BYSECOND=0", "UTC");
    expect(list(firstMon, "2026-01-01T00:00:00Z", "2026-03-31T00:00:00Z")).toEqual(["2026-01-05T07:00:00Z", "2026-02-02T07:00:00Z", "2026-03-02T07:00:00Z"]);
    const the31st = schedule("RRULE:FREQ=MONTHLY;BYMONTHDAY=31;BYHOUR=0;BYMINUTE=0;BYSECOND=0", "UTC");
    expect(list(the31st, "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z")).toEqual(["2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z"]);
    const lastDay = schedule("RRULE:FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=23;BYMINUTE=0;BYSECOND=0", "UTC");
    expect(list(lastDay, "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z")).toEqual(["2026-02-28T23:00:00Z"]);
  });

  test("YEARLY in a month on a numbered weekday, and by month and day", () => {
    const s = schedule("RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;BYHOUR=12;BYMINUTE=0;BYSECOND=0", "UTC");
    expect(list(s, "2026-01-01T00:00:00Z", "2028-01-01T00:00:00Z")).toEqual(["2026-11-26T12:00:00Z", "2027-11-25T12:00:00Z"]);
    const leap = schedule("RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=0;BYMINUTE=0;BYSECOND=0", "UTC");
    expect(iso([nextOccurrence(leap, at("2026-01-01T00:00:00Z"))!])).toEqual(["2028-02-29T00:00:00Z"]);
  });

  test("COUNT, UNTIL and endDateTime end the schedule; several RRULE lines are a union", () => {
    const count = schedule("RRULE:FREQ=DAILY;COUNT=3;BYHOUR=5;BYMINUTE=0;BYSECOND=0", "UTC", "2026-05-01T00:00:00");
    expect(list(count, "2026-04-01T00:00:00Z", "2026-06-01T00:00:00Z")).toEqual(["2026-05-01T05:00:00Z", "2026-05-02T05:00:00Z", "2026-05-03T05:00:00Z"]);
    expect(nextOccurrence(count, at("2026-05-02T06:00:00Z"))).toBe(at("2026-05-03T05:00:00Z"));
    const until = schedule("RRULE:FREQ=DAILY;UNTIL=20260503T050000Z;BYHOUR=5;BYMINUTE=0;BYSECOND=0", "UTC", "2026-05-01T00:00:00");
    expect(list(until, "2026-04-01T00:00:00Z", "2026-06-01T00:00:00Z")).toHaveLength(3);
    const ended = schedule("RRULE:FREQ=DAILY;BYHOUR=5;BYMINUTE=0;BYSECOND=0", "Europe/Stockholm", "2026-05-01T00:00:00", "2026-05-02T12:00:00");
    expect(list(ended, "2026-04-01T00:00:00Z", "2026-06-01T00:00:00Z")).toEqual(["2026-05-01T03:00:00Z", "2026-05-02T03:00:00Z"]);
    const two = schedule(["RRULE:FREQ=DAILY;BYHOUR=6;BYMINUTE=0;BYSECOND=0", "RRULE:FREQ=DAILY;BYHOUR=18;BYMINUTE=0;BYSECOND=0"], "UTC");
    expect(list(two, "2026-05-01T00:00:00Z", "2026-05-02T00:00:00Z")).toEqual(["2026-05-01T06:00:00Z", "2026-05-01T18:00:00Z"]);
  });

  test("without BYxxx the start gives the time (and nothing fires before the start)", () => {
    const s = schedule("RRULE:FREQ=DAILY", "Europe/Stockholm", "2026-06-10T21:45:00");
    expect(list(s, "2026-06-01T00:00:00Z", "2026-06-12T00:00:00Z")).toEqual(["2026-06-10T19:45:00Z", "2026-06-11T19:45:00Z"]);
  });

  test("a rule that never matches ends its search quickly with nothing", () => {
    const s = schedule("RRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30", "UTC");
    const { value, cpuMs } = cpuMsOf(() => nextOccurrence(s, at("2026-01-01T00:00:00Z")));
    expect(value).toBeUndefined();
    expect(cpuMs).toBeLessThan(2_000);
  });

  test("rules and zones Steward cannot read are errors naming the part", () => {
    expect(parseRule("RRULE:FREQ=DAILY;BYSETPOS=1")).toEqual({ ok: false, error: "BYSETPOS is not supported" });
    expect(parseRule("RRULE:FREQ=DAILY;BYFOO=1")).toMatchObject({ ok: false, error: expect.stringContaining("BYFOO") });
    expect(parseRule("RRULE:FREQ=SECONDLY")).toMatchObject({ ok: false, error: expect.stringContaining("SECONDLY") });
    expect(parseRule("RRULE:BYHOUR=8")).toMatchObject({ ok: false, error: "FREQ is missing" });
    expect(parseRule("RRULE:FREQ=DAILY;BYHOUR=25")).toMatchObject({ ok: false, error: expect.stringContaining("out of range") });
    expect(parseRule("RRULE:FREQ=WEEKLY;BYDAY=1MO")).toMatchObject({ ok: false, error: expect.stringContaining("MONTHLY or YEARLY") });
    expect(parseRule("EXDATE:20260101T000000Z")).toMatchObject({ ok: false, error: expect.stringContaining("only RRULE") });
    expect(readSchedule({ recurrence: ["RRULE:FREQ=DAILY"], timeZone: "Mars/Olympus", fallbackStartMs: 0 })).toEqual({
      ok: false,
      error: "unknown time zone 'Mars/Olympus'",
    });
    expect(readSchedule({ recurrence: ["RRULE:FREQ=DAILY"], timeZone: "UTC", startDateTime: "tomorrow", fallbackStartMs: 0 })).toMatchObject({ ok: false });
  });
});
