// One state per task on the watchdog's page (task-state.ts): each case, and the contradiction of issue 74 (a task
// whose last run failed shown "on track") gone; every "not watched" carries its reason.
import { describe, expect, test } from "bun:test";
import type { TaskView } from "../../../../src/watch/watchdog/evaluation-types";
import { taskState } from "../../../../src/watch/watchdog/task-state";
import { learnUsualDuration } from "../../../../src/watch/watchdog/usual";

const NOW = Date.parse("2026-11-26T06:00:00Z");
const MIN = 60_000;
const daily = { name: "Daily 05:00", watch: "arithmetic" as const };
const usual6 = learnUsualDuration([6, 6, 6, 6, 6, 6, 6, 6, 6, 6].map((m) => m * MIN))!;
const task = (over: Partial<TaskView & { disabledTriggers: number }> = {}): TaskView & { disabledTriggers?: number } => ({
  id: "t1",
  name: "Reload Sales",
  watched: true,
  triggers: [daily],
  lastRunMs: NOW - 60 * MIN,
  lastStatus: 7,
  ...over,
});

describe("taskState", () => {
  test("a watched task whose last run succeeded is on track", () => {
    expect(taskState(task(), [], NOW)).toEqual({ state: "on-track", text: "on track" });
  });

  test("a last run that failed is never on track", () => {
    for (const status of [8, 10, 11]) expect(taskState(task({ lastStatus: status }), [], NOW)).toEqual({ state: "failed-last-run", text: "failed last run" });
    expect(taskState(task({ lastStatus: 6 }), [], NOW).state).toBe("aborted-last-run");
  });

  test("running long says for how long and what is usual, in minutes", () => {
    const s = taskState(task({ runningSinceMs: NOW - 42 * MIN, usual: usual6 }), [{ type: "running_long" }], NOW);
    expect(s).toEqual({ state: "running-long", text: "running long: 42 min, usually 6 min" });
  });

  test("a run in progress, after a failed run or not", () => {
    expect(taskState(task({ runningSinceMs: NOW - 3 * MIN, usual: usual6 }), [], NOW).text).toBe("running: 3 min, usually 6 min");
    expect(taskState(task({ runningSinceMs: NOW - 3 * MIN, lastStatus: 8 }), [], NOW).text).toBe("running again after a failed run: 3 min so far");
  });

  test("an open condition comes first, the most urgent of them", () => {
    expect(taskState(task({ lastStatus: 8 }), [{ type: "stale" }, { type: "missed" }], NOW)).toEqual({ state: "missed", text: "missed start" });
    expect(taskState(task(), [{ type: "chain_broken" }], NOW).state).toBe("chain-stopped");
    expect(taskState(task(), [{ type: "stale" }], NOW).text).toBe("data stale");
    expect(taskState(task(), [{ type: "skipped" }], NOW).state).toBe("skipped");
    expect(taskState(task(), [{ type: "retrying" }], NOW).state).toBe("retrying");
    const off = taskState(task({ watched: false, offReason: "the task is disabled in the QMC" }), [{ type: "disabled" }], NOW);
    expect(off).toEqual({ state: "turned-off", text: "turned off", reason: "the task is disabled in the QMC" });
  });

  test("not watched always says why", () => {
    for (const reason of ["the task is disabled in the QMC", "StewardWatch=off on the task", "excluded by the config: watchdog.rules[0] says watch: false"]) {
      const s = taskState(task({ watched: false, offReason: reason, lastStatus: 8 }), [], NOW);
      expect(s).toEqual({ state: "not-watched", text: `not watched: ${reason}`, reason });
    }
    expect(taskState(task({ watched: false }), [], NOW).reason).toBeTruthy();
  });

  test("a task with no start to expect says why: no trigger, only disabled ones, none readable, QRS's never", () => {
    expect(taskState(task({ triggers: [] }), [], NOW)).toEqual({
      state: "starts-not-watched",
      text: "starts not watched: no trigger: it starts only by hand or by a call to QRS",
      reason: "no trigger: it starts only by hand or by a call to QRS",
    });
    expect(taskState(task({ triggers: [], disabledTriggers: 1 }), [], NOW).reason).toBe("its only trigger is disabled in the QMC");
    expect(taskState(task({ triggers: [], disabledTriggers: 3 }), [], NOW).reason).toBe("its 3 triggers are all disabled in the QMC");
    const unreadable = task({ triggers: [{ name: "Odd", watch: "not-watched", reason: "x" }], notWatched: ['trigger "Odd": a form Steward cannot read'] });
    expect(taskState(unreadable, [], NOW).reason).toBe('no trigger Steward can time: trigger "Odd": a form Steward cannot read');
    expect(taskState(task({ triggers: [{ name: "Ended", watch: "qrs-never" }] }), [], NOW).state).toBe("starts-not-watched");
    // A task started by its upstream's end has a start to expect.
    expect(taskState(task({ triggers: [], after: [{ upstreamIds: ["t0"], onSuccess: true }] }), [], NOW).state).toBe("on-track");
    // A failed last run says more than "starts not watched".
    expect(taskState(task({ triggers: [], lastStatus: 8 }), [], NOW).state).toBe("failed-last-run");
  });
});
