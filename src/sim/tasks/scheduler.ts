// The simulator's Scheduler: fires fixture cron schedules, schema triggers (on the scaled clock) and task-event
// triggers as Scheduler-started runs, can be paused, and starts nothing on a node that is down.
import { type Clock, type Timer, wallClock } from "../../platform/core/clock";
import { Cron } from "croner";
import type { Repository, TaskState } from "../repo/repository";
import type { SimSettings } from "../settings";
import { indexCompositeTriggers, onTaskFinished, type RulesMet } from "./composite-triggers";
import { SCHEDULER_USER, type TaskRunner } from "./runner";
import { nextFireMs, stillFiresAt } from "./trigger-clock";

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
  /**
   * The starts this Scheduler really did not make so far: trigger fires that fell due while it was paused or the
   * task's node was down (`lost`), and fires that found the task still running (`skipped`, recorded as Skipped). What
   * a watchdog's missed starts are measured against.
   */
  notStarted(): { lost: number; skipped: number };
  /** Fires one trigger now, as when it falls due (the control API's POST /triggers/{id}/fire); false when it cannot. */
  fireTrigger(triggerId: string): boolean;
  /** Arms a schema trigger again after the control API changed it (re-enabled, a new end date). */
  rearm(triggerId: string): void;
}

export function createTaskScheduler(
  repo: Repository,
  runner: TaskRunner,
  enabled: boolean,
  settings?: SimSettings,
  now: () => number = Date.now,
  /** A simulator on a virtual clock: `now` runs this many times faster than real time, triggers keep their own grid. */
  virtualSpeed?: number,
  /** The triggers' timers run on it. */
  clock: Clock = wallClock,
): TaskScheduler {
  const jobs: Cron[] = [];
  const timers = new Set<Timer>();
  const armed = new Map<string, Timer>();
  const down = new Set<string>();
  let isPaused = false;
  let anchorMs = now();
  // Composite triggers by the task they wait for; when each rule was last met (all met within the constraint: fires).
  const composites = { index: indexCompositeTriggers(repo), met: new Map() as RulesMet };
  /** Fires held back until the task's late-started run ends (virtual clock only). */
  const deferred = new Map<string, { triggerId: string | undefined; atMs: number }>();

  const notStarted = { lost: 0, skipped: 0 };
  const fire = (task: TaskState, triggerId?: string, atMs?: number): boolean => {
    if (isPaused || down.has(task.model.nodeId)) {
      if (task.model.enabled) notStarted.lost++;
      return false;
    }
    if (triggerId) {
      task.triggerLastMs.set(triggerId, now());
      task.triggerCount.set(triggerId, (task.triggerCount.get(triggerId) ?? 0) + 1);
    }
    if (runner.isRunning(task.model.id)) {
      // A run that only still goes because its own trigger fired late (a busy machine) would have ended on a real
      // Scheduler: this fire starts once it ends instead of being recorded as Skipped.
      if (atMs !== undefined && runner.wouldHaveEnded(task.model.id, atMs)) deferred.set(task.model.id, { triggerId, atMs });
      else if (task.model.enabled) notStarted.skipped++, runner.recordSkipped(task.model.id);
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
      // QRS then states "never" for the trigger, and for the task unless another trigger of it still fires.
      task.triggerNextMs.delete(tr.id);
      if (!task.model.schedule) task.nextExecutionMs = task.triggerNextMs.size > 0 ? Math.min(...task.triggerNextMs.values()) : undefined;
      return;
    }
    task.triggerNextMs.set(tr.id, at);
    task.nextExecutionMs = Math.min(...task.triggerNextMs.values());
    if (!enabled) return;
    // Timers cap near 24.8 days; a later fire is re-armed on the way.
    const delay = Math.min(Math.max(0, (at - now()) / (virtualSpeed ?? 1)), 2 ** 31 - 1);
    // One timer per trigger: arming again (rearm after a change) replaces the one pending.
    const pending = armed.get(tr.id);
    if (pending) {
      clock.clearTimeout(pending);
      timers.delete(pending);
    }
    const h = clock.setTimeout(() => {
      timers.delete(h);
      armed.delete(tr.id);
      // On a virtual clock a timer that fired late (a busy machine) is not a late Scheduler: the run is triggered at the due time.
      // A trigger disabled, ended or deleted (with its task) since it was armed does not fire, as in the QMC.
      const still = task.model.triggers.find((x) => x.id === triggerId);
      // On the trigger's own calendar (scale 1, virtual clock) the trigger as it is now must still fire then: its end
      // date compared in its own zone, not UTC. Scaled grids only check it is still on.
      const live = still?.type === "schema" && still.enabled && (gridScale !== 1 || stillFiresAt(still, at));
      if (now() >= at - 5 && live && repo.tasks.has(task.model.id.toLowerCase())) fire(task, triggerId, virtualSpeed ? at : undefined);
      arm(task, triggerId);
    }, delay);
    timers.add(h);
    armed.set(tr.id, h);
  };

  /** On a shared clock (a stepped simulation) a task's cron schedule is armed on it rather than by croner's own timer. */
  const armCron = (task: TaskState, job: Cron) => {
    const at = job.nextRun(new Date(now()))?.getTime();
    task.nextExecutionMs = at;
    if (at === undefined || !enabled) return;
    const h = clock.setTimeout(() => {
      timers.delete(h);
      fire(task, undefined, at);
      armCron(task, job);
    }, at - now());
    timers.add(h);
  };

  runner.onFinished((upId, status) => {
    const held = deferred.get(upId);
    if (held) {
      deferred.delete(upId);
      const t = repo.tasks.get(upId);
      if (t && enabled) runner.start(upId, { user: SCHEDULER_USER, atMs: Math.min(held.atMs, now()) });
    }
    if (!enabled) return;
    onTaskFinished(repo, composites.index, composites.met, upId, status, now(), virtualSpeed ? 1 : (settings?.timing.timeScale ?? 1), fire);
  });

  return {
    rearm(triggerId) {
      for (const task of repo.tasks.values()) if (task.model.triggers.some((t) => t.id === triggerId)) arm(task, triggerId);
    },
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
        if (clock !== wallClock) {
          armCron(task, new Cron(expr, { paused: true }));
          continue;
        }
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
      for (const h of timers) clock.clearTimeout(h);
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
    notStarted: () => ({ ...notStarted }),
  };
}
