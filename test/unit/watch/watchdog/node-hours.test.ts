// Each node's hours (the weekly report's busiest hours): a run's waiting time (created → started) and its time in
// progress (started → ended) split at the hours it spans, added once per run however often it is stored again (the
// watchdog's reads overlap; a Steward that takes over reads the same results).
import { afterAll, expect, test } from "bun:test";
import { hourShares } from "../../../../src/watch/watchdog/node-hours";
import { createWatchStore, watchdogMigrations } from "../../../../src/watch/watchdog/watch-store";
import { sqliteBackend } from "../../../helpers/sql-backends";

const H = Date.parse("2026-03-03T02:00:00Z");
const MIN = 60_000;
const backend = sqliteBackend();
afterAll(() => backend.shutdown());

test("a run's waiting and running time, split at the hours it spans", () => {
  // Queued 01:50, started 02:20, ended 03:05.
  const shares = hourShares({ node: "n", createdMs: H - 10 * MIN, startMs: H + 20 * MIN, stopMs: H + 65 * MIN });
  expect([...shares]).toEqual([
    [H - 60 * MIN, { runningMs: 0, waitingMs: 10 * MIN }],
    [H, { runningMs: 40 * MIN, waitingMs: 20 * MIN }],
    [H + 60 * MIN, { runningMs: 5 * MIN, waitingMs: 0 }],
  ]);
  // Cancelled in the queue: never started, all of it waiting.
  expect([...hourShares({ node: "n", createdMs: H, stopMs: H + 30 * MIN })]).toEqual([[H, { runningMs: 0, waitingMs: 30 * MIN }]]);
  // A start QRS dates before its creation counts from the creation; a skip (created, started, ended at once) adds nothing.
  expect([...hourShares({ node: "n", createdMs: H, startMs: H - MIN, stopMs: H + MIN })]).toEqual([[H, { runningMs: MIN, waitingMs: 0 }]]);
  expect([...hourShares({ node: "n", createdMs: H, startMs: H, stopMs: H })]).toEqual([]);
  // A result QRS dates years before its end (a damaged row) adds its last 8 days, not every hour since.
  const odd = hourShares({ node: "n", createdMs: Date.parse("2019-01-01T00:00:00Z"), startMs: H - 60 * MIN, stopMs: H });
  expect(odd.size).toBe(8 * 24);
  expect([...odd.values()].reduce((n, x) => n + x.waitingMs + x.runningMs, 0)).toBe(8 * 24 * 60 * MIN);
});

test("a run stored again is counted once; runs without a node are not counted; old hours go with the runs", async () => {
  const store = createWatchStore(await backend.open([watchdogMigrations]));
  const run = { resultId: "r1", taskId: "t1", status: 7, createdMs: H, startMs: H + MIN, stopMs: H + 11 * MIN, node: "Reload01.corp.example" };
  await store.addRuns([run]);
  await store.addRuns([run, { ...run, resultId: "r2", node: undefined }]);
  await store.addRuns([{ ...run, resultId: "r3", createdMs: H + 30 * MIN, startMs: H + 40 * MIN, stopMs: H + 50 * MIN }]);
  expect(await store.nodeHours(H, H + 60 * MIN)).toEqual([{ node: "reload01.corp.example", hourMs: H, runningMs: 20 * MIN, waitingMs: 11 * MIN }]);
  expect(await store.nodeHours(H + 60 * MIN, H + 120 * MIN)).toEqual([]);
  await store.prune(H + 60 * MIN, H);
  expect(await store.nodeHours(H, H + 60 * MIN)).toEqual([]);
});
