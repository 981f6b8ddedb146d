// The simulated tenant's Scheduling Tasks: time-scheduled reload tasks (RRULE lines in an IANA zone) that run on
// their schedule on the simulator's clock, task chains (on-task-event: a run when an upstream task finishes as
// awaited) and dataset-triggered tasks, each run a `chronos` reload plus a task run. A test makes a run not happen
// (a task paused, the next runs skipped, the whole scheduler paused), and Qlik disables a task after repeated failures.
import type { Clock, Timer } from "../../platform/core/clock";
import { nextOccurrence, readSchedule, type Schedule } from "../../platform/core/rrule";
import { newGuid } from "../util/ids";
import type { CloudFailure, CloudOutcome, CloudReload } from "./reload-types";

export type CloudTaskRunStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELED";
/** How a task starts besides manually: its time schedule, another task's end (succeeded, failed or any), a dataset update. */
export type CloudTrigger = { type: "time" } | { type: "task"; upstreamId: string; on: "succeeded" | "failed" | "any" } | { type: "dataset"; datasetId: string };
/** Who Qlik records as having changed a task it disabled itself (inferred: Qlik documents the event, not this field). */
export const QLIK_SYSTEM_USER = "system";

export interface CloudTask {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  /** Why it is disabled, as Qlik's metadata.disabledCode says (MANUALLY, CONSECUTIVE-FAILURES, OWNER-DELETED…). */
  disabledCode?: string;
  appId: string;
  spaceId: string;
  ownerId: string;
  /** Who changed the task last (Qlik's updatedBy). */
  updatedBy: string;
  trigger: CloudTrigger;
  recurrence: string[];
  timezone: string;
  startDateTime?: string;
  endDateTime?: string;
  outcome: CloudOutcome;
  /** What a failing run's log says (its data connection and error line); Qlik's usual script error when unset. */
  failure?: CloudFailure;
  createdAt: number;
  updatedAt: number;
  /** Runs of the schedule not started at all (the tenant's scheduler "missed" them); counts down. */
  skipNext: number;
  /** No scheduled run starts while paused; runs that fall due meanwhile are lost. */
  paused: boolean;
  /** Why the simulator does not run it on a schedule (a rule or zone it cannot read); still served. */
  problem?: string;
  nextRunMs?: number;
}

export interface CloudTaskRun {
  id: string;
  taskId: string;
  appId: string;
  status: CloudTaskRunStatus;
  startedAt: number;
  endedAt?: number;
  triggeredBy: "schedule" | "manual" | "task-event" | "dataset";
  executedAs: string;
  reloadId: string;
}

export interface NewCloudTask {
  name: string;
  appId: string;
  recurrence: string[];
  timezone?: string;
  startDateTime?: string;
  endDateTime?: string;
  enabled?: boolean;
  outcome?: CloudOutcome;
  description?: string;
  trigger?: CloudTrigger;
}

export interface CloudScheduling {
  tasks: CloudTask[];
  runs: CloudTaskRun[];
  add(t: NewCloudTask): CloudTask;
  update(
    id: string,
    patch: Partial<
      Pick<CloudTask, "enabled" | "disabledCode" | "spaceId" | "paused" | "skipNext" | "recurrence" | "timezone" | "outcome" | "failure" | "name" | "updatedBy">
    >,
  ): CloudTask | undefined;
  /** A dataset update: each enabled task triggered by it starts `starts` times (Qlik: "one pipeline run may start the task more than once"). */
  datasetUpdated(datasetId: string, starts: number): CloudTaskRun[];
  remove(id: string): boolean;
  /** A run now (source manual), as POST /api/scheduling/tasks/{id}/actions/start does. */
  startNow(id: string): CloudTaskRun | undefined;
  pauseAll(paused: boolean): void;
  pausedAll(): boolean;
  start(): void;
  stop(): void;
}

