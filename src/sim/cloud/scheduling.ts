// The simulated tenant's Scheduling Tasks: time-scheduled reload tasks (RRULE lines in an IANA zone) that run on
// their schedule on the simulator's clock, each run a `chronos` reload plus a task run. A test makes a run not
// happen (a task paused, the next runs skipped, the whole scheduler paused), as when Qlik's scheduler misses one.
import { nextOccurrence, readSchedule, type Schedule } from "../../core/rrule";
import { newGuid } from "../util/ids";
import type { CloudOutcome, CloudReload } from "./tenant";

export type CloudTaskRunStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELED";

export interface CloudTask {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  appId: string;
  spaceId: string;
  ownerId: string;
  recurrence: string[];
  timezone: string;
  startDateTime?: string;
  endDateTime?: string;
  outcome: CloudOutcome;
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
  triggeredBy: "schedule" | "manual";
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
}

export interface CloudScheduling {
  tasks: CloudTask[];
  runs: CloudTaskRun[];
  add(t: NewCloudTask): CloudTask;
  update(
    id: string,
    patch: Partial<Pick<CloudTask, "enabled" | "paused" | "skipNext" | "recurrence" | "timezone" | "outcome" | "name">>,
  ): CloudTask | undefined;
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
  /** Simulated time runs this many times faster than real time (a virtual clock); 1 otherwise. */
  speed: number;
  /** Fire the schedules (off in most tests). */
  enabled: boolean;
  spaceId: string;
  ownerId: string;
  runReload(appId: string, outcome: CloudOutcome, opts: { type: "chronos"; atMs?: number; onEnd?: (r: CloudReload) => void }): CloudReload;
}

const STATUS_OF: Record<string, CloudTaskRunStatus> = { SUCCEEDED: "SUCCEEDED", FAILED: "FAILED", EXCEEDED_LIMIT: "FAILED", CANCELED: "CANCELED" };

export function createCloudScheduling(deps: SchedulingDeps): CloudScheduling {
  const tasks: CloudTask[] = [];
  const runs: CloudTaskRun[] = [];
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  let started = false;
  let allPaused = false;

  const scheduleOf = (t: CloudTask): Schedule | undefined => {
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
  };

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
      ...(atMs !== undefined ? { atMs } : {}),
      onEnd: (done) => {
        r.status = STATUS_OF[done.status] ?? "FAILED";
        r.endedAt = done.endTime ?? deps.now();
      },
    });
    r.reloadId = reload.id;
    runs.push(r);
    return r;
  };

  /** Arms the task's next run after `afterMs` (its last due time: a timer that fired late loses no run). */
  const arm = (t: CloudTask, afterMs = deps.now()) => {
    const old = timers.get(t.id);
    if (old) clearTimeout(old);
    timers.delete(t.id);
    const schedule = scheduleOf(t);
    const at = schedule && t.enabled ? nextOccurrence(schedule, afterMs) : undefined;
    if (at === undefined) {
      delete t.nextRunMs;
      return;
    }
    t.nextRunMs = at;
    if (!started || !deps.enabled) return;
    const delay = Math.min(Math.max(0, (at - deps.now()) / deps.speed), 2 ** 31 - 1);
    timers.set(
      t.id,
      setTimeout(() => {
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
      const now = deps.now();
      const t: CloudTask = {
        id: newGuid().replace(/-/g, "").slice(0, 24),
        name: n.name,
        description: n.description ?? "",
        enabled: n.enabled ?? true,
        appId: n.appId,
        spaceId: deps.spaceId,
        ownerId: deps.ownerId,
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
      tasks.push(t);
      arm(t);
      return t;
    },
    update(id, patch) {
      const t = tasks.find((x) => x.id === id);
      if (!t) return undefined;
      const defining = patch.enabled !== undefined || patch.recurrence !== undefined || patch.timezone !== undefined || patch.name !== undefined;
      Object.assign(t, patch);
      if (defining) t.updatedAt = deps.now();
      arm(t);
      return t;
    },
    remove(id) {
      const i = tasks.findIndex((x) => x.id === id);
      if (i < 0) return false;
      const timer = timers.get(id);
      if (timer) clearTimeout(timer);
      timers.delete(id);
      tasks.splice(i, 1);
      return true;
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
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
