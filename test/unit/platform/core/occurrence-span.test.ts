// A schedule's answers remembered per span between two occurrences (src/platform/core/occurrence-span.ts): the
// freshness and check-in judges asked croner for the previous and next due time at every pass, and croner's
// previousRuns walks back each time (4 % of the four-week scenario's CPU went to croner, profiled). The answers must be
// the schedule's own at any time asked, in any order, and the schedule asked about once per span.
import { describe, expect, test } from "bun:test";
import { Cron } from "croner";
import { spanCached, type Occurrences } from "../../../../src/platform/core/occurrence-span";
import { compileSchedule } from "../../../../src/watch/checkins/schedule";
import { compileDeadlines } from "../../../../src/watch/freshness/deadlines";
import { seededRandom } from "../../../helpers/seeded-random";

const DAY = 86_400_000;
const START = Date.parse("2026-03-23T00:00:00Z"); // Europe's clocks go forward on Sunday 29 March

/** A schedule of listed occurrences, `lookBackMs` as RRULE check-ins have, counting what it is asked. */
function listed(at: number[], lookBackMs = Number.POSITIVE_INFINITY) {
  const asked = { next: 0, previous: 0 };
  const schedule: Occurrences = {
    next(t) {
      asked.next++;
      return at.find((x) => x > t);
    },
    previous(t) {
      asked.previous++;
      return at.findLast((x) => x <= t && t - x < lookBackMs);
    },
  };
  return { schedule, asked };
}

describe("spanCached", () => {
  // Sparse occurrences (gaps of 20 days pass the 8-day look back) and dense ones (hours apart).
  const sparse = [START + DAY, START + 21 * DAY, START + 22 * DAY, START + 45 * DAY];
  const dense = Array.from({ length: 120 }, (_, i) => START + i * 6 * 3_600_000 + (i % 7) * 60_000);
  for (const [name, at, lookBack] of [
    ["sparse, no look back", sparse, undefined],
    ["sparse, 8-day look back", sparse, 8 * DAY],
    ["dense, 8-day look back", dense, 8 * DAY],
  ] as const) {
    test(`answers as the schedule does at random times in any order (${name})`, () => {
      const rnd = seededRandom(7);
      const direct = listed([...at], lookBack);
      const cached = spanCached(listed([...at], lookBack).schedule, lookBack);
      const times = [
        START - DAY,
        ...at,
        ...at.map((x) => x - 1),
        ...at.map((x) => x + 8 * DAY),
        ...Array.from({ length: 400 }, () => START + rnd.int(-2 * DAY, 50 * DAY)),
      ];
      for (const t of times) {
        // Asked in either order: a span remembered by next() must not answer previous() unless it knows it.
        const nextFirst = rnd.chance(0.5);
        const n1 = nextFirst ? cached.next(t) : undefined;
        const previous = cached.previous(t);
        const next = nextFirst ? n1 : cached.next(t);
        expect({ t, next, previous }).toEqual({ t, next: direct.schedule.next(t), previous: direct.schedule.previous(t) });
      }
    });
  }

  test("a judge asking every five minutes for a week asks the schedule about once per span", () => {
    const { schedule, asked } = listed(dense, 8 * DAY);
    const cached = spanCached(schedule, 8 * DAY);
    const passes = (7 * DAY) / 300_000;
    for (let i = 0; i < passes; i++) {
      const t = START + i * 300_000;
      cached.previous(t);
      cached.next(t);
      cached.next(START); // a check's last run, asked again at every pass
    }
    const spans = dense.filter((x) => x <= START + 7 * DAY).length;
    expect(asked.previous).toBeLessThanOrEqual(spans + 1);
    expect(asked.next).toBeLessThanOrEqual(2 * spans + 2);
    expect(passes).toBeGreaterThan(10 * spans);
  });
});

describe("the judges' schedules answer as croner does, across a daylight-saving change", () => {
  const rnd = seededRandom(11);
  const times = Array.from({ length: 300 }, () => START + rnd.int(0, 14 * DAY)).sort((a, b) => a - b);
  const cron = new Cron("0 7 * * 1,2,3,4,5", { paused: true, timezone: "Europe/Stockholm" });
  const previous = (t: number) => cron.previousRuns(1, new Date(t + 1))[0]?.getTime();
  const next = (t: number) => cron.nextRun(new Date(t))?.getTime();

  test("a freshness promise's deadlines", () => {
    const d = compileDeadlines({ freshBy: "07:00", days: ["mon", "tue", "wed", "thu", "fri"], timeZone: "Europe/Stockholm" });
    expect(times.map((t) => [d.atOrBefore(t), d.after(t)])).toEqual(times.map((t) => [previous(t), next(t)]));
  });

  test("a check-in's cron schedule", () => {
    const c = compileSchedule({ cron: "0 7 * * 1-5", timeZone: "Europe/Stockholm" });
    if (!c.ok) throw new Error(c.error);
    expect(times.map((t) => [c.schedule.previous(t), c.schedule.next(t)])).toEqual(times.map((t) => [previous(t), next(t)]));
  });
});
