// The zone offsets are cached per UTC hour; an hour in which a zone changes its offset is answered per instant.
// Checked against Intl itself, at many instants across the changes of zones that change on the hour, on the half
// hour (Lord Howe's 30-minute shift) and at odd offsets (Chatham +12:45, St John's -3:30, Kathmandu +5:45).
import { describe, expect, test } from "bun:test";
import { instantIn, zonedLocalToUtc, zoneOffsetMs } from "../../../../src/platform/core/time-zone";

const formats = new Map<string, Intl.DateTimeFormat>();
const intlOffset = (tz: string, utcMs: number): number => {
  const f =
    formats.get(tz) ??
    new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
  const p = Object.fromEntries(f.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - Math.floor(utcMs / 1000) * 1000;
};

const ZONES = ["Europe/Stockholm", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns", "Asia/Kathmandu", "UTC"];
// Around each 2026 change of these zones (and a day without one), every 37 minutes and 11 seconds (Intl is slow).
const WINDOWS = [
  "2026-03-08T00:00:00Z",
  "2026-03-29T00:00:00Z",
  "2026-04-04T12:00:00Z",
  "2026-04-05T00:00:00Z",
  "2026-09-27T12:00:00Z",
  "2026-10-03T12:00:00Z",
  "2026-10-25T00:00:00Z",
  "2026-11-01T00:00:00Z",
  "2026-06-15T00:00:00Z",
];

test("the cached offset is Intl's at every instant, across the year's changes", () => {
  const wrong: string[] = [];
  for (const tz of ZONES)
    for (const w of WINDOWS)
      for (let t = Date.parse(w) - 26 * 3_600_000; t < Date.parse(w) + 26 * 3_600_000; t += 2_231_000) {
        // Asked twice: the first fills the cache for the hour, the second reads it.
        const first = zoneOffsetMs(tz, t);
        const second = zoneOffsetMs(tz, t + 1);
        if (first !== intlOffset(tz, t) || second !== intlOffset(tz, t + 1)) wrong.push(`${tz} ${new Date(t).toISOString()}`);
      }
  expect(wrong).toEqual([]);
}, 60_000);

test("the instant of a change: the second before it has the old offset, the change itself the new", () => {
  const change = Date.parse("2026-03-29T01:00:00Z"); // Stockholm: 02:00 CET → 03:00 CEST
  zoneOffsetMs("Europe/Stockholm", change - 3_600_000); // fills the hour before
  expect(zoneOffsetMs("Europe/Stockholm", change - 1000)).toBe(3_600_000);
  expect(zoneOffsetMs("Europe/Stockholm", change)).toBe(7_200_000);
  expect(zonedLocalToUtc("Europe/Stockholm", Date.parse("2026-03-29T03:30:00Z"))).toBe(Date.parse("2026-03-29T01:30:00Z"));
});

describe("instantIn: a time as a person or a date-time field gives it", () => {
  test("without an offset, the wall clock in the zone, winter and summer", () => {
    expect(new Date(instantIn("2026-11-26T22:00", "Europe/Stockholm")).toISOString()).toBe("2026-11-26T21:00:00.000Z");
    expect(new Date(instantIn("2026-07-01T22:00:30", "Europe/Stockholm")).toISOString()).toBe("2026-07-01T20:00:30.000Z");
    expect(new Date(instantIn("2026-11-26T22:00:00.5", "Asia/Kolkata")).toISOString()).toBe("2026-11-26T16:30:00.500Z");
  });
  test("with Z or an offset, as it says, whatever the zone", () => {
    expect(new Date(instantIn("2026-11-26T22:00:00+01:00", "Asia/Kolkata")).toISOString()).toBe("2026-11-26T21:00:00.000Z");
    expect(new Date(instantIn("2026-11-26T22:00:00Z", "Europe/Stockholm")).toISOString()).toBe("2026-11-26T22:00:00.000Z");
  });
  test("anything else is NaN", () => {
    expect(instantIn("tonight", "Europe/Stockholm")).toBeNaN();
  });
});
