// What a task's runs teach, kept as they come (issue 78), must teach what learning from every run kept teaches: the
// same usual duration, kinds of day, typical duration and last success, through random streams of runs over more than
// 35 days (every few minutes to weekly, failures, runs found late, negative durations) with prunes in between.
import { expect, test } from "bun:test";
import { durationBucketOf } from "../../../../src/watch/watchdog/duration-buckets";
import { MsColumn } from "../../../../src/watch/watchdog/learned-column";
import { RunLearner, SUCCESS_ENDS } from "../../../../src/watch/watchdog/run-learner";
import type { KeptRun } from "../../../../src/watch/watchdog/run-list";
import { DEFAULT_USUAL, learnUsualDuration } from "../../../../src/watch/watchdog/usual";
import { createRandom } from "../../../../src/platform/core/seeded-random";

const MIN = 60_000;
const DAY = 86_400_000;
const KEEP = 35 * DAY;
const opts = { ...DEFAULT_USUAL, minSamples: 3 };

/** What the look learned before (evaluation-look.ts at 2026-11-26): every successful run of the list, oldest first. */
function fromEveryRun(list: readonly KeptRun[], zone: string) {
  const durations: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (const r of list) {
    if (r.status !== 7) continue;
    ends.push(r.stopMs);
    if (r.startMs === undefined) continue;
    durations.push(r.stopMs - r.startMs);
    starts.push(r.startMs);
  }
  return {
    usual: learnUsualDuration(
      durations,
      opts,
      starts.map((s) => durationBucketOf(s, zone)),
    ),
    typical: durations.length ? median(durations.slice(-DEFAULT_USUAL.window)) : undefined,
    ends,
  };
}

function fromLearner(l: RunLearner) {
  const { durations, buckets } = l.durationsKept();
  return {
    usual: learnUsualDuration(durations, opts, buckets),
    typical: durations.length ? median(durations.slice(-DEFAULT_USUAL.window)) : undefined,
    ends: l.ends(),
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Inserted as the kept lists do: in stop order, after the runs that stopped at the same millisecond. */
function insertKept(list: KeptRun[], r: KeptRun): void {
  let at = list.length;
  while (at > 0 && list[at - 1]!.stopMs > r.stopMs) at--;
  list.splice(at, 0, r);
}

const kinds = [
  { every: 5 * MIN, zone: "Europe/Stockholm" },
  { every: 47 * MIN, zone: "America/New_York" },
  { every: 6 * 60 * MIN, zone: "Asia/Kolkata" },
  { every: DAY, zone: "Pacific/Auckland" },
  { every: 7 * DAY, zone: "UTC" },
];

for (const [seed, kind] of kinds.entries())
  test(`a task run every ${kind.every / MIN} minutes (${kind.zone}) learns the same from what is kept as from every run`, () => {
    const random = createRandom(780 + seed);
    const t0 = Date.parse("2026-01-20T00:00:00Z");
    const learner = new RunLearner(kind.zone);
    const list: KeptRun[] = [];
    let since = t0 - KEEP;
    let checks = 0;
    let late: KeptRun[] = [];
    for (let at = t0; at < t0 + 45 * DAY; at += kind.every) {
      // Durations of two kinds of day and a spread; some fail, some never got an engine, a few stop before they start.
      const month = new Date(at).getUTCDate() <= 2 ? 3 : 1;
      const took = Math.round(month * (60_000 + random.next() * 240_000) * (new Date(at).getUTCDay() === 1 ? 2 : 1));
      const status = random.next() < 0.1 ? 8 : 7;
      const startMs = at + Math.round(random.next() * 5_000);
      const run: KeptRun = {
        taskId: "t",
        status,
        createdMs: at,
        ...(random.next() < 0.03 ? {} : { startMs }),
        stopMs: random.next() < 0.01 ? startMs - 1_000 : startMs + took,
      };
      // Some runs are found a while later (a reconciled run), out of stop order; some stop at the same millisecond.
      if (random.next() < 0.05) late.push(run);
      else if (random.next() < 0.02) late.push(run, { ...run, status: 7 });
      else addRun(run);
      if (random.next() < 0.1 && late.length) {
        for (const r of late) addRun(r);
        late = [];
      }
      // A look's prune, now and then: everything that stopped before `now - keepRuns` goes.
      if (random.next() < 0.05) {
        since = Math.max(since, at - KEEP);
        learner.dropBefore(since);
        for (let k = list.findIndex((r) => r.stopMs >= since); k > 0; k--) list.shift();
        if (list.length && list[0]!.stopMs < since) list.length = 0;
      }
      // About 40 checks a stream (each learns from every run again: the cost this replaces).
      if (random.next() < (40 * kind.every) / (45 * DAY) || at + kind.every >= t0 + 45 * DAY) {
        const want = fromEveryRun(list, kind.zone);
        const got = fromLearner(learner);
        expect(got.usual).toEqual(want.usual);
        expect(got.typical).toEqual(want.typical);
        expect(got.ends).toEqual(want.ends.slice(-SUCCESS_ENDS));
        expect(learner.lastEnd()).toEqual(want.ends.at(-1));
        checks++;
      }
    }
    function addRun(r: KeptRun) {
      if (r.stopMs < since) return;
      insertKept(list, r);
      learner.add(r);
    }
    expect(checks).toBeGreaterThan(5);
    // The stream reached what the statistics look at: kinds of day learned apart, and (for the frequent tasks) more
    // durations and ends than are kept, so the bounds were exercised.
    const final = fromEveryRun(list, kind.zone);
    if (kind.every <= DAY) expect(final.usual?.buckets).toBeDefined();
    if (kind.every <= 47 * MIN) {
      expect(final.ends.length).toBeGreaterThan(SUCCESS_ENDS);
      expect(learner.durationsKept().durations.length).toBeLessThanOrEqual(10 * DEFAULT_USUAL.window);
    }
  });

test("a column of milliseconds stays exact when its values outgrow four bytes: a base that moves, then eight bytes", () => {
  const col = new MsColumn(true);
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  const values = [t0, t0 + 20 * DAY, t0 + 40 * DAY, t0 - 5 * DAY];
  values.forEach((v, k) => col.insert(k, v));
  expect(Array.from({ length: col.length }, (_, k) => col.at(k))).toEqual(values);
  expect(col.bytes).toBe(4 * 4);
  col.insert(4, t0 + 0.5);
  col.insert(5, t0 + 400 * DAY);
  expect(Array.from({ length: col.length }, (_, k) => col.at(k))).toEqual([...values, t0 + 0.5, t0 + 400 * DAY]);
  col.dropFirst(2);
  expect(col.at(0)).toBe(t0 + 40 * DAY);
  const durations = new MsColumn(false);
  durations.insert(0, -1_000);
  durations.insert(1, 30 * DAY);
  expect([durations.at(0), durations.at(1)]).toEqual([-1_000, 30 * DAY]);
});
