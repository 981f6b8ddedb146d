// The watchdog's judgement, on plans and runs built by hand.
import { describe, expect, test } from "bun:test";
import { WatchdogSchema } from "../../../../src/watch/watchdog/config";
import type { Execution } from "../../../../src/watch/watchdog/observations";
import type { Plan } from "../../../../src/watch/watchdog/qrs-plan";
import { evaluate } from "../../../../src/watch/watchdog/evaluate";
import type { RunRow } from "../../../../src/watch/watchdog/watch-store";

const cfg = WatchdogSchema.parse({});
const DUE = Date.parse("2026-11-23T06:00:00Z");
const plan: Plan = {
  readAtMs: DUE - 86_400_000,
  problems: [],
  apps: new Map(),
  tasks: new Map([
    [
      "t1",
      {
        id: "t1",
        name: "Reload Sales",
        taskType: 0,
        enabled: true,
        tags: [],
        customProperties: [],
        schedules: [
          {
            id: "tr1",
            name: "Daily 06:00",
            enabled: true,
            schedule: {
              option: 2,
              increment: [0, 0, 1, 0],
              filter: { everyWeeks: 1, everyMonths: 1 },
              startLocalMs: Date.parse("2026-01-01T06:00:00.000Z"),
              timeZone: "UTC",
              daylightSaving: 0,
              expiresLocalMs: Infinity,
            },
          },
        ],
        chains: [],
        overrides: {},
      },
    ],
  ]),
};
const base = { cfg, plan, nowMs: DUE + 10 * 60_000, checkedUntilMs: DUE, watchingSinceMs: DUE - 86_400_000, open: [], startLatencyMs: 0 };
const exec = (status: number, createdMs: number): Execution => ({
  resultId: `r${createdMs}`,
  executionId: `e${createdMs}`,
  taskId: "t1",
  status,
  createdMs,
  modifiedMs: createdMs,
});

describe("a due time and the start that answers it", () => {
  test("no start at all: task.missed", () => {
    const r = evaluate({ ...base, runs: [], running: [], changed: [] });
    expect(r.opens.map((o) => [o.type, o.details.expectedAtMs])).toEqual([["missed", DUE]]);
  });

  test("a start seen only among the changed results, still in progress, answers it", () => {
    // The run started after the read of runs in progress and was still going at the read of changed results:
    // neither finished nor in the running list, yet it started on time.
    const r = evaluate({ ...base, runs: [], running: [], changed: [exec(2, DUE + 1_000)] });
    expect(r.opens).toEqual([]);
  });

  test("a finished run that started on time answers it; one that started after the grace does not", () => {
    const run = (createdMs: number): RunRow => ({
      resultId: `r${createdMs}`,
      taskId: "t1",
      status: 7,
      createdMs,
      startMs: createdMs,
      stopMs: createdMs + 60_000,
    });
    expect(evaluate({ ...base, runs: [run(DUE + 2_000)], running: [], changed: [] }).opens).toEqual([]);
    expect(evaluate({ ...base, runs: [run(DUE + 6 * 60_000)], running: [], changed: [] }).opens).toHaveLength(1);
  });
});

describe("a start due moments ago (issue 76: a promised chain is starting, not late)", () => {
  test("within its grace and not started yet, the task's view says it is due; past the grace, or once a run answered it, not", () => {
    const task = (nowMs: number, runs: RunRow[] = []) => evaluate({ ...base, nowMs, checkedUntilMs: nowMs, runs, running: [], changed: [] }).tasks[0]!;
    expect(task(DUE + 20_000)).toMatchObject({ dueMs: DUE, nextExpectedMs: DUE + 86_400_000 });
    expect(task(DUE + 6 * 60_000).dueMs).toBeUndefined();
    const ran: RunRow = { resultId: "r", taskId: "t1", status: 7, createdMs: DUE + 1_000, startMs: DUE + 1_000, stopMs: DUE + 10_000 };
    expect(task(DUE + 20_000, [ran]).dueMs).toBeUndefined();
  });
});
