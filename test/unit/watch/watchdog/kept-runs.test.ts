// The runs a look learns from, kept in memory on the SQLite file: after any mix of writes, prunes and reads they
// must be exactly what the store answers (the same rows, in the same order). A second store object on the same file
// (another part of the watchdog) shares them, so nothing it writes is missed.
import { afterAll, expect, test } from "bun:test";
import { openStore } from "../../../../src/platform/store/database";
import { createWatchStore, type RunRow, watchdogMigrations } from "../../../../src/watch/watchdog/watch-store";
import { createRandom } from "../../../../src/platform/core/seeded-random";
import { createTempDir } from "../../../helpers/temp-dir";

const dir = createTempDir("steward-kept-runs-");
const store = openStore(dir.path, [watchdogMigrations]);
afterAll(() => {
  store.close();
  dir.remove();
});

/** What the store itself holds (the statement the watch store ran before it kept runs). */
const fromStore = async (sinceMs: number) =>
  (await store.sql.all<{ result_id: string }>("SELECT result_id FROM watchdog_runs WHERE stop_ms >= ? ORDER BY stop_ms, rowid", [sinceMs])).map(
    (r) => r.result_id,
  );

test("kept runs answer as the store does through writes out of order, duplicates, prunes and a second watch store", async () => {
  const a = createWatchStore(store.sql);
  const b = createWatchStore(store.sql);
  const random = createRandom(7);
  let n = 0;
  const run = (stopMs: number): RunRow => ({ resultId: `r${++n}`, taskId: `t${n % 5}`, status: 7, createdMs: stopMs - 1_000, startMs: stopMs - 900, stopMs });
  let now = 1_000_000;
  expect(await a.runsSince(now - 50_000)).toEqual([]);
  for (let step = 0; step < 200; step++) {
    now += 1_000;
    const writer = random.next() < 0.5 ? a : b;
    // Mostly in stop order, some found late (a reconciled run) and some stopping at the same millisecond.
    const batch = [run(now), run(now - Math.floor(random.next() * 30_000)), run(now)];
    if (random.next() < 0.2) batch.push({ ...batch[0]!, status: 8 }); // the same result again: the first one stays
    await writer.addRuns(batch);
    if (step % 25 === 24) await writer.prune(now - 40_000, now);
    const reader = random.next() < 0.5 ? a : b;
    const since = now - 35_000;
    const expected = await fromStore(since);
    expect((await reader.runsSince(since)).map((r) => r.resultId)).toEqual(expected);
    // Per task: the same runs in the same order as the store's list, grouped.
    const grouped = new Map<string, string[]>();
    for (const r of await reader.runsSince(since)) grouped.set(r.taskId, [...(grouped.get(r.taskId) ?? []), r.resultId]);
    const byTask = reader.keptRunsByTask(since)!;
    expect(new Map([...byTask].map(([task, runs]) => [task, runs.map((r) => r.resultId)]))).toEqual(grouped);
  }
  const kept = await a.runsSince(now - 35_000);
  expect(kept.length).toBeGreaterThan(50);
  expect(kept.every((r) => r.status === 7)).toBe(true);
  // A look reaching further back than what is kept reads the store again (and has no per-task lists until then).
  expect(b.keptRunsByTask(now - 45_000)).toBeUndefined();
  expect((await b.runsSince(now - 45_000)).map((r) => r.resultId)).toEqual(await fromStore(now - 45_000));
  // What a caller gets cannot be changed under the next look.
  expect(() => {
    (kept[0] as { status: number }).status = 1;
  }).toThrow();
});
