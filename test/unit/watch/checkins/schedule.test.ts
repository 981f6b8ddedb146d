// A check-in's RRULE schedule (src/watch/checkins/schedule.ts): the latest due time at or before a time (what freshness
// counts a chain from) is found by bisection within one step budget, whatever the rule's pace. Walking the
// occurrences of the last 8 days cost seconds of CPU for an every-minute rule at every freshness pass (and for a
// rule more often than every 46 s it stopped after 15,000 of them and answered a due time days old). A rule firing
// more often than once a minute is refused by the config check instead of failing judgements.
import { describe, expect, test } from "bun:test";
import { compileSchedule } from "../../../../src/watch/checkins/schedule";
import { nextOccurrence, readSchedule } from "../../../../src/platform/core/rrule";
import { zonedLocalToUtc } from "../../../../src/platform/core/time-zone";
import { seededRandom } from "../../../helpers/seeded-random";

const compiled = (rrule: string, timeZone = "Europe/Stockholm") => {
  const c = compileSchedule({ rrule: [rrule], timeZone });
  if (!c.ok) throw new Error(c.error);
  return c.schedule;
};

/** The same answer by walking every occurrence of the 8 days (no budget): the reference for rules of moderate pace. */
function walked(rrule: string, timeZone: string, atMs: number): number | undefined {
  const s = readSchedule({ recurrence: [rrule], timeZone, fallbackStartMs: zonedLocalToUtc(timeZone, Date.UTC(2024, 0, 1)) });
  if (!s.ok) throw new Error(s.error);
  let last: number | undefined;
  for (
    let at = nextOccurrence(s.schedule, atMs - 8 * 86_400_000, { left: 1e12 });
    at !== undefined && at <= atMs;
    at = nextOccurrence(s.schedule, at, { left: 1e12 })
  )
    last = at;
  return last;
}

describe("a check-in's latest due time", () => {
  test("every minute: the due time just before, not one days old", () => {
    const at = Date.parse("2026-11-23T10:00:07Z");
    expect(compiled("RRULE:FREQ=MINUTELY").previous(at)).toBe(Date.parse("2026-11-23T10:00:00Z"));
    expect(compiled("RRULE:FREQ=MINUTELY").previous(Date.parse("2026-11-23T10:01:00Z"))).toBe(Date.parse("2026-11-23T10:01:00Z"));
    expect(compiled("RRULE:FREQ=MINUTELY;BYHOUR=6,7,8").previous(at)).toBe(Date.parse("2026-11-23T07:59:00Z"));
  });

  test("equals walking every occurrence, for generated rules and times (seed 41041)", () => {
    const r = seededRandom(41_041);
    const rules = [
      "RRULE:FREQ=MINUTELY;INTERVAL=15",
      "RRULE:FREQ=HOURLY;BYMINUTE=5,35",
      "RRULE:FREQ=DAILY;BYHOUR=5;BYMINUTE=30",
      "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=5;BYMINUTE=0",
      "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SU;BYHOUR=23;BYMINUTE=59;BYSECOND=59",
      "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=22",
      "RRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=30",
    ];
    const zones = ["Europe/Stockholm", "America/New_York", "Australia/Lord_Howe", "UTC"];
    for (let i = 0; i < 120; i++) {
      const rule = r.pick(rules);
      const zone = r.pick(zones);
      // Around the daylight-saving changes of 2026 as often as not.
      const at = r.chance(0.5)
        ? Date.UTC(2026, r.pick([2, 3, 9, 10]), r.int(1, 30), r.int(0, 23), r.int(0, 59), r.int(0, 59))
        : Date.UTC(r.int(2024, 2027), r.int(0, 11), r.int(1, 28), r.int(0, 23), r.int(0, 59), r.int(0, 59));
      expect({ i, rule, zone, at: new Date(at).toISOString(), previous: compiled(rule, zone).previous(at) }).toEqual({
        i,
        rule,
        zone,
        at: new Date(at).toISOString(),
        previous: walked(rule, zone, at),
      });
    }
  });

  test("a rule the config check accepts is answered at any time, around daylight-saving changes too (seed 41042)", () => {
    const r = seededRandom(41_042);
    const accepted = ["RRULE:FREQ=MINUTELY", "RRULE:FREQ=MINUTELY;BYHOUR=1,2,3", "RRULE:FREQ=MINUTELY;INTERVAL=15", "RRULE:FREQ=HOURLY"];
    for (const rule of accepted)
      for (const zone of ["Europe/Stockholm", "Australia/Lord_Howe", "America/Santiago"]) {
        const s = compiled(rule, zone);
        for (let i = 0; i < 12; i++) {
          const at = Date.UTC(r.int(2024, 2027), r.pick([2, 3, 3, 8, 9, 9, 10]), r.int(1, 30), r.int(0, 23), r.int(0, 59), r.int(0, 59));
          expect(() => s.previous(at)).not.toThrow();
        }
      }
    // More than once a minute is past what Steward follows: refused, not answered sometimes.
    expect(compileSchedule({ rrule: ["RRULE:FREQ=MINUTELY;BYSECOND=0,30"], timeZone: "UTC" })).toEqual({
      ok: false,
      error:
        "rrule 'RRULE:FREQ=MINUTELY;BYSECOND=0,30': one search for its next due time takes 5882 steps (at most 5000): it fires more often than once a minute, or counts a COUNT from long ago; Steward cannot follow it",
    });
  });

  test("a rule no search can follow is refused by the config check, named", () => {
    const everySecond = `RRULE:FREQ=MINUTELY;BYSECOND=${Array.from({ length: 60 }, (_, i) => i).join(",")}`;
    const c = compileSchedule({ rrule: [everySecond], timeZone: "UTC" });
    expect(c.ok).toBe(false);
    if (!c.ok) {
      expect(c.error).toStartWith("rrule 'RRULE:FREQ=MINUTELY;BYSECOND=0,1,2");
      expect(c.error).toContain("steps");
      expect(c.error).toEndWith("Steward cannot follow it");
    }
  });
});
