// The RRULE search's conversion of local times on a day of a daylight-saving change (src/platform/core/rrule.ts dayConverter):
// by hour, each hour's offset from its first and last second, only the hour of the change converted time by time.
// Proven equal to converting every time on its own, for every minute (and seconds around the change) of every
// change day of many zones over several years, and cheap enough that an every-minute rule searched the day after a
// change costs a few thousand steps, not 60,000 (a watchdog look's share was spent on it).
import { describe, expect, test } from "bun:test";
import { dayConverter, nextOccurrence, readSchedule, type StepBudget } from "../../../../src/platform/core/rrule";
import { zonedLocalToUtc } from "../../../../src/platform/core/time-zone";

const DAY = 86_400_000;
const ZONES = [
  "Europe/Stockholm",
  "America/New_York",
  "America/Santiago",
  "America/Havana",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "Asia/Tehran",
  "Africa/Casablanca",
  "America/St_Johns",
];
const YEARS = [1996, 2022, 2026, 2027];

/** Local midnights (as if UTC) of the days whose length is not 24 hours in `zone` during `year`. */
function changeDays(zone: string, year: number): number[] {
  const out: number[] = [];
  for (let d = Date.UTC(year, 0, 1); d < Date.UTC(year + 1, 0, 1); d += DAY) if (zonedLocalToUtc(zone, d + DAY) - zonedLocalToUtc(zone, d) !== DAY) out.push(d);
  return out;
}

describe("local times of a daylight-saving change day", () => {
  test("converted by hour, every minute and the seconds around the change equal a conversion of each on its own", () => {
    let days = 0;
    for (const zone of ZONES)
      for (const year of YEARS)
        for (const day of changeDays(zone, year)) {
          days++;
          const convert = dayConverter(zone, { take: () => {} })(day);
          const wrong: string[] = [];
          const check = (local: number) => {
            const want = zonedLocalToUtc(zone, local);
            const got = convert(local);
            if (got !== want) wrong.push(`${zone} ${new Date(local).toISOString()} local: ${new Date(got).toISOString()}, not ${new Date(want).toISOString()}`);
          };
          // Every minute; where the offset changes from one minute to the next, every second of the hour around.
          let before: number | undefined;
          for (let m = 0; m < 1_440; m++) {
            const local = day + m * 60_000;
            check(local);
            const offset = local - zonedLocalToUtc(zone, local);
            if (before !== undefined && offset !== before)
              for (let s = -3_600; s <= 3_600; s++) if (local + s * 1_000 >= day && local + s * 1_000 < day + DAY) check(local + s * 1_000);
            before = offset;
          }
          expect(wrong.slice(0, 5)).toEqual([]);
        }
    // The zones and years do have change days (else the test would prove nothing).
    expect(days).toBeGreaterThan(40);
  }, 120_000);

  test("an every-minute rule searched on and after a change day costs a few thousand steps", () => {
    const s = readSchedule({ recurrence: ["RRULE:FREQ=MINUTELY"], timeZone: "Europe/Stockholm", startDateTime: "2026-01-01T00:00:00", fallbackStartMs: 0 });
    if (!s.ok) throw new Error(s.error);
    for (const at of ["2026-03-29T10:00:00Z", "2026-03-30T10:00:00Z", "2026-10-25T10:00:00Z", "2026-10-26T10:00:00Z"]) {
      const budget: StepBudget = { left: 1_000_000 };
      const next = nextOccurrence(s.schedule, Date.parse(at), budget);
      expect(next).toBe(Date.parse(at) + 60_000);
      expect({ at, cheap: 1_000_000 - budget.left < 8_000 }).toEqual({ at, cheap: true });
    }
  });
});