export interface SchedulingDeps {
  now: () => number;
  /** The schedules' timers run on it. */
  clock: Clock;
  /** Simulated time runs this many times faster than real time (a virtual clock); 1 otherwise. */
  speed: number;
  /** Fire the schedules (off in most tests). */
  enabled: boolean;
  spaceId: string;
  ownerId: string;
  runReload(
    appId: string,
    outcome: CloudOutcome,
    opts: { type: "chronos"; atMs?: number; failure?: CloudFailure; resource: CloudReload["resource"]; onEnd?: (r: CloudReload) => void },
  ): CloudReload;
  /** Qlik disables a task after this many failed runs in a row (0: never). */
  disableAfterFailures: () => number;
}

const STATUS_OF: Record<string, CloudTaskRunStatus> = { SUCCEEDED: "SUCCEEDED", FAILED: "FAILED", EXCEEDED_LIMIT: "FAILED", CANCELED: "CANCELED" };

/** The task's time schedule; a rule or zone it cannot read is kept as the task's problem. */
function scheduleOf(t: CloudTask): Schedule | undefined {
  const r = readSchedule({
    recurrence: t.recurrence,
    timeZone: t.timezone,
    ...(t.startDateTime ? { startDateTime: t.startDateTime } : {}),
    ...(t.endDateTime ? { endDateTime: t.endDateTime } : {}),
    fallbackStartMs: t.createdAt,
  });
  if (r.ok) {
    delete t.problem;
    return r.schedule;
  }
  t.problem = r.error;
  return undefined;
}

/** When an enabled time-scheduled task runs next after `afterMs`; undefined for other tasks or a schedule with no run left. */
function nextDue(t: CloudTask, afterMs: number): number | undefined {
  const schedule = t.trigger.type === "time" ? scheduleOf(t) : undefined;
  try {
    return schedule && t.enabled ? nextOccurrence(schedule, afterMs) : undefined;
  } catch (err) {
    // A rule too costly to follow (RecurrenceBudgetError) is the task's problem, as an unreadable one is.
    t.problem = (err as Error).message;
    return undefined;
  }
}

/** A task as the tenant stores it when created: owned by the tenant's user, in its space, not paused. */
function newCloudTask(n: NewCloudTask, deps: SchedulingDeps): CloudTask {
  const now = deps.now();
  return {
    id: newGuid().replace(/-/g, "").slice(0, 24),
    name: n.name,
    description: n.description ?? "",
    enabled: n.enabled ?? true,
    appId: n.appId,
    spaceId: deps.spaceId,
    ownerId: deps.ownerId,
    updatedBy: deps.ownerId,
    trigger: n.trigger ?? { type: "time" },
    recurrence: n.recurrence,
    timezone: n.timezone ?? "UTC",
    ...(n.startDateTime ? { startDateTime: n.startDateTime } : {}),
    ...(n.endDateTime ? { endDateTime: n.endDateTime } : {}),
    outcome: n.outcome ?? "succeed",
    createdAt: now,
    updatedAt: now,
    skipNext: 0,
    paused: false,
  };
}

