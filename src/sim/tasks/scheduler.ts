// The simulator's Scheduler: fires fixture cron schedules, schema triggers (on the scaled clock) and task-event
// triggers as Scheduler-started runs, can be paused, and starts nothing on a node that is down.
import { Cron } from "croner";
import type { Repository, TaskState } from "../repo/repository";
import type { SimSettings } from "../settings";
import type { CompositeTriggerModel } from "../site/model";
import { SCHEDULER_USER, type TaskRunner } from "./runner";
import { nextFireMs } from "./trigger-clock";

export interface TaskScheduler {
  start(): void;
  stop(): void;
  /** No trigger fires while paused (the Scheduler service is down); fires that fell due meanwhile are lost. */
  pause(): void;
  resume(): void;
  paused(): boolean;
  /** A node that is down starts none of its tasks' triggered runs. */
  setNodeDown(nodeId: string, down: boolean): void;
  downNodes(): string[];
  /** Fires one trigger now, as when it falls due (the control API's POST /triggers/{id}/fire); false when it cannot. */
  fireTrigger(triggerId: string): boolean;
}

const COMPOSITE_STATUS = { 1: 7, 2: 8 } as const;

export function createTaskScheduler(
  repo: Repository,
  runner: TaskRunner,
  enabled: boolean,
  settings?: SimSettings,
  now: () => number = Date.now,
  /** A simulator on a virtual clock: `now` runs this many times faster than real time, triggers keep their own grid. */
  virtualSpeed?: number,
): TaskScheduler {
  const jobs: Cron[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const down = new Set<string>();
  let isPaused = false;
  let anchorMs = now();
  // Per composite trigger: when each rule was last met (the trigger fires once all are met within its time constraint).
  const met = new Map<string, Map<string, number>>();

  const fire = (task: TaskState, triggerId?: string, atMs?: number): boolean => {
    if (isPaused || down.has(task.model.nodeId)) return false;
    if (triggerId) {
      task.triggerLastMs.set(triggerId, now());
      task.triggerCount.set(triggerId, (task.triggerCount.get(triggerId) ?? 0) + 1);
    }
    if (runner.isRunning(task.model.id)) {
      if (task.model.enabled) runner.recordSkipped(task.model.id);
      return true;
    }
    runner.start(task.model.id, { user: SCHEDULER_USER, ...(atMs !== undefined ? { atMs } : {}) });
    return true;
  };

  const arm = (task: TaskState, triggerId: string) => {
    const tr = task.model.triggers.find((x) => x.id === triggerId);
    if (tr?.type !== "schema") return;
    const gridScale = virtualSpeed ? 1 : (settings?.timing.timeScale ?? 1);
    const at = nextFireMs(tr, now(), anchorMs, gridScale);
    if (at === undefined) {
      task.triggerNextMs.delete(tr.id);
      return;
    }
    task.triggerNextMs.set(tr.id, at);
    task.nextExecutionMs = Math.min(...task.triggerNextMs.values());
    if (!enabled) return;
    // Timers cap near 24.8 days; a later fire is re-armed on the way.
    const delay = Math.min(Math.max(0, (at - now()) / (virtualSpeed ?? 1)), 2 ** 31 - 1);
    const h = setTimeout(() => {
      timers.delete(h);
      // On a virtual clock a timer that fired late (a busy machine) is not a late Scheduler: the run is triggered at the due time.
      if (now() >= at - 5) fire(task, triggerId, virtualSpeed ? at : undefined);
      arm(task, triggerId);
    }, delay);
    timers.add(h);
  };

  const windowMs = (c: CompositeTriggerModel) =>
    ((c.timeConstraint.days * 24 + c.timeConstraint.hours) * 60 + c.timeConstraint.minutes) * 60_000 + c.timeConstraint.seconds * 1000;

  runner.onFinished((upId, status) => {
    if (!enabled) return;
    const t = now();
    for (const task of repo.tasks.values()) {
      for (const tr of task.model.triggers) {
        if (tr.type !== "composite" || !tr.enabled) continue;
        const rule = tr.rules.find((r) => r.taskId === upId && COMPOSITE_STATUS[r.ruleState] === status);
        if (!rule) continue;
        const seen = met.get(tr.id) ?? new Map<string, number>();
        met.set(tr.id, seen);
        seen.set(rule.id, t);
        const win = windowMs(tr) * (virtualSpeed ? 1 : (settings?.timing.timeScale ?? 1));
        if (tr.rules.every((r) => (seen.get(r.id) ?? -Infinity) >= t - (win > 0 ? win : Infinity))) {
          seen.clear();
          fire(task, tr.id);
        }
      }
    }
  });

  return {
    fireTrigger(triggerId) {
      for (const task of repo.tasks.values()) {
        if (task.model.triggers.some((t) => t.id === triggerId)) return fire(task, triggerId);
      }
      return false;
    },
    start() {
      anchorMs = now();
      for (const task of repo.tasks.values()) {
        for (const tr of task.model.triggers) if (tr.type === "schema") arm(task, tr.id);
        const expr = task.model.schedule;
        if (!expr || !task.model.enabled) continue;
        // Even when schedules do not fire (tests), nextExecution shows what the fixture says.
        const job = new Cron(expr, { paused: !enabled, protect: true }, () => {
          fire(task);
          task.nextExecutionMs = job.nextRun()?.getTime();
        });
        task.nextExecutionMs = job.nextRun()?.getTime();
        jobs.push(job);
      }
      for (const task of repo.tasks.values()) {
        const nexts = [...task.triggerNextMs.values()];
        if (nexts.length > 0) task.nextExecutionMs = Math.min(task.nextExecutionMs ?? Infinity, ...nexts);
      }
    },
    stop() {
      for (const j of jobs) j.stop();
      jobs.length = 0;
      for (const h of timers) clearTimeout(h);
      timers.clear();
    },
    pause: () => void (isPaused = true),
    resume: () => void (isPaused = false),
    paused: () => isPaused,
    setNodeDown(nodeId, isDown) {
      if (isDown) down.add(nodeId);
      else down.delete(nodeId);
    },
    downNodes: () => [...down],
  };
}
