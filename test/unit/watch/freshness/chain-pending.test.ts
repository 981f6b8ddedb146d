// What is pending keeps a chain going (issue 102): a retry that is due continues a chain stopped at a failed run, a run
// waiting for an engine is waiting (not stopped) until the queue watch calls it a backlog, and the next day's scheduled
// run bounds the estimate without being a time to tell. While any of these can make the deadline, no breach is certain.
import { expect, test } from "bun:test";
import { breachCertain } from "../../../../src/watch/freshness/at-risk";
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
const CYCLE = at("2026-11-23T00:00:00Z");
const DEADLINE = at("2026-11-23T06:00:00Z");

// Extract (01:30 daily, 20 min) → Transform (30 min) → Reload Sales (10 min), promised by 06:00.
function chain(over: Partial<Record<"extract" | "transform" | "sales", Partial<TaskView>>> = {}): TaskView[] {
  return [
    { id: "extract", name: "Extract", watched: true, nextExpectedMs: at("2026-11-24T01:30:00Z"), usual: usual(20), ...over.extract },
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
const finding = (_nowMs: number) => ({ deadlineMs: DEADLINE, upstream: [] });

test("a lock failure at 01:35 with a retry due at 01:40: expected at 02:40 from the retry, no breach certain", () => {
  const failed = chain({ extract: { lastRunMs: at("2026-11-23T01:35:00Z"), lastStatus: 8 } });
  const now = at("2026-11-23T01:36:00Z");
  const eta = chainEta(SALES, failed, CYCLE, now, now, { deadlineMs: DEADLINE, pending: [{ taskId: "EXTRACT", dueMs: at("2026-11-23T01:40:00Z") }] })!;
  expect(eta.expectedMs).toBe(at("2026-11-23T02:40:00Z"));
  expect(eta.via).toEqual(["Extract", "Transform", "Reload Sales"]);
  expect(eta.pending).toEqual([{ task: "Extract", kind: "retry", atMs: at("2026-11-23T01:40:00Z") }]);
  expect(breachCertain(finding(now), eta, now)).toBeUndefined();
  // A retry due after the deadline cannot keep it: certain, and said so.
  const tooLate = chainEta(SALES, failed, CYCLE, now, now, { deadlineMs: DEADLINE, pending: [{ taskId: "extract", dueMs: at("2026-11-23T05:40:00Z") }] })!;
  expect(breachCertain(finding(now), tooLate, now)).toBe("its chain runs late: the projected fresh time passes the deadline");
});

test("a failure with nothing pending: the next day's run bounds the estimate but is no expected time; the breach is certain", () => {
  const failed = chain({ extract: { lastRunMs: at("2026-11-23T01:35:00Z"), lastStatus: 8 } });
  const now = at("2026-11-23T01:36:00Z");
  const eta = chainEta(SALES, failed, CYCLE, now, now, { deadlineMs: DEADLINE })!;
  expect(eta.expectedMs).toBeUndefined();
  expect(eta.earliestMs).toBe(at("2026-11-24T02:30:00Z"));
  expect(breachCertain(finding(now), eta, now)).toBe('the run of "Extract" in its chain failed and nothing planned runs it again before the deadline');
  // A scheduled run before the deadline (an hourly head) is Qlik's trigger continuing the chain: known.
  const hourly = chain({ extract: { lastRunMs: at("2026-11-23T01:35:00Z"), lastStatus: 8, nextExpectedMs: at("2026-11-23T02:30:00Z") } });
  expect(chainEta(SALES, hourly, CYCLE, now, now, { deadlineMs: DEADLINE })!.expectedMs).toBe(at("2026-11-23T03:30:00Z"));
});

test("a run waiting for an engine for 10 minutes (backlogAfter 15m) is waiting, not stopped: no expected time, no breach certain", () => {
  const waiting = chain({
    extract: { lastRunMs: at("2026-11-23T01:50:00Z"), lastStatus: 7 },
    transform: { waitingSinceMs: at("2026-11-23T01:50:00Z"), backlogAtMs: at("2026-11-23T02:05:00Z") },
  });
  const now = at("2026-11-23T02:00:00Z");
  const eta = chainEta(SALES, waiting, CYCLE, now, now, { deadlineMs: DEADLINE })!;
  expect(eta.problems).toEqual([]);
  expect(eta.expectedMs).toBeUndefined();
  expect(eta.earliestMs).toBe(at("2026-11-23T02:40:00Z"));
  expect(eta.pending).toEqual([{ task: "Transform", kind: "waiting", atMs: at("2026-11-23T01:50:00Z") }]);
  expect(breachCertain(finding(now), eta, now)).toBeUndefined();
  // Past backlogAfter the queue watch pages the backlog: the wait is a problem its cause holds, still no stop.
  const later = at("2026-11-23T02:06:00Z");
  const backlog = chainEta(SALES, waiting, CYCLE, later, later, { deadlineMs: DEADLINE })!;
  expect(backlog.problems).toEqual([{ task: "Transform", taskId: "transform", state: "queued", atMs: at("2026-11-23T01:50:00Z") }]);
  expect(breachCertain(finding(later), backlog, later)).toBeUndefined();
  // Waiting so close to the deadline that even a start now misses it: certain.
  const close = at("2026-11-23T05:30:00Z");
  expect(breachCertain(finding(close), chainEta(SALES, waiting, CYCLE, close, close, { deadlineMs: DEADLINE }), close)).toBe(
    "its chain runs late: the earliest it can be fresh passes the deadline",
  );
});
