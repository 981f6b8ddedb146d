// task.running_long knows a task's own spread (issue 64): a long-tailed task is not paged for a night its history
// makes plausible, a tight task is still paged at 5 × its usual, a month-end day that always takes twice as long is
// learned apart, and while few runs are seen a long run is a notice and only a clear hang a page.
import { describe, expect, test } from "bun:test";
import { WatchdogSchema } from "../../../../src/watch/watchdog/config";
import { evaluate } from "../../../../src/watch/watchdog/evaluate";
import type { Execution } from "../../../../src/watch/watchdog/observations";
import type { Plan } from "../../../../src/watch/watchdog/qrs-plan";
import { readSchemaEvent } from "../../../../src/watch/watchdog/schedule";
import { learnUsualDuration } from "../../../../src/watch/watchdog/usual";
import type { RunRow } from "../../../../src/watch/watchdog/watch-store";
import { seededRandom } from "../../../helpers/seeded-random";

const MIN = 60_000;
const DAY = 86_400_000;
const cfg = WatchdogSchema.parse({});

/** A standard normal draw (Box–Muller) from the seeded generator. */
const normal = (r: ReturnType<typeof seededRandom>) => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());

const nightly = readSchemaEvent({
  id: "tr1",
  name: "Nightly 03:00",
  enabled: true,
  incrementOption: 2,
  incrementDescription: "0 0 1 0",
  startDate: "2026-01-01T03:00:00",
  timeZone: "Europe/Stockholm",
});
if (!nightly.ok) throw new Error(nightly.error);
const plan: Plan = {
  readAtMs: Date.parse("2026-01-01T00:00:00Z"),
  problems: [],
  apps: new Map(),
  tasks: new Map([
    [
      "t1",
      {
        id: "t1",
        name: "Finance – Close",
        taskType: 0,
        enabled: true,
        tags: [],
        customProperties: [],
        schedules: [nightly.trigger],
        chains: [],
        overrides: {},
      },
    ],
  ]),
};

/** Successful nightly runs of t1 at 03:00 Stockholm (02:00 UTC in winter) on the days from `firstDay`, one per duration. */
const nights = (firstDay: string, durations: number[]): RunRow[] =>
  durations.map((d, k) => {
    const at = Date.parse(`${firstDay}T02:00:00Z`) + k * DAY;
    return { resultId: `r${k}`, taskId: "t1", status: 7, createdMs: at, startMs: at, stopMs: at + d };
  });

/** The look while a run of t1 that started at `startMs` has run `ranMs`: its running_long conditions. */
function judge(history: RunRow[], startMs: number, ranMs: number) {
  const running: Execution = { resultId: "now", executionId: "e-now", taskId: "t1", status: 2, createdMs: startMs, modifiedMs: startMs, startMs };
  const r = evaluate({
    cfg,
    plan,
    nowMs: startMs + ranMs,
    checkedUntilMs: startMs + ranMs,
    watchingSinceMs: startMs - 90 * DAY,
    runs: history,
    running: [running],
    changed: [],
    open: [],
    startLatencyMs: 0,
  });
  const long = r.opens.filter((o) => o.type === "running_long");
  return { pages: long.filter((o) => !o.notice), notices: long.filter((o) => o.notice), usual: r.tasks.find((t) => t.id === "t1")?.usual };
}

describe("limits that know a task's own spread", () => {
  test("a lognormal task (2–4 × its median on some nights) over 120 nights is never paged", () => {
    const r = seededRandom(64);
    const durations = Array.from({ length: 120 }, () => 6 * MIN * Math.exp(0.55 * normal(r)));
    // Some nights really are 2–4 × the median: the test is about the long tail, not a quiet series.
    expect(durations.filter((d) => d > 2 * 6 * MIN).length).toBeGreaterThan(5);
    expect(Math.max(...durations)).toBeGreaterThan(3 * 6 * MIN);
    const paged: string[] = [];
    for (let k = 5; k < durations.length; k++) {
      const u = learnUsualDuration(durations.slice(0, k))!;
      if (durations[k]! > u.limitMs) paged.push(`night ${k}: ${(durations[k]! / MIN).toFixed(1)} min > ${(u.limitMs / MIN).toFixed(1)} (${u.basis})`);
    }
    expect(paged).toEqual([]);
  });

  test("the issue's night: 5 runs seen, usually 6 min, 26 min tonight is a notice, not a page; a clear hang is paged", () => {
    const history = nights(
      "2026-11-18",
      [6, 5, 7.5, 6.5, 5.5].map((m) => m * MIN),
    );
    const start = Date.parse("2026-11-23T02:00:00Z");
    const tonight = judge(history, start, 26 * MIN);
    expect(tonight.pages).toEqual([]);
    // The limit this task had before: the median × (2 + 8/5) = 21.6 min, passed at 26.
    expect(tonight.notices[0]?.details.noticeMs).toBe(21.6 * MIN);
    expect(tonight.notices.map((o) => [o.key, o.details.runsSeen])).toEqual([["long-notice:t1:e-now", 5]]);
    expect(tonight.usual?.learning).toBe(true);
    // Past 4.5 × its median of 6 minutes: a hang, paged even while learning.
    const hang = judge(history, start, 31 * MIN);
    expect(hang.pages.map((o) => [o.key, o.details.limitMs])).toEqual([["long:t1:e-now", 27 * MIN]]);
    expect(hang.usual?.basis).toContain("a clear hang");
  });

  test("a tight task (30 nights of 20 min ± 1) is paged at 5 × its usual, even after one hung run that still succeeded", () => {
    const r = seededRandom(7);
    const durations = Array.from({ length: 30 }, () => (20 + (r.next() - 0.5) * 2) * MIN);
    durations[12] = 200 * MIN;
    const history = nights("2026-10-20", durations);
    const start = Date.parse("2026-11-20T02:00:00Z");
    expect(judge(history, start, 35 * MIN).pages).toEqual([]);
    const hang = judge(history, start, 100 * MIN);
    expect(hang.pages.map((o) => o.key)).toEqual(["long:t1:e-now"]);
    expect(hang.usual!.limitMs).toBeLessThan(100 * MIN);
  });

  test("a month-end task that doubles on the first working day is not paged then; other days keep their limit", () => {
    // 20 min every night, 42 min on the first working day of the month (Monday 2 November 2026; 1 November is a Sunday).
    const from = "2026-10-25";
    const durations = Array.from({ length: 37 }, (_, k) => {
      const day = new Date(Date.parse(`${from}T02:00:00Z`) + k * DAY);
      return (day.getUTCDate() === 2 && day.getUTCMonth() === 10 ? 42 : 20 + (k % 3) * 0.5) * MIN;
    });
    const history = nights(from, durations);
    // Tuesday 1 December 2026, the first working day: 44 minutes is its usual, not long.
    const firstOfMonth = Date.parse("2026-12-01T02:00:00Z");
    expect(judge(history, firstOfMonth, 44 * MIN).pages).toEqual([]);
    // A plain Wednesday at 44 minutes (2.2 × its usual) is long, as before.
    expect(judge(history, Date.parse("2026-12-02T02:00:00Z"), 44 * MIN).pages.length).toBe(1);
    // And the month-end day itself is still paged at 5 × its own level.
    expect(judge(history, firstOfMonth, 5 * 42 * MIN).pages.length).toBe(1);
  });
});
