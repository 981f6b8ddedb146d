// What the watchdog's runs cost in memory over 35 days at the ×50 site's size (issue 78), without the simulator: the
// runs of 5,800 tasks fed to the kept runs (kept-runs.ts) as the looks add them every five minutes, pruned to keepRuns
// and held for RECENT_RUNS_MS, with what the learners keep of them. Prints, at the end of each simulated week and of
// day 35, the JS heap after a full collection, the runs held and the bytes of their columns and of the learners, and
// the CPU of learning every task once from its learner (what a look does for a task whose runs changed).
//   bun scripts/bench-learned-runs.ts [--days 35] [--hold-days 2]
// The mix: 100 tasks every 30 minutes every day, 700 hourly 07:00-18:00 on weekdays and 5,000 daily on weekdays:
// 18,200 runs a weekday, 4,800 a weekend day, about 500,000 in 35 days (the ×50 site: 18,072 and 4,822).
import { parseArgs } from "node:util";
import { heapStats } from "bun:jsc";
import { createKeptRuns } from "../src/watch/watchdog/kept-runs";
import { RECENT_RUNS_MS } from "../src/watch/watchdog/look-runs";
import type { KeptRun } from "../src/watch/watchdog/run-list";
import { DEFAULT_USUAL, learnUsualDuration } from "../src/watch/watchdog/usual";
import { createRandom } from "../src/platform/core/seeded-random";

const { values } = parseArgs({ options: { days: { type: "string", default: "35" }, "hold-days": { type: "string" } } });
const DAY = 86_400_000;
const MIN = 60_000;
const KEEP = 35 * DAY;
const HOLD = values["hold-days"] !== undefined ? Number(values["hold-days"]) * DAY : RECENT_RUNS_MS;
const T0 = Date.parse("2026-11-23T00:00:00Z"); // a Monday
const random = createRandom(78);

/** The day's runs of every task, in stop order. */
function runsOfDay(day: number): KeptRun[] {
  const at = T0 + day * DAY;
  const weekday = new Date(at).getUTCDay() % 6 !== 0;
  const out: KeptRun[] = [];
  const run = (taskId: string, startMs: number) => {
    const took = Math.round((1 + random.next() * 3) * MIN);
    out.push({ taskId, status: random.next() < 0.05 ? 8 : 7, createdMs: startMs - 1_000, startMs, stopMs: startMs + took });
  };
  for (let t = 0; t < 100; t++) for (let m = 0; m < 24 * 60; m += 30) run(`half-hourly-${t}`, at + (m + (t % 30)) * MIN);
  if (weekday) {
    for (let t = 0; t < 700; t++) for (let h = 7; h <= 18; h++) run(`hourly-${t}`, at + h * 60 * MIN + (t % 60) * MIN);
    for (let t = 0; t < 5_000; t++) run(`daily-${t}`, at + 60 * MIN + (t % 300) * MIN);
  }
  return out.sort((a, b) => a.stopMs - b.stopMs);
}

const MiB = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
function heap() {
  Bun.gc(true);
  const h = heapStats();
  return { heapMiB: MiB(h.heapSize), objects: h.objectCount };
}

const kept = createKeptRuns();
kept.load(kept.readToken(), T0 - KEEP, []);
const before = heap();
console.log(`before: heap ${before.heapMiB} MiB (${before.objects} objects); runs held for ${HOLD / DAY} days, keepRuns 35 days`);
console.log("day  runs fed  runs held  columns MiB  learners MiB  heap MiB (objects)  learn every task ms  prune+learners a look ms");
let fed = 0;
const days = Number(values.days);
/** Feeds a day's runs as the looks read them, five minutes at a time, each look pruning after it. */
function feedDay(day: number): number {
  const runs = runsOfDay(day);
  let k = 0;
  for (let now = T0 + day * DAY + 5 * MIN; now <= T0 + (day + 1) * DAY; now += 5 * MIN) {
    const batch: KeptRun[] = [];
    while (k < runs.length && runs[k]!.stopMs <= now) batch.push(runs[k++]!);
    kept.added(batch);
    kept.pruned(now - KEEP, now - HOLD);
  }
  kept.added(runs.slice(k));
  return runs.length;
}

/** What every look does whatever changed: the prune after it and the learners asked for (ms, the mean of 20 looks). */
function perLook(day: number): number {
  const now = T0 + (day + 1) * DAY;
  const t = performance.now();
  for (let k = 1; k <= 20; k++) {
    kept.pruned(now + k * 1_000 - KEEP, now + k * 1_000 - HOLD);
    kept.learners(now + k * 1_000 - KEEP);
  }
  return (performance.now() - t) / 20;
}

/** Every task learned once from its learner: the ms it took. */
function learnAll(day: number): number {
  const t = performance.now();
  for (const l of kept.learners(T0 + (day + 1) * DAY - KEEP)!.values()) {
    const { durations, buckets } = l.durationsKept();
    learnUsualDuration(durations, DEFAULT_USUAL, buckets);
  }
  return performance.now() - t;
}

for (let day = 0; day < days; day++) {
  // In functions of their own, so the day's runs are garbage when the heap is measured.
  fed += feedDay(day);
  if ((day + 1) % 7 !== 0 && day + 1 !== days) continue;
  const learnMs = learnAll(day);
  const lookMs = perLook(day);
  const size = kept.size();
  const h = heap();
  console.log(
    `${String(day + 1).padStart(3)}  ${String(fed).padStart(8)}  ${String(size.runs).padStart(9)}  ${String(MiB(size.bytes)).padStart(11)}  ${String(MiB(size.learnedBytes)).padStart(12)}  ${`${h.heapMiB} (${h.objects})`.padStart(18)}  ${learnMs.toFixed(1).padStart(8)}  ${lookMs.toFixed(2).padStart(8)}`,
  );
}
