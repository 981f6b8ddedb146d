// The first look after Steward starts reads days of QRS's execution results: only what is news is raised (issue 64).
// A run that went through a retry and ended 18 hours earlier is not "retrying"; one retrying now is. A run skipped
// before watching began is history.
import { describe, expect, test } from "bun:test";
import { WatchdogSchema } from "../../../../src/watch/watchdog/config";
import { evaluate } from "../../../../src/watch/watchdog/evaluate";
import type { Execution } from "../../../../src/watch/watchdog/observations";
import type { Plan } from "../../../../src/watch/watchdog/qrs-plan";

const cfg = WatchdogSchema.parse({ retrying: true });
const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.parse("2026-11-24T09:00:00Z");
const plan: Plan = {
  readAtMs: NOW,
  problems: [],
  apps: new Map(),
  tasks: new Map([
    ["t1", { id: "t1", name: "Reload Sales", taskType: 0, enabled: true, tags: [], customProperties: [], schedules: [], chains: [], overrides: {} }],
  ]),
};

/** An execution result of t1's run `executionId`. */
const result = (resultId: string, executionId: string, status: number, startMs: number, stopMs?: number): Execution => ({
  resultId,
  executionId,
  taskId: "t1",
  status,
  createdMs: startMs,
  modifiedMs: stopMs ?? startMs,
  startMs,
  ...(stopMs !== undefined ? { stopMs } : {}),
});

/** The first look (watching begins now) with these results changed and these runs in progress. */
function firstLook(changed: Execution[], running: Execution[] = []) {
  const r = evaluate({ cfg, plan, nowMs: NOW, checkedUntilMs: NOW, watchingSinceMs: NOW, runs: [], running, changed, open: [], startLatencyMs: 0 });
  return r.opens.map((o) => o.key);
}

describe("the first look raises only what is news", () => {
  test("a run that failed an attempt, was retried and ended 18 hours ago: no task.retrying", () => {
    const at = NOW - 18 * HOUR - 20 * MIN;
    expect(firstLook([result("a1", "x", 10, at, at + 5 * MIN), result("a2", "x", 7, at + 6 * MIN, at + 20 * MIN)])).toEqual([]);
    // Its final result outside what was read, the attempt alone 18 hours old: the run is not going on either.
    expect(firstLook([result("a1", "x", 10, at, at + 5 * MIN)])).toEqual([]);
  });

  test("a run retrying now is: its next attempt in progress, or its attempt failed a minute ago", () => {
    const at = NOW - 6 * MIN;
    expect(firstLook([result("b1", "y", 10, at, at + 4 * MIN)], [result("b2", "y", 2, at + 5 * MIN)])).toEqual(["retry:t1:y"]);
    expect(firstLook([result("b1", "y", 10, at, NOW - MIN)])).toEqual(["retry:t1:y"]);
  });

  test("a run skipped before watching began is history; one skipped after is raised", () => {
    expect(firstLook([result("s1", "s", 9, NOW - 5 * HOUR, NOW - 5 * HOUR)])).toEqual([]);
    const later = evaluate({
      cfg,
      plan,
      nowMs: NOW,
      checkedUntilMs: NOW,
      watchingSinceMs: NOW - 6 * HOUR,
      runs: [],
      running: [],
      changed: [result("s1", "s", 9, NOW - 5 * HOUR, NOW - 5 * HOUR)],
      open: [],
      startLatencyMs: 0,
    });
    expect(later.opens.map((o) => o.key)).toEqual(["skipped:t1:s1"]);
  });
});
