// Steward's own Engine reload of a promised app is a run to come: the app's reload task failed at 05:00 with its chain's
// data in (Extract and Transform succeeded), and nothing the Scheduler plans reloads it before 06:00. Without Steward's
// own reload that breach is certain; with a person's Engine reload of the app due or running, the app is expected at its
// start plus the app's usual reload time, and no breach is certain while that makes the deadline. A reload that would
// read the old inputs (a task upstream failed or still runs, or it began before the data arrived) counts as nothing.
import { expect, test } from "bun:test";
import { breachCertain } from "../../../../src/watch/freshness/at-risk";
import { chainEta } from "../../../../src/watch/freshness/chain-eta";
import { chainFeed } from "../../../../src/watch/freshness/chain-feed";
import { OWN_RELOAD, ownReloadFinish, reloadsThrough, usualReloadMs } from "../../../../src/watch/freshness/own-reloads";
import type { TaskView } from "../../../../src/watch/watchdog/evaluate";

const at = (s: string) => Date.parse(s);
const MIN = 60_000;
const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const usual = (m: number) => ({
  medianMs: m * MIN,
  madMs: 0,
  samples: 10,
  p90Ms: m * MIN,
  p95Ms: m * MIN,
  longestMs: m * MIN,
  logSpread: 0,
  limitMs: 2 * m * MIN,
  basis: "2 × the median",
  basisKind: "double" as const,
  learning: false,
});
const CYCLE = at("2026-11-23T00:00:00Z");
const DEADLINE = at("2026-11-23T06:00:00Z");
const finding = { deadlineMs: DEADLINE, upstream: [] };

/** Extract (01:30, 20 min) → Transform (30 min) → Reload Sales (10 min): both upstream ran well, Sales' reload failed at 05:00. */
function chain(over: Partial<Record<"transform" | "sales", Partial<TaskView>>> = {}): TaskView[] {
  return [
    {
      id: "extract",
      name: "Extract",
      watched: true,
      nextExpectedMs: at("2026-11-24T01:30:00Z"),
      usual: usual(20),
      lastRunMs: at("2026-11-23T01:50:00Z"),
      lastStatus: 7,
    },
    {
      id: "transform",
      name: "Transform",
      watched: true,
      usual: usual(30),
      after: [{ upstreamIds: ["extract"], onSuccess: true }],
      lastRunMs: at("2026-11-23T02:20:00Z"),
      lastStatus: 7,
      ...over.transform,
    },
    {
      id: "sales",
      name: "Reload Sales",
      appId: SALES,
      watched: true,
      usual: usual(10),
      after: [{ upstreamIds: ["transform"], onSuccess: true }],
      lastRunMs: at("2026-11-23T05:00:00Z"),
      lastStatus: 8,
      ...over.sales,
    },
  ];
}

test("the app's reload failed and nothing planned reloads it: certain; a person's Engine reload running since 05:02 makes 05:12", () => {
  const now = at("2026-11-23T05:03:00Z");
  const tasks = chain();
  const without = chainEta(SALES, tasks, CYCLE, now, now, { deadlineMs: DEADLINE })!;
  expect(without.expectedMs).toBeUndefined();
  expect(breachCertain(finding, without, now)).toBe('the run of "Reload Sales" in its chain failed and nothing planned runs it again before the deadline');

  const reloads = [{ appId: SALES.toUpperCase(), startMs: at("2026-11-23T05:02:00Z"), running: true }];
  const eta = chainEta(SALES, tasks, CYCLE, now, now, { deadlineMs: DEADLINE, own: { reloads, usualMs: usualReloadMs(SALES, tasks) } })!;
  expect(eta.expectedMs).toBe(at("2026-11-23T05:12:00Z"));
  expect(eta.via).toEqual([OWN_RELOAD]);
  expect(eta.pending).toEqual([{ task: OWN_RELOAD, kind: "reload", atMs: at("2026-11-23T05:02:00Z") }]);
  expect(breachCertain(finding, eta, now)).toBeUndefined();
  // Running past its usual time: it ends no earlier than now (the projection never lies in the past).
  const late = at("2026-11-23T05:20:00Z");
  expect(chainEta(SALES, tasks, CYCLE, late, late, { deadlineMs: DEADLINE, own: { reloads, usualMs: 10 * MIN } })!.expectedMs).toBe(late);
});

