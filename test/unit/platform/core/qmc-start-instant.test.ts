// A trigger's startDate that ends in Z (or an offset) is the instant it names, in Steward's reading and in the
// simulator's, each written apart (issue 66). Sources:
// - Qlik's QRS API reference, SchemaEvent: startDate and expirationDate are "Date, format: date-time"
//   (https://help.qlik.com/en-US/sense-developer/APIs/RepositoryServiceAPI/index.html?page=1862), and QRS writes its own
//   instants with Z (createdDate, operational.lastEventDate "1753-01-01T00:00:00Z", nextExecution).
// - A schemaevent as a real QRS returned it, used as the body of the Telemetry Dashboard's metadata-fetch trigger
//   (levi-turner/QlikSenseScripts:qs-cli/qs-cli-schedule_telemetry_metadata_fetch.ps1): zone America/New_York,
//   startDate 2018-10-25T13:30:26Z, operational.nextExecution 2018-10-25T13:30:26Z, created 13:06:26.078Z. Read as New
//   York wall time the first fire would be 17:30:26Z, four hours after the time QRS itself states.
// A startDate without a suffix stays the zone's wall time: the QMC's own triggers in Qlik's help pages are written so
// ("2017-01-17T09:21:25.000", zone America/New_York, created as "weekly on Tuesday" at 09:21 local).
import { describe, expect, test } from "bun:test";
import { nextQmcFire } from "../../../../src/platform/core/qmc-schedule";
import { type QrsScheduleFields, readQmcSchedule } from "../../../../src/platform/core/qmc-trigger-read";
import { simNextFire } from "../../../../src/sim/scheduler-clock";

const iso = (ms: number | undefined) => (ms === undefined ? "none" : new Date(ms).toISOString());

/** The next n fires after `from` by both implementations, as "steward | simulator" lines. */
function both(f: QrsScheduleFields, from: string, n: number): string[] {
  const read = readQmcSchedule(f);
  if (!read.ok) throw new Error(read.error);
  const out: string[] = [];
  let a = Date.parse(from);
  let b = a;
  for (let i = 0; i < n; i++) {
    const s = nextQmcFire(read.schedule, a);
    const r = simNextFire(f, b);
    if (!r.ok) throw new Error(r.reason);
    out.push(`${iso(s)} | ${iso(r.next)}`);
    if (s === undefined || r.next === undefined) break;
    a = s;
    b = r.next;
  }
  return out;
}

const same = (...times: string[]) => times.map((t) => `${t} | ${t}`);

const TELEMETRY: QrsScheduleFields = {
  incrementOption: 2,
  incrementDescription: "0 0 1 0",
  schemaFilterDescription: ["* * - * * * * *"],
  startDate: "2018-10-25T13:30:26Z",
  expirationDate: "9999-12-31T00:00:00",
  timeZone: "America/New_York",
  daylightSavingTime: 0,
};

describe("a startDate ending in Z is a UTC instant", () => {
  test("the Telemetry Dashboard trigger fires first at the instant QRS states as its nextExecution", () => {
    expect(both(TELEMETRY, "2018-10-25T13:06:26.078Z", 1)).toEqual(same("2018-10-25T13:30:26.000Z"));
  });

  test("a day step repeats the instant's wall time in the zone (09:30:26 New York), across the autumn change", () => {
    // 09:30:26 EDT = 13:30:26Z until 3 November; from 4 November 09:30:26 EST = 14:30:26Z.
    expect(both(TELEMETRY, "2018-11-02T12:00:00Z", 3)).toEqual(same("2018-11-02T13:30:26.000Z", "2018-11-03T13:30:26.000Z", "2018-11-04T14:30:26.000Z"));
  });

  test("an hourly grid starts at the instant", () => {
    const hourly = { ...TELEMETRY, incrementOption: 1, incrementDescription: "0 1 0 0" };
    expect(both(hourly, "2018-10-25T13:00:00Z", 2)).toEqual(same("2018-10-25T13:30:26.000Z", "2018-10-25T14:30:26.000Z"));
  });

  test("a once at an instant the autumn change repeats on the clock fires at that instant, not the other occurrence", () => {
    // New York, 4 November 2018: 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST). 05:30Z names the first.
    const once = { ...TELEMETRY, incrementOption: 0, incrementDescription: "0 0 0 0", startDate: "2018-11-04T05:30:00Z" };
    expect(both(once, "2018-11-04T00:00:00Z", 2)).toEqual([...same("2018-11-04T05:30:00.000Z"), "none | none"]);
  });

  test("an offset names an instant too; an expiry with Z is an instant", () => {
    const offset = { ...TELEMETRY, startDate: "2018-10-25T09:30:26-04:00" };
    expect(both(offset, "2018-10-25T13:06:26.078Z", 1)).toEqual(same("2018-10-25T13:30:26.000Z"));
    // Expiry 27 October 13:30:26Z: the fire at that instant does not happen.
    const ending = { ...TELEMETRY, expirationDate: "2018-10-27T13:30:26Z" };
    expect(both(ending, "2018-10-25T14:00:00Z", 3)).toEqual([...same("2018-10-26T13:30:26.000Z"), "none | none"]);
  });

  test("without a suffix the same digits are New York wall time: 13:30:26 EDT = 17:30:26Z", () => {
    const wall = { ...TELEMETRY, startDate: "2018-10-25T13:30:26" };
    expect(both(wall, "2018-10-25T13:06:26.078Z", 1)).toEqual(same("2018-10-25T17:30:26.000Z"));
  });
});
