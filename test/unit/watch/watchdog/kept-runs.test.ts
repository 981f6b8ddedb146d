// The runs a look learns from, kept in memory on the SQLite file: after any mix of writes, prunes and reads they
// must be exactly what the store answers (the same runs, in the same order, per task). A second store object on the
// same file (another part of the watchdog) shares them, so nothing it writes is missed. They are kept as columns of
// numbers (issue 78), so what a run costs is bounded by arithmetic on their sizes, not measured.
import { afterAll, expect, test } from "bun:test";
import { openStore } from "../../../../src/platform/store/database";
import { createWatchStore, type RunRow, watchdogMigrations } from "../../../../src/watch/watchdog/watch-store";
import { createKeptRuns } from "../../../../src/watch/watchdog/kept-runs";
import type { RunList } from "../../../../src/watch/watchdog/run-list";
import { createRandom } from "../../../../src/platform/core/seeded-random";
import { createTempDir } from "../../../helpers/temp-dir";
import { durationBucketOf } from "../../../../src/watch/watchdog/duration-buckets";

const dir = createTempDir("steward-kept-runs-");
const store = openStore(dir.path, [watchdogMigrations]);
afterAll(() => {
  store.close();
  dir.remove();
});

type Fields = { status: number; createdMs: number; startMs?: number; stopMs: number };
const fieldsOf = (r: Fields): Fields => ({
  status: r.status,
  createdMs: r.createdMs,
  ...(r.startMs !== undefined ? { startMs: r.startMs } : {}),
  stopMs: r.stopMs,
});
const listFields = (list: RunList) => list.rows().map(fieldsOf);

/** What the store itself holds, per task (the statement the watch store ran before it kept runs). */
async function fromStore(sinceMs: number): Promise<Map<string, Fields[]>> {
  const rows = await store.sql.all<{ task_id: string; status: number; created_ms: number; start_ms: number | null; stop_ms: number }>(
    "SELECT * FROM watchdog_runs WHERE stop_ms >= ? ORDER BY stop_ms, rowid",
    [sinceMs],
  );
  const out = new Map<string, Fields[]>();
  for (const r of rows)
    out.set(r.task_id, [
      ...(out.get(r.task_id) ?? []),
      fieldsOf({ status: r.status, createdMs: r.created_ms, ...(r.start_ms !== null ? { startMs: r.start_ms } : {}), stopMs: r.stop_ms }),
    ]);
  return out;
}

test("kept runs answer as the store does through writes out of order, duplicates, prunes and a second watch store", async () => {
  const a = createWatchStore(store.sql);
  const b = createWatchStore(store.sql);
  const random = createRandom(7);
  let n = 0;
  const run = (stopMs: number): RunRow => ({
    resultId: `r${++n}`,
    taskId: `t${n % 5}`,
    status: 7,
    createdMs: stopMs - 1_000,
    // Some runs never got an engine (no start), and one task's statuses do not fit a byte.
    ...(n % 7 === 0 ? {} : { startMs: stopMs - 900 }),
    stopMs,
  });
  let now = 1_000_000;
  expect(await a.runsSince(now - 50_000)).toEqual([]);
  for (let step = 0; step < 200; step++) {
    now += 1_000;
    const writer = random.next() < 0.5 ? a : b;
    // Mostly in stop order, some found late (a reconciled run) and some stopping at the same millisecond.
    const batch = [run(now), run(now - Math.floor(random.next() * 30_000)), run(now)];
    if (random.next() < 0.2) batch.push({ ...batch[0]!, status: 8 }); // the same result again: the first one stays
    if (step === 100) batch.push({ ...run(now), taskId: "t-wide", status: 1_000 });
    await writer.addRuns(batch);
    if (step % 25 === 24) await writer.prune(now - 40_000, now);
    const reader = random.next() < 0.5 ? a : b;
    const since = now - 35_000;
    const byTask = reader.keptRunsByTask(since)!;
    expect(new Map([...byTask].map(([task, list]) => [task, listFields(list)]))).toEqual(await fromStore(since));
    // Read one field at a time, a list says the same as its rows.
    for (const list of byTask.values())
      for (let k = 0; k < list.length; k++) {
        const r = list.rows()[k]!;
        expect([list.status(k), list.createdMs(k), list.startMs(k), list.stopMs(k)]).toEqual([r.status, r.createdMs, r.startMs, r.stopMs]);
      }
  }
  const kept = a.keptRunsByTask(now - 35_000)!;
  expect([...kept.values()].reduce((s, l) => s + l.length, 0)).toBeGreaterThan(50);
  expect([...kept.values()].every((l) => l.rows().every((r) => r.status === 7 || r.status === 1_000))).toBe(true);
  // A look reaching further back than what is kept reads the store again (and has no per-task lists until then).
  expect(b.keptRunsByTask(now - 45_000)).toBeUndefined();
  const again = await b.runsSince(now - 45_000);
  expect(again.length).toBeGreaterThan([...kept.values()].reduce((s, l) => s + l.length, 0));
  expect(new Map([...b.keptRunsByTask(now - 45_000)!].map(([task, list]) => [task, listFields(list)]))).toEqual(await fromStore(now - 45_000));
});

