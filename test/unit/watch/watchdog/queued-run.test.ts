// A run waiting in the Scheduler's queue for an engine slot (QRS status 3, Queued) is in progress but not started: it
// is not timed, so never paged running_long before it starts; once it leaves the queue it is timed from then (issue 66).
// Sources: Qlik's QRS API reference, TaskExecutionStatus (0 NeverStarted, 1 Triggered, 2 Started, 3 Queued,
// 4 AbortInitiated, 5 Aborting, 6 Aborted, 7 FinishedSuccess, 8 FinishedFail, 9 Skipped, 10 Retry, 11 Error, 12 Reset;
// https://help.qlik.com/en-US/sense-developer/May2023/APIs/RepositoryServiceAPI/index.html?page=1903), and the
// execution result's details, one line per state change as QRS writes them ("Changing task state from Triggered to
// Started", quoted from a site's results on Qlik Community:
// https://community.qlik.com/t5/Deployment-Management/Qliksense-Reload-background-activites/m-p/64373). QRS's docs do
// not say when startTime is set for a run that waited; Steward takes the state change out of the queue when there is
// one, else startTime.
import { describe, expect, test } from "bun:test";
import { WatchdogSchema } from "../../../../src/watch/watchdog/config";
import { evaluate } from "../../../../src/watch/watchdog/evaluate";
import { readExecutions } from "../../../../src/watch/watchdog/observations";
import type { Plan } from "../../../../src/watch/watchdog/qrs-plan";
import { readSchemaEvent } from "../../../../src/watch/watchdog/schedule";

const cfg = WatchdogSchema.parse({});
const MIN = 60_000;
const NOW = Date.parse("2026-11-24T09:00:00Z");
const TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const plan: Plan = {
  readAtMs: NOW - 60 * MIN,
  problems: [],
  apps: new Map(),
  tasks: new Map([
    [
      TASK,
      {
        id: TASK,
        name: "Reload Sales",
        taskType: 0,
        enabled: true,
        tags: [],
        customProperties: [],
        schedules: [],
        chains: [],
        // StewardMaxDuration 30m: the run is long 30 minutes after it started.
        overrides: { maxDurationMs: 30 * MIN },
      },
    ],
  ]),
};
const iso = (ms: number) => new Date(ms).toISOString();
const detail = (message: string, at: number) => ({ detailsType: 2, message, detailCreatedDate: iso(at) });
/** An execution result as QRS's executionresult/full returns it, triggered 50 minutes ago. */
const row = (status: number, startTime: string, details: unknown[]) => ({
  id: "0f9e8d7c-0000-4000-8000-000000000001",
  executionID: "e4f1c2a9-3b7d-4c55-8e21-9a0b6c3d2f10",
  taskID: TASK,
  status,
  createdDate: iso(NOW - 50 * MIN),
  modifiedDate: iso(NOW - 5 * MIN),
  startTime,
  stopTime: "1753-01-01T00:00:00.000Z",
  executingNodeName: "sense2",
  details,
});
const triggered = detail("Changing task state to Triggered", NOW - 50 * MIN);
const queued = detail("Changing task state from Triggered to Queued", NOW - 49 * MIN);

function look(rows: unknown[]) {
  const { executions, unreadable } = readExecutions(rows);
  expect(unreadable).toBe(0);
  const r = evaluate({
    cfg,
    plan,
    nowMs: NOW,
    checkedUntilMs: NOW - MIN,
    watchingSinceMs: NOW - 30 * 86_400_000,
    runs: [],
    running: executions,
    changed: [],
    open: [],
    startLatencyMs: 0,
  });
  return { long: r.opens.filter((o) => o.type === "running_long"), view: r.tasks.find((t) => t.id === TASK), executions };
}

