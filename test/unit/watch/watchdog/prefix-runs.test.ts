// A Qlik Cloud tenant's runs over keepRuns (runsWithPrefix), kept in memory on the SQLite file once read
// (prefix-runs.ts): after any mix of writes, prunes and reads they must be exactly what the store answers, per task in
// the same order, and a look after the first reads none of them from the store again (issue 89: each Cloud look read
// every run of 35 days, the four-week scenario's costliest statement).
import { afterAll, expect, test } from "bun:test";
import { openStore } from "../../../../src/platform/store/database";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { createRandom } from "../../../../src/platform/core/seeded-random";
import { createWatchStore, type RunRow, watchdogMigrations } from "../../../../src/watch/watchdog/watch-store";
import { createTempDir } from "../../../helpers/temp-dir";

const dir = createTempDir("steward-prefix-runs-");
const store = openStore(dir.path, [watchdogMigrations]);
afterAll(() => {
  store.close();
  dir.remove();
});

/** The store's SqlDb, counting the reads of a tenant's runs (the statement runsWithPrefix sends). */
function counted(db: SqlDb): { db: SqlDb; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(db, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (key !== "all" || typeof v !== "function") return typeof v === "function" ? v.bind(target) : v;
      return (sql: string, params?: unknown[]) => {
        if (sql.includes("substr(task_id")) reads++;
        return (v as SqlDb["all"]).call(target, sql, params as never);
      };
    },
  });
  return { db: proxy, reads: () => reads };
}

type Fields = { status: number; createdMs: number; startMs?: number; stopMs: number };
const fieldsOf = (r: Fields): Fields => ({
  status: r.status,
  createdMs: r.createdMs,
  ...(r.startMs !== undefined ? { startMs: r.startMs } : {}),
  stopMs: r.stopMs,
});
const perTask = (rows: ReadonlyArray<Fields & { taskId: string }>) => {
  const out = new Map<string, Fields[]>();
  for (const r of rows) out.set(r.taskId, [...(out.get(r.taskId) ?? []), fieldsOf(r)]);
  return out;
};

/** runsWithPrefix's answer as the fields of each task's runs, in its order. */
const listed = (byTask: ReadonlyMap<string, ReadonlyArray<Fields & { taskId: string }>>) =>
  new Map([...byTask].map(([taskId, list]) => [taskId, list.map((r) => (expect(r.taskId).toBe(taskId), fieldsOf(r)))]));

/** What the store holds of the prefix's tasks, per task in the order it inserted them at each stop. */
async function fromStore(prefix: string, sinceMs: number) {
  const rows = await store.sql.all<{ task_id: string; status: number; created_ms: number; start_ms: number | null; stop_ms: number }>(
    "SELECT * FROM watchdog_runs WHERE substr(task_id, 1, ?) = ? AND stop_ms >= ? ORDER BY stop_ms, rowid",
    [prefix.length, prefix, sinceMs],
  );
  return perTask(
    rows.map((r) => ({
      taskId: r.task_id,
      status: r.status,
      createdMs: r.created_ms,
      ...(r.start_ms !== null ? { startMs: r.start_ms } : {}),
      stopMs: r.stop_ms,
    })),
  );
}

test("a tenant's runs answer as the store does through writes out of order, duplicates, prunes and a second watch store, read from it once", async () => {
  const { db, reads } = counted(store.sql);
  const a = createWatchStore(db);
  const b = createWatchStore(db);
  const random = createRandom(11);
  const TASKS = ["cloud:one:t1", "cloud:one:t2", "cloud:two:t1", "onprem-task", "cloud:onex:t1"];
  let n = 0;
  const run = (stopMs: number): RunRow => ({
    resultId: `r${++n}`,
    taskId: TASKS[n % TASKS.length]!,
    status: n % 3 === 0 ? 8 : 7,
    createdMs: stopMs - 1_000,
    ...(n % 7 === 0 ? {} : { startMs: stopMs - 900 }),
    stopMs,
  });
  let now = 1_000_000;
  for (let step = 0; step < 200; step++) {
    now += 1_000;
    const writer = random.next() < 0.5 ? a : b;
    // Mostly in stop order, some found late (a task's older runs read from the tenant) and some at the same millisecond.
    const batch = [run(now), run(now - Math.floor(random.next() * 30_000)), run(now), run(now)];
    if (random.next() < 0.2) batch.push({ ...batch[0]!, status: 8 }); // the same result again: the first one stays
    await writer.addRuns(batch);
    if (step % 25 === 24) await writer.prune(now - 40_000, now);
    const since = now - 35_000;
    for (const prefix of ["cloud:one:", "cloud:two:"]) {
      const reader = random.next() < 0.5 ? a : b;
      const got = await reader.runsWithPrefix(prefix, since);
      expect(listed(got)).toEqual(await fromStore(prefix, since));
    }
  }
  // Each tenant read from the store once; every look after answered from memory.
  expect(reads()).toBe(2);
  // A look reaching further back than what is kept reads the store again.
  const older = await a.runsWithPrefix("cloud:one:", now - 45_000);
  expect(listed(older)).toEqual(await fromStore("cloud:one:", now - 45_000));
  expect(reads()).toBe(3);
});

test("a tenant's read that a write ran beside is not kept: the next look reads the store and sees the write", async () => {
  const { db, reads } = counted(store.sql);
  const s = createWatchStore(db);
  const since = 5_000_000;
  const row = (k: number): RunRow => ({
    resultId: `beside-${k}`,
    taskId: "cloud:three:t",
    status: 7,
    createdMs: since + k,
    startMs: since + k,
    stopMs: since + k + 10,
  });
  await s.addRuns([row(1)]);
  // The write is on its way (its transaction waits for the next turn) while the read runs.
  const writing = s.addRuns([row(2)]);
  const beside = await s.runsWithPrefix("cloud:three:", since);
  await writing;
  const next = await s.runsWithPrefix("cloud:three:", since);
  const times = (m: ReadonlyMap<string, ReadonlyArray<{ createdMs: number }>>) => [...m.values()].flat().map((r) => r.createdMs);
  expect({ beside: times(beside).length <= 2, next: times(next), reads: reads() }).toEqual({
    beside: true,
    next: [since + 1, since + 2],
    reads: 2,
  });
  // From then on kept: a third look reads nothing.
  expect(times(await s.runsWithPrefix("cloud:three:", since))).toEqual([since + 1, since + 2]);
  expect(reads()).toBe(2);
});

test("the kept runs cannot be changed by a caller", async () => {
  const s = createWatchStore(store.sql);
  await s.addRuns([{ resultId: "frozen-1", taskId: "cloud:four:t", status: 7, createdMs: 9_000_000, stopMs: 9_000_010 }]);
  await s.runsWithPrefix("cloud:four:", 8_000_000);
  const got = await s.runsWithPrefix("cloud:four:", 8_000_000);
  const list = got.get("cloud:four:t")!;
  expect(Object.isFrozen(list[0])).toBe(true);
  // The lists are the caller's own: what it adds (a look's runs read from the tenant) is not kept.
  list.push({ taskId: "cloud:four:t", status: 7, createdMs: 9_100_000, stopMs: 9_100_010 });
  expect((await s.runsWithPrefix("cloud:four:", 8_000_000)).get("cloud:four:t")).toHaveLength(1);
});
