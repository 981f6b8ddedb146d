// When an app will be fresh, from a chain of three tasks (Extract → Transform → Sales reload) and their usual
// durations: waiting for the scheduled head, running, part done, stopped by a failure, running long, and a loop.
import { expect, test } from "bun:test";
import { chainEta } from "../../../../src/watch/freshness/chain-eta";
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
const CYCLE = at("2026-11-23T04:00:00Z");

function chain(over: Partial<Record<"extract" | "transform" | "sales", Partial<TaskView>>> = {}): TaskView[] {
  return [
    { id: "extract", name: "Extract", watched: true, nextExpectedMs: at("2026-11-23T05:00:00Z"), usual: usual(20), ...over.extract },
    { id: "transform", name: "Transform", watched: true, usual: usual(30), after: [{ upstreamIds: ["extract"], onSuccess: true }], ...over.transform },
    {
      id: "sales",
      name: "Reload Sales",
      appId: SALES,
      watched: true,
      usual: usual(10),
      after: [{ upstreamIds: ["transform"], onSuccess: true }],
      ...over.sales,
    },
  ];
}

test("before the head's start: its next start plus each step's usual duration", () => {
  expect(chainEta(SALES, chain(), CYCLE, at("2026-11-23T04:30:00Z"))).toEqual({
    expectedMs: at("2026-11-23T06:00:00Z"),
    via: ["Extract", "Transform", "Reload Sales"],
    viaIds: ["extract", "transform", "sales"],
    problems: [],
  });
});

test("the head ran, the middle runs: its start plus its usual duration, then the reload", () => {
  const tasks = chain({
    extract: { lastRunMs: at("2026-11-23T05:25:00Z"), lastStatus: 7, nextExpectedMs: at("2026-11-24T05:00:00Z") },
    transform: { runningSinceMs: at("2026-11-23T05:26:00Z") },
  });
  expect(chainEta(SALES, tasks, CYCLE, at("2026-11-23T05:40:00Z"))?.expectedMs).toBe(at("2026-11-23T06:06:00Z"));
  // Running long: the estimate is now plus the rest, and the long run is named.
  const late = chainEta(SALES, tasks, CYCLE, at("2026-11-23T06:30:00Z"))!;
  expect(late.expectedMs).toBe(at("2026-11-23T06:40:00Z"));
  expect(late.problems).toEqual([{ task: "Transform", taskId: "transform", state: "running_long", atMs: at("2026-11-23T05:26:00Z") }]);
});

test("a failure this cycle stops the chain: no estimate, the failed run named", () => {
  const tasks = chain({
    extract: { lastRunMs: at("2026-11-23T05:20:00Z"), lastStatus: 8, nextExpectedMs: at("2026-11-24T05:00:00Z") },
  });
  const eta = chainEta(SALES, tasks, CYCLE, at("2026-11-23T05:30:00Z"))!;
  expect(eta.problems).toEqual([{ task: "Extract", taskId: "extract", state: "failed", atMs: at("2026-11-23T05:20:00Z") }]);
  // Tomorrow's scheduled run would refresh it: the estimate is then, not today.
  expect(eta.expectedMs).toBe(at("2026-11-24T06:00:00Z"));
  const noSchedule = chainEta(
    SALES,
    chain({ extract: { lastRunMs: at("2026-11-23T05:20:00Z"), lastStatus: 8, nextExpectedMs: undefined } }),
    CYCLE,
    at("2026-11-23T05:30:00Z"),
  )!;
  expect(noSchedule.expectedMs).toBeUndefined();
  expect(noSchedule.via).toEqual([]);
});

test("a task without a learned duration, an app without a reload task, and a loop of triggers: no guess", () => {
  expect(chainEta(SALES, chain({ transform: { usual: undefined } }), CYCLE, at("2026-11-23T04:30:00Z"))?.expectedMs).toBeUndefined();
  expect(chainEta("other-app", chain(), CYCLE, at("2026-11-23T04:30:00Z"))).toBeUndefined();
  const loop = chain({ extract: { nextExpectedMs: undefined, after: [{ upstreamIds: ["sales"], onSuccess: true }] } });
  expect(chainEta(SALES, loop, CYCLE, at("2026-11-23T04:30:00Z"))?.expectedMs).toBeUndefined();
});

test("a chained task that did not start when its upstream ended stops the chain there: the same answer at every look", () => {
  const tasks = chain({ extract: { lastRunMs: at("2026-11-23T05:20:00Z"), lastStatus: 7, nextExpectedMs: at("2026-11-24T05:00:00Z") } });
  // Within the grace it may still start: now plus the rest.
  expect(chainEta(SALES, tasks, CYCLE, at("2026-11-23T05:22:00Z"))?.expectedMs).toBe(at("2026-11-23T06:02:00Z"));
  // Five minutes on it has not: its node was down, or its trigger missed. Nothing starts it before Extract runs again.
  const stopped = (nowMs: number) => chainEta(SALES, tasks, CYCLE, nowMs);
  expect(stopped(at("2026-11-23T05:25:00Z"))).toEqual({
    via: [],
    viaIds: [],
    problems: [{ task: "Transform", taskId: "transform", state: "stopped", atMs: at("2026-11-23T05:20:00Z"), after: "Extract" }],
  });
  expect(stopped(at("2026-11-23T05:35:00Z"))).toEqual(stopped(at("2026-11-23T05:25:00Z")));
  // Started by hand: from the restart, not from the clock.
  const restarted = chain({
    extract: { lastRunMs: at("2026-11-23T05:20:00Z"), lastStatus: 7, nextExpectedMs: at("2026-11-24T05:00:00Z") },
    transform: { runningSinceMs: at("2026-11-23T06:00:00Z") },
  });
  for (const now of ["2026-11-23T06:05:00Z", "2026-11-23T06:15:00Z"])
    expect(chainEta(SALES, restarted, CYCLE, at(now))?.expectedMs).toBe(at("2026-11-23T06:40:00Z"));
});

test("a stop is judged from the watchdog's view when it was taken: a view from just after the upstream ended says nothing yet", () => {
  const tasks = chain({ extract: { lastRunMs: at("2026-11-23T05:20:00Z"), lastStatus: 7, nextExpectedMs: at("2026-11-24T05:00:00Z") } });
  // The last look was at 05:20:30, before Transform's start could show: not stopped, whatever the time now.
  const eta = chainEta(SALES, tasks, CYCLE, at("2026-11-23T05:27:00Z"), at("2026-11-23T05:20:30Z"))!;
  expect(eta.problems).toEqual([]);
  expect(eta.expectedMs).toBe(at("2026-11-23T06:07:00Z"));
});

test("the head's start fell due seconds ago and has not shown yet: it is starting, not tomorrow's (no false at-risk at 05:00:20)", () => {
  const starting = chain({ extract: { nextExpectedMs: at("2026-11-24T05:00:00Z"), dueMs: at("2026-11-23T05:00:00Z") } });
  expect(chainEta(SALES, starting, CYCLE, at("2026-11-23T05:00:20Z"))?.expectedMs).toBe(at("2026-11-23T06:00:20Z"));
  // Past the grace the watchdog no longer says it is due: the start was missed, the chain is tomorrow's.
  const missed = chain({ extract: { nextExpectedMs: at("2026-11-24T05:00:00Z") } });
  expect(chainEta(SALES, missed, CYCLE, at("2026-11-23T05:06:00Z"))?.expectedMs).toBe(at("2026-11-24T06:00:00Z"));
});
