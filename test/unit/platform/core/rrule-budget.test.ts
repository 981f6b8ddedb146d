// Property test of the RRULE step budget over generated rules (seeded, bounded count): every next-occurrence search
// ends within its budget of counted steps, with an occurrence, none, or RecurrenceBudgetError (times are printed,
// not asserted: the house rule keeps wall-clock durations out of tests). Rules within the
// budget give consistent answers (the occurrence found after t − 1 ms of an occurrence t is t itself).
import { describe, expect, test } from "bun:test";
import { MAX_STEPS_PER_SEARCH, nextOccurrence, RecurrenceBudgetError, readSchedule, type Schedule, type StepBudget } from "../../../../src/platform/core/rrule";
import { seededRandom, type SeededRandom } from "../../../helpers/seeded-random";

const SEED = 41_004;
const CASES = 250;
/**
 * Steps one search may have counted when it stops: its cap, plus the last charge that passed it (a day's times are
 * charged at once before they are built: at most 24 × 60 × 60) and one zone conversion. Every loop of the search
 * charges steps, so this bounds its work whatever the rule; the time it took is printed, not asserted.
 */
const MAX_COUNTED = MAX_STEPS_PER_SEARCH + 86_400 + 40;
const ZONES = ["UTC", "Europe/Stockholm", "America/New_York", "America/Santiago", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham"];
const FREQS = ["MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"];
const DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

function list(r: SeededRandom, min: number, max: number, n: number, negative = false): string {
  return Array.from({ length: n }, () => {
    const v = r.int(min, max);
    return negative && r.chance(0.3) ? -v : v;
  }).join(",");
}

/** A rule from the parts Qlik Cloud may store, sized from ordinary to hostile (huge COUNT, every second, lists of repeats). */
function generateRule(r: SeededRandom): string {
  const freq = r.pick(FREQS);
  const parts = [`FREQ=${freq}`];
  if (r.chance(0.4)) parts.push(`INTERVAL=${r.pick([1, 2, 7, 15, 9_999_999, r.int(1, 500)])}`);
  if (r.chance(0.35)) parts.push(`COUNT=${r.pick([1, 5, 400, 399_000, 9_999_999, r.int(1, 100_000)])}`);
  else if (r.chance(0.2)) parts.push(`UNTIL=${r.int(1990, 2060)}0${r.int(1, 9)}1${r.int(0, 9)}T000000Z`);
  if (r.chance(0.3)) parts.push(`BYSECOND=${r.chance(0.3) ? Array.from({ length: 60 }, (_, i) => i).join(",") : list(r, 0, 59, r.int(1, 500))}`);
  if (r.chance(0.4)) parts.push(`BYMINUTE=${list(r, 0, 59, r.int(1, 60))}`);
  if (r.chance(0.4)) parts.push(`BYHOUR=${list(r, 0, 23, r.int(1, 24))}`);
  if (r.chance(0.3)) parts.push(`BYMONTHDAY=${list(r, 1, 31, r.int(1, 40), true)}`);
  if (r.chance(0.3)) parts.push(`BYMONTH=${list(r, 1, 12, r.int(1, 12))}`);
  if (r.chance(0.4)) {
    const numbered = freq === "MONTHLY" || freq === "YEARLY";
    parts.push(
      `BYDAY=${Array.from({ length: r.int(1, 120) }, () => `${numbered && r.chance(0.5) ? (r.chance(0.5) ? "-" : "") + r.int(1, 53) : ""}${r.pick(DAYS)}`).join(",")}`,
    );
  }
  if (r.chance(0.1)) parts.push(`WKST=${r.pick(DAYS)}`);
  return `RRULE:${parts.join(";")}`;
}

/** The next occurrence, or the error the search threw, and the steps it counted. */
function search(s: Schedule, after: number): { outcome: number | undefined | Error; steps: number } {
  const budget: StepBudget = { left: 1e12 };
  try {
    return { outcome: nextOccurrence(s, after, budget), steps: 1e12 - budget.left };
  } catch (err) {
    return { outcome: err as Error, steps: 1e12 - budget.left };
  }
}

const pad = (n: number) => String(n).padStart(2, "0");

describe("every RRULE search stays within its step budget", () => {
  test(`${CASES} generated schedules (seed ${SEED})`, () => {
    const r = seededRandom(SEED);
    let refused = 0;
    let found = 0;
    let worst = 0;
    let mostSteps = 0;
    for (let i = 0; i < CASES; i++) {
      const rules = Array.from({ length: r.int(1, 3) }, () => generateRule(r));
      const zone = r.pick(ZONES);
      const start = `${r.int(1970, 2030)}-${pad(r.int(1, 12))}-${pad(r.int(1, 28))}T${pad(r.int(0, 23))}:${pad(r.int(0, 59))}:00`;
      const s = readSchedule({ recurrence: rules, timeZone: zone, startDateTime: start, fallbackStartMs: 0 });
      if (!s.ok) continue;
      const after = Date.UTC(r.int(2020, 2032), r.int(0, 11), r.int(1, 28), r.int(0, 23));
      const what = `case ${i}: ${rules.join(" ")} from ${start} in ${zone}, after ${new Date(after).toISOString()}`;
      const t0 = performance.now();
      const { outcome, steps } = search(s.schedule, after);
      worst = Math.max(worst, performance.now() - t0);
      mostSteps = Math.max(mostSteps, steps);
      if (steps > MAX_COUNTED) throw new Error(`${what}: counted ${steps} steps`);
      if (outcome instanceof Error) {
        if (!(outcome instanceof RecurrenceBudgetError)) throw new Error(`${what}: ${String(outcome)}`);
        refused++;
        continue;
      }
      const next = outcome;
      if (next === undefined) continue;
      found++;
      expect(next).toBeGreaterThan(after);
      // The same occurrence is found from just before it (unless that search is the one over budget).
      try {
        expect(nextOccurrence(s.schedule, next - 1)).toBe(next);
      } catch (err) {
        if (!(err instanceof RecurrenceBudgetError)) throw err;
      }
    }
    // The generator reaches both sides: rules answered and rules refused for their cost.
    expect(found).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(5);
    expect(mostSteps).toBeLessThanOrEqual(MAX_COUNTED);
    console.log(`rrule budget: ${found} found, ${refused} refused, most steps ${mostSteps}, slowest search ${worst.toFixed(0)} ms`);
  }, 120_000);

  test("the issue's rule: MINUTELY with COUNT=399000 is refused within the budget, not computed for seconds", () => {
    const s = readSchedule({
      recurrence: ["RRULE:FREQ=MINUTELY;COUNT=399000"],
      timeZone: "Europe/Stockholm",
      startDateTime: "2026-01-01T00:00:00",
      fallbackStartMs: 0,
    });
    if (!s.ok) throw new Error(s.error);
    const { outcome, steps } = search(s.schedule, Date.parse("2026-09-01T00:00:00Z"));
    expect(outcome).toBeInstanceOf(RecurrenceBudgetError);
    expect(steps).toBeLessThanOrEqual(MAX_COUNTED);
  });

  test("a caller's budget is drawn down across searches and caps each one", () => {
    const s = readSchedule({ recurrence: ["RRULE:FREQ=HOURLY"], timeZone: "Europe/Stockholm", startDateTime: "2026-01-01T00:00:00", fallbackStartMs: 0 });
    if (!s.ok) throw new Error(s.error);
    const budget: StepBudget = { left: 5_000 };
    let at = Date.parse("2026-03-01T00:00:00Z");
    let n = 0;
    expect(() => {
      for (;;) {
        at = nextOccurrence(s.schedule, at, budget)!;
        n++;
      }
    }).toThrow(RecurrenceBudgetError);
    expect(n).toBeGreaterThan(5);
    expect(n).toBeLessThan(5_000);
    expect(budget.left).toBeLessThanOrEqual(0);
    expect(MAX_STEPS_PER_SEARCH).toBeGreaterThan(5_000);
  });

  test("ordinary rules are well within the budget", () => {
    for (const [rule, start] of [
      ["RRULE:FREQ=DAILY;COUNT=1000", "2024-11-01T06:00:00"],
      ["RRULE:FREQ=MINUTELY;INTERVAL=5", "2020-01-01T00:00:00"],
      ["RRULE:FREQ=HOURLY;COUNT=10000", "2025-10-01T00:00:00"],
      ["RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "2001-01-01T00:00:00"],
      ["RRULE:FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=4,16", "2010-01-01T00:00:00"],
    ] as const) {
      const s = readSchedule({ recurrence: [rule], timeZone: "Europe/Stockholm", startDateTime: start, fallbackStartMs: 0 });
      if (!s.ok) throw new Error(s.error);
      // The day of the autumn change, when every time of a day is converted on its own.
      expect(nextOccurrence(s.schedule, Date.parse("2026-10-25T00:30:00Z"))).toBeGreaterThan(Date.parse("2026-10-25T00:30:00Z"));
    }
  });
});