test("a read of the store that a write ran beside is not kept (its runs would be lost)", async () => {
  const kept = createKeptRuns();
  const token = kept.readToken();
  const done = kept.writing();
  expect(kept.readToken()).toBe(-1);
  done();
  expect(kept.load(token, 0, [])).toBe(false);
  expect(kept.byTask(0)).toBeUndefined();
  expect(kept.load(kept.readToken(), 0, [{ taskId: "t", status: 7, createdMs: 1, startMs: 2, stopMs: 3 }])).toBe(true);
  expect(kept.byTask(0)!.get("t")!.rows()).toEqual([{ taskId: "t", status: 7, createdMs: 1, startMs: 2, stopMs: 3 }]);
});

test("a kept run costs at most 26 bytes, and pruned runs give their memory back", () => {
  const kept = createKeptRuns();
  kept.load(kept.readToken(), 0, []);
  // 5,800 tasks, a day of runs each (the ×50 site runs about 20,000 a day; this is more).
  const DAY = 86_400_000;
  for (let day = 0; day < 3; day++)
    for (let t = 0; t < 5_800; t++)
      kept.added(
        Array.from({ length: 4 }, (_, k) => {
          const stopMs = day * DAY + k * 6 * 3_600_000 + t * 1_000;
          return { taskId: `task-${t}`, status: 7, createdMs: stopMs - 60_000, startMs: stopMs - 50_000, stopMs };
        }),
      );
  const full = kept.size();
  expect(full.runs).toBe(5_800 * 12);
  // The stop in 8 bytes, the trigger and the start as milliseconds before it in 4 each, a status byte: 17 bytes, and
  // at most half again of spare capacity (before, three times of 8 bytes: 25 to 37.5).
  expect(full.bytes / full.runs).toBeGreaterThanOrEqual(17);
  expect(full.bytes / full.runs).toBeLessThanOrEqual(26);
  // Two of the three days pruned: the columns shrink with them.
  kept.pruned(2 * DAY);
  const after = kept.size();
  expect(after.runs).toBe(5_800 * 4);
  expect(after.bytes / after.runs).toBeLessThanOrEqual(34);
  expect(after.bytes).toBeLessThan(full.bytes / 2);
});

test("times that do not fit four bytes before the stop are kept exactly: a trigger weeks before, no start, fractions", () => {
  const kept = createKeptRuns();
  kept.load(kept.readToken(), 0, []);
  const DAY = 86_400_000;
  const t0 = Date.parse("2026-03-23T00:00:00Z");
  const runs = [
    { taskId: "a", status: 7, createdMs: t0, startMs: t0 + 1_000, stopMs: t0 + 60_000 },
    { taskId: "a", status: 8, createdMs: t0 + DAY, stopMs: t0 + DAY + 5_000 }, // never got an engine
    { taskId: "a", status: 7, createdMs: t0 + DAY - 30 * DAY, startMs: t0 + DAY - 26 * DAY, stopMs: t0 + DAY + 9_000 }, // weeks in the queue
    { taskId: "a", status: 7, createdMs: t0 + 3 * DAY, startMs: t0 + 3 * DAY + 2_000, stopMs: t0 + 3 * DAY + 60_000 },
    { taskId: "b", status: 7, createdMs: t0 + 0.25, startMs: t0 + 1_000.5, stopMs: t0 + 2_000.75 }, // not whole milliseconds
    { taskId: "b", status: 7, createdMs: t0 + DAY, stopMs: t0 + DAY + 1 },
    { taskId: "c", status: 300, createdMs: t0 + 5, startMs: t0 + 5, stopMs: t0 + 5 }, // a status beyond a byte, no time between
  ];
  kept.added(runs.slice(0, 2));
  kept.added(runs.slice(2));
  const byTask = kept.byTask(0)!;
  const want = (taskId: string) => runs.filter((r) => r.taskId === taskId).map(fieldsOf);
  for (const taskId of ["a", "b", "c"]) expect(listFields(byTask.get(taskId)!)).toEqual(want(taskId));
  // Past the first run of "a": the same answers from a window of the columns.
  expect(listFields(kept.byTask(t0 + DAY)!.get("a")!)).toEqual(want("a").slice(1));
});