export function createCloudScheduling(deps: SchedulingDeps): CloudScheduling {
  const tasks: CloudTask[] = [];
  const runs: CloudTaskRun[] = [];
  const timers = new Map<string, Timer>();
  let started = false;
  let allPaused = false;

  const run = (t: CloudTask, triggeredBy: CloudTaskRun["triggeredBy"], atMs?: number): CloudTaskRun => {
    const r: CloudTaskRun = {
      id: newGuid().replace(/-/g, "").slice(0, 24),
      taskId: t.id,
      appId: t.appId,
      status: "RUNNING",
      startedAt: atMs ?? deps.now(),
      triggeredBy,
      executedAs: t.ownerId,
      reloadId: "",
    };
    const reload = deps.runReload(t.appId, t.outcome, {
      type: "chronos",
      resource: { type: "tasks", id: t.id },
      ...(atMs !== undefined ? { atMs } : {}),
      ...(t.failure ? { failure: t.failure } : {}),
      onEnd: (done) => {
        r.status = STATUS_OF[done.status] ?? "FAILED";
        r.endedAt = done.endTime ?? deps.now();
        finished(t, r);
      },
    });
    r.reloadId = reload.id;
    runs.push(r);
    return r;
  };

  /** After a run: Qlik's auto-disable after repeated failures, then the tasks chained on this one (on-task-event). */
  const finished = (t: CloudTask, r: CloudTaskRun) => {
    const limit = deps.disableAfterFailures();
    const mine = runs.filter((x) => x.taskId === t.id && x.endedAt !== undefined).slice(-limit);
    if (limit > 0 && t.enabled && mine.length === limit && mine.every((x) => x.status === "FAILED")) {
      t.enabled = false;
      t.disabledCode = "CONSECUTIVE-FAILURES";
      t.updatedAt = deps.now();
      t.updatedBy = QLIK_SYSTEM_USER;
      arm(t);
    }
    if (!started || !deps.enabled || allPaused) return;
    const outcome = r.status === "SUCCEEDED" ? "succeeded" : r.status === "FAILED" ? "failed" : "other";
    for (const d of tasks)
      if (d.enabled && !d.paused && d.trigger.type === "task" && d.trigger.upstreamId === t.id && (d.trigger.on === "any" || d.trigger.on === outcome))
        run(d, "task-event");
  };

  /** Arms the task's next run after `afterMs` (its last due time: a timer that fired late loses no run). */
  const arm = (t: CloudTask, afterMs = deps.now()) => {
    const old = timers.get(t.id);
    if (old) deps.clock.clearTimeout(old);
    timers.delete(t.id);
    const at = nextDue(t, afterMs);
    if (at === undefined) {
      delete t.nextRunMs;
      return;
    }
    t.nextRunMs = at;
    if (!started || !deps.enabled) return;
    const delay = Math.min(Math.max(0, (at - deps.now()) / deps.speed), 2 ** 31 - 1);
    timers.set(
      t.id,
      deps.clock.setTimeout(() => {
        timers.delete(t.id);
        if (deps.now() < at - 5) return arm(t); // early: the same due time again
        if (allPaused || t.paused) {
          // lost, as when the tenant's scheduler did not fire
        } else if (t.skipNext > 0) t.skipNext--;
        // On a virtual clock a timer that fired late (a busy machine) is not a late scheduler: the run starts at its due time.
        else run(t, "schedule", deps.speed !== 1 ? at : undefined);
        arm(t, deps.speed !== 1 ? at : deps.now());
      }, delay),
    );
  };

  return {
    tasks,
    runs,
    add(n) {
      const t = newCloudTask(n, deps);
      tasks.push(t);
      arm(t);
      return t;
    },
    update(id, patch) {
      const t = tasks.find((x) => x.id === id);
      if (!t) return undefined;
      const defining = patch.enabled !== undefined || patch.recurrence !== undefined || patch.timezone !== undefined || patch.name !== undefined;
      Object.assign(t, patch);
      // A person's disabling is MANUALLY unless the test says Qlik did it (OWNER-DELETED…); enabling clears it.
      if (patch.enabled === false) t.disabledCode = patch.disabledCode ?? "MANUALLY";
      if (patch.enabled === true) delete t.disabledCode;
      if (defining) {
        t.updatedAt = deps.now();
        t.updatedBy = patch.updatedBy ?? deps.ownerId;
      }
      arm(t);
      return t;
    },
    remove(id) {
      const i = tasks.findIndex((x) => x.id === id);
      if (i < 0) return false;
      const timer = timers.get(id);
      if (timer) deps.clock.clearTimeout(timer);
      timers.delete(id);
      tasks.splice(i, 1);
      return true;
    },
    datasetUpdated(datasetId, starts) {
      const out: CloudTaskRun[] = [];
      for (const t of tasks)
        if (t.enabled && !t.paused && t.trigger.type === "dataset" && t.trigger.datasetId === datasetId)
          for (let i = 0; i < starts; i++) out.push(run(t, "dataset"));
      return out;
    },
    startNow(id) {
      const t = tasks.find((x) => x.id === id);
      return t ? run(t, "manual") : undefined;
    },
    pauseAll: (p) => void (allPaused = p),
    pausedAll: () => allPaused,
    start() {
      started = true;
      for (const t of tasks) arm(t);
    },
    stop() {
      started = false;
      for (const timer of timers.values()) deps.clock.clearTimeout(timer);
      timers.clear();
    },
  };
}