test("an action not submitted yet is found by its task's app and starts no earlier than now; the earliest of several ends it", () => {
  const now = at("2026-11-23T05:03:00Z");
  const reloads = [
    { taskId: "SALES", startMs: at("2026-11-23T04:58:00Z"), running: false },
    { appId: "another-app", startMs: at("2026-11-23T05:00:00Z"), running: true },
  ];
  expect(ownReloadFinish(SALES, chain(), reloads, now, 10 * MIN)).toEqual({
    atMs: at("2026-11-23T05:13:00Z"),
    startMs: at("2026-11-23T04:58:00Z"),
    running: false,
  });
  // Its usual time not known: only the earliest, no time to tell, and still no certain breach before the deadline.
  const eta = chainEta(SALES, chain(), CYCLE, now, now, { deadlineMs: DEADLINE, own: { reloads } })!;
  expect(eta.expectedMs).toBeUndefined();
  expect(eta.earliestMs).toBe(now);
  expect(breachCertain(finding, eta, now)).toBeUndefined();
  // Another app's reload is not this app's.
  expect(ownReloadFinish(SALES, chain(), [reloads[1]!], now, 10 * MIN)).toBeUndefined();
});

test("an app no task reloads (only Steward's jobs do) is projected from its own reload alone", () => {
  const now = at("2026-11-23T05:03:00Z");
  const noTask = chain().filter((t) => t.id !== "sales");
  expect(chainEta(SALES, noTask, CYCLE, now, now, { deadlineMs: DEADLINE })).toBeUndefined();
  const last = { lastSuccessStartMs: at("2026-11-22T05:00:00Z"), lastSuccessMs: at("2026-11-22T05:07:00Z") };
  const usualMs = usualReloadMs(SALES, noTask, last);
  expect(usualMs).toBe(7 * MIN);
  const eta = chainEta(SALES, noTask, CYCLE, now, now, { deadlineMs: DEADLINE, own: { reloads: [{ appId: SALES, startMs: now, running: false }], usualMs } })!;
  expect(eta.expectedMs).toBe(at("2026-11-23T05:10:00Z"));
});

test("a reload that would read the old inputs counts as nothing: a task upstream failed or runs, or it began before the data arrived", () => {
  const running = { appId: SALES, startMs: at("2026-11-23T02:10:00Z"), running: true };
  const queued = { appId: SALES, startMs: at("2026-11-23T02:10:00Z"), running: false };
  const feed = chainFeed(SALES, chain(), CYCLE)!;
  expect(feed.arrivedMs).toBe(at("2026-11-23T02:20:00Z"));
  // Began at 02:10, before Transform's data at 02:20: old data. One still to start reads the new.
  expect(reloadsThrough(feed, [running, queued], 60_000)).toEqual([queued]);
  expect(reloadsThrough(feed, [{ ...running, startMs: at("2026-11-23T02:21:00Z") }], 60_000)).toHaveLength(1);
  const failed = chainFeed(SALES, chain({ transform: { lastStatus: 8 } }), CYCLE);
  expect(reloadsThrough(failed, [queued], 60_000)).toEqual([]);
  const transformRuns = chainFeed(SALES, chain({ transform: { runningSinceMs: at("2026-11-23T05:00:00Z") } }), CYCLE);
  expect(reloadsThrough(transformRuns, [queued], 60_000)).toEqual([]);
  // No chain upstream known: any reload of the app brings what is there.
  expect(reloadsThrough(undefined, [running], 60_000)).toEqual([running]);
});