test("what the kept runs teach follows a task's time zone: kept in the zone of its trigger, counted again when it changes", async () => {
  const s = createWatchStore(store.sql);
  const t0 = Date.parse("2026-06-01T00:00:00Z");
  const DAY = 86_400_000;
  // A run a day at 23:30 UTC: a Monday evening in UTC, already Tuesday in Stockholm.
  const runs: RunRow[] = Array.from({ length: 20 }, (_, k) => {
    const startMs = t0 + k * DAY + 23.5 * 3_600_000;
    return { resultId: `zone-${k}`, taskId: "zoned", status: 7, createdMs: startMs, startMs, stopMs: startMs + 60_000 * (1 + (k % 3)) };
  });
  let zone = "Europe/Stockholm";
  s.taskZones((id) => (id === "zoned" ? zone : undefined));
  await s.runsSince(t0 - DAY);
  await s.addRuns(runs);
  const bucketsOf = async () => (await s.keptLearners(t0 - DAY))!.get("zoned")!.durationsKept().buckets;
  const want = (z: string) => runs.map((r) => durationBucketOf(r.startMs!, z));
  expect(await bucketsOf()).toEqual(want("Europe/Stockholm"));
  zone = "UTC";
  expect(await bucketsOf()).toEqual(want("UTC"));
  expect(want("UTC")).not.toEqual(want("Europe/Stockholm"));
});

test("memory holds the recent runs and each task's newest, while what they teach reaches back to keepRuns", () => {
  const kept = createKeptRuns();
  const HOUR = 3_600_000;
  kept.load(kept.readToken(), 0, []);
  // Task "often" runs every hour for 40 hours; task "once" ran once, at hour 2.
  const runs = Array.from({ length: 40 }, (_, h) => ({ taskId: "often", status: 7, createdMs: h * HOUR, startMs: h * HOUR, stopMs: h * HOUR + 60_000 }));
  kept.added([...runs, { taskId: "once", status: 7, createdMs: 2 * HOUR, startMs: 2 * HOUR, stopMs: 2 * HOUR + 1_000 }]);
  // keepRuns reaches back to hour 5; memory holds from hour 30 on.
  kept.pruned(5 * HOUR, 30 * HOUR);
  const held = kept.recent()!;
  expect(held.fromMs).toBe(30 * HOUR);
  expect(
    held.byTask
      .get("often")!
      .rows()
      .map((r) => r.createdMs / HOUR),
  ).toEqual([30, 31, 32, 33, 34, 35, 36, 37, 38, 39]);
  // Older than keepRuns: gone from both; its newest run is what is held of a task that ran once in keepRuns.
  expect(held.byTask.get("once")).toBeUndefined();
  kept.added([{ taskId: "once", status: 7, createdMs: 6 * HOUR, startMs: 6 * HOUR, stopMs: 6 * HOUR + 1_000 }]);
  kept.pruned(5 * HOUR, 30 * HOUR);
  expect(
    kept
      .recent()!
      .byTask.get("once")!
      .rows()
      .map((r) => r.createdMs / HOUR),
  ).toEqual([6]);
  // The learners keep every successful run from hour 5 on (35 of "often", on two kinds of day: under 30 of each).
  const learners = kept.learners(5 * HOUR)!;
  expect(
    learners
      .get("often")!
      .ends()
      .map((e) => Math.floor(e / HOUR)),
  ).toEqual(Array.from({ length: 35 }, (_, k) => k + 5));
  expect(learners.get("often")!.durationsKept().durations.length).toBe(35);
  expect(learners.get("once")!.ends()).toEqual([6 * HOUR + 1_000]);
  // A read reaching before what memory holds is not answered from it.
  expect(kept.byTask(29 * HOUR)).toBeUndefined();
  expect(kept.size().runs).toBe(11);
});