describe("a run in the Scheduler's queue", () => {
  test("queued for 49 minutes, past its 30-minute limit by creation time: not paged running long, not shown as running", () => {
    const { long, view, executions } = look([row(3, "1753-01-01T00:00:00.000Z", [triggered, queued])]);
    expect(executions[0]).toMatchObject({ status: 3 });
    expect(executions[0]!.startMs).toBeUndefined();
    expect(long).toEqual([]);
    expect(view?.runningSinceMs).toBeUndefined();
  });

  test("queued, with a startTime QRS wrote when it was triggered: still not timed", () => {
    const { long } = look([row(3, iso(NOW - 50 * MIN), [triggered, queued])]);
    expect(long).toEqual([]);
  });

  test("left the queue 10 minutes ago: timed from then, not paged yet", () => {
    const started = detail("Changing task state from Queued to Started", NOW - 10 * MIN);
    // Whether QRS's startTime is the trigger time or the start, the state change out of the queue is the start.
    for (const startTime of [iso(NOW - 50 * MIN), iso(NOW - 10 * MIN)]) {
      const { long, view, executions } = look([row(2, startTime, [triggered, queued, started])]);
      expect(executions[0]!.startMs).toBe(NOW - 10 * MIN);
      expect(long).toEqual([]);
      expect(view?.runningSinceMs).toBe(NOW - 10 * MIN);
    }
  });

  test("left the queue 35 minutes ago: paged running long from its start, not from when it was triggered", () => {
    const started = detail("Changing task state from Queued to Started", NOW - 35 * MIN);
    const { long } = look([row(2, "1753-01-01T00:00:00.000Z", [triggered, queued, started])]);
    expect(long.map((o) => [o.type, o.openedMs])).toEqual([["running_long", NOW - 35 * MIN]]);
  });

  test("a run that never queued is timed from its startTime as before", () => {
    const started = detail("Changing task state from Triggered to Started", NOW - 40 * MIN);
    const { long } = look([row(2, iso(NOW - 40 * MIN), [triggered, started])]);
    expect(long.map((o) => o.openedMs)).toEqual([NOW - 40 * MIN]);
  });
});

describe("a queue that does not drain does not silence the app", () => {
  // The app of a daily 06:00 reload, last reloaded three days ago (as in stale-held-back.test.ts): overdue. A reload
  // of it that has started holds the page back (its end decides); one still waiting in the queue does not.
  const DAY = 86_400_000;
  const daily = readSchemaEvent({
    id: "tr1",
    name: "Daily 06:00",
    enabled: true,
    incrementOption: 2,
    incrementDescription: "0 0 1 0",
    startDate: "2026-01-01T06:00:00",
    timeZone: "UTC",
  });
  if (!daily.ok) throw new Error(daily.error);
  const task = plan.tasks.get(TASK)!;
  const withApp: Plan = {
    ...plan,
    readAtMs: NOW - 10 * DAY,
    apps: new Map([["a1", { id: "a1", name: "Sales", tags: [], customProperties: [] }]]),
    tasks: new Map([[TASK, { ...task, appId: "a1", schedules: [daily.trigger], overrides: {} }]]),
  };
  const history = [8, 7, 6, 5, 4, 3].map((d) => {
    const at = Date.parse("2026-11-24T06:00:00Z") - d * DAY;
    return { resultId: `r${d}`, taskId: TASK, status: 7, createdMs: at, startMs: at, stopMs: at + 5 * MIN };
  });
  const staleOf = (rows: unknown[]) =>
    evaluate({
      cfg,
      plan: withApp,
      nowMs: NOW,
      checkedUntilMs: NOW - MIN,
      watchingSinceMs: NOW - 30 * DAY,
      runs: history,
      running: readExecutions(rows).executions,
      changed: [],
      open: [],
      startLatencyMs: 0,
    }).opens.filter((o) => o.type === "stale");

  test("queued: app.stale is paged", () => {
    expect(staleOf([row(3, "1753-01-01T00:00:00.000Z", [triggered, queued])]).map((o) => o.appId)).toEqual(["a1"]);
  });
  test("started: held back until the run ends", () => {
    const started = detail("Changing task state from Queued to Started", NOW - 10 * MIN);
    expect(staleOf([row(2, iso(NOW - 10 * MIN), [triggered, queued, started])])).toEqual([]);
  });
});
