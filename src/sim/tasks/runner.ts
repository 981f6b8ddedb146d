// The simulated Scheduler's task runner: starts, aborts and skips runs of all five task types and answers which
// are running. Each run's state machine is in run-attempt.ts, its session bookkeeping in run-session.ts.
import type { Clock } from "../../platform/core/clock";
import { EXEC_STATUS, type Repository, type TaskState } from "../repo/repository";
import type { SimSettings } from "../settings";
import { effectiveDuration } from "../settings";
import type { Outcome } from "../site/schema";
import { newGuid } from "../util/ids";
import type { SchedulerLogEvent } from "./log-event";
import { createEngineSlots, type QueueView } from "./engine-slots";
import { createNodeLoad, type NodeLoad } from "./node-load";
import type { EngineLogSink } from "../engine/engine-log";
import { beginAbort, cancelQueued, startAttempt } from "./run-attempt";
import { detail, type FinishListener, newRecord, nodeById, type RunnerContext, type Session } from "./run-session";
import type { ScriptLogShape, ScriptLogWarnings } from "./script-log";

export { type FinishListener, STATUS_NAMES } from "./run-session";

export const SCHEDULER_USER = "INTERNAL\\sa_scheduler";

export interface StartOptions {
  /** `DIRECTORY\userid` of whoever started the run (Scheduler for schedules). */
  user?: string;
  /** Outcome for this run only (default: the fixture's). */
  outcome?: Outcome;
  /** Duration for this run only, in ms (not scaled). */
  durationMs?: number;
  /** Length of this run's script log and where its error line sits (reload tasks). */
  scriptLog?: ScriptLogShape;
  /** A successful reload's log shows skipped errors (ErrorMode 0) and loads of 0 rows. */
  logWarnings?: ScriptLogWarnings;
  /** Id of the node that runs this run (default: the task's node), as a load-balancing rule may pick one per run. */
  nodeId?: string;
  /** When the Scheduler triggered it (default now): a simulator on a virtual clock fires exactly on the due time. */
  atMs?: number;
}

export type StartResult =
  | { started: true; executionId: string; executionResultId: string }
  | { started: false; reason: "not-found" | "disabled" | "running"; executionId?: string };

export interface RunnerDeps {
  repo: Repository;
  settings: SimSettings;
  now: () => number;
  /** Run durations and retries wait on it (wall time, or the clock a stepped simulation shares with Steward). */
  clock: Clock;
  onLog: (event: SchedulerLogEvent) => void;
  /** The Engine's lines about the reloads the Scheduler asks it for (the Engine logs those too). */
  onEngineLog?: EngineLogSink;
}

export interface TaskRunner {
  start(taskId: string, opts?: StartOptions): StartResult;
  /** Aborts a running task; false when it is not running. */
  abort(taskId: string, user?: string): boolean;
  isRunning(taskId: string): boolean;
  /**
   * Whether the task's run in progress was triggered late (a busy machine on a virtual clock) and, started on
   * time, would have ended by `atMs`: a real Scheduler would not be running it then.
   */
  wouldHaveEnded(taskId: string, atMs: number): boolean;
  /**
   * A trigger fell due while the task was still running: the Scheduler starts nothing and QRS records an
   * execution result with status Skipped (9), which no log line (so no datagram) reports.
   */
  recordSkipped(taskId: string): void;
  /**
   * The Scheduler running the task's run stops dead (its process killed): the run's timers are cancelled, no further
   * line is logged, and QRS keeps its execution result as it was (Retry, Started) with no end. False when not running.
   */
  crash(taskId: string): boolean;
  /** executionIDs of running sessions (for `/qrs/executionsession/{id}`). */
  runningSessions(): { executionId: string; taskId: string; user: string; startMs: number }[];
  stop(): void;
  onFinished(listener: FinishListener): void;
  /** What runs on a node and what waits in its queue for an engine. */
  queue(nodeId: string): QueueView;
  /** A node's Scheduler settings changed (the control API): runs that now fit start, waiting runs get the new timeout. */
  schedulerChanged(nodeId: string): void;
  /** How busy each node was, hour by hour: the simulator's own count. */
  load: NodeLoad;
  /** The final updates still waiting out timing.qrsLagMs reach QRS now (a test's "QRS catches up"); how many. */
  flushQrsLag(): number;
}
export function createTaskRunner(deps: RunnerDeps): TaskRunner {
  const { repo } = deps;
  const load = createNodeLoad();
  const ctx: RunnerContext = {
    ...deps,
    sessions: new Map(),
    allTimers: new Set(),
    finishListeners: [],
    load,
    slots: { acquire: () => {}, release: () => {} },
    lagged: new Set(),
  };
  const slots = createEngineSlots(ctx, (s) => cancelQueued(ctx, s));
  ctx.slots = slots;
  const { sessions } = ctx;
  const sessionOf = (taskId: string) => {
    const task = repo.findTask(taskId);
    return task ? sessions.get(task.model.id) : undefined;
  };

  return {
    start(taskId, opts = {}) {
      const task = repo.findTask(taskId);
      if (!task) return { started: false, reason: "not-found" };
      if (!task.model.enabled) return { started: false, reason: "disabled" };
      if (task.runningSession) return { started: false, reason: "running", executionId: task.runningSession };
      const s = newSession(ctx, task, opts);
      task.runningSession = s.executionId;
      sessions.set(task.model.id, s);
      startAttempt(ctx, s);
      return { started: true, executionId: s.executionId, executionResultId: s.record.id };
    },
    abort(taskId, user = SCHEDULER_USER) {
      const s = sessionOf(taskId);
      if (!s || s.aborting || s.done) return false;
      beginAbort(ctx, s, user);
      return true;
    },
    crash(taskId) {
      const s = sessionOf(taskId);
      if (!s || s.done) return false;
      for (const t of s.pending) {
        deps.clock.clearTimeout(t);
        ctx.allTimers.delete(t);
      }
      s.pending.clear();
      slots.release(s);
      return true;
    },
    isRunning: (taskId) => repo.findTask(taskId)?.runningSession !== undefined,
    wouldHaveEnded(taskId, atMs) {
      const s = sessionOf(taskId);
      if (!s || s.attempt > 0 || s.done) return false;
      return s.record.createdMs + s.plannedMs < atMs;
    },
    recordSkipped(taskId) {
      const task = repo.findTask(taskId);
      if (!task) return;
      const node = nodeById(ctx, task.model.nodeId) ?? repo.site.nodes[0]!;
      const rec = newRecord(ctx, task, node, newGuid(), 0);
      rec.status = EXEC_STATUS.Skipped;
      rec.startMs = rec.createdMs;
      rec.stopMs = rec.createdMs;
      repo.addExecution(rec);
      detail(ctx, rec, "Task skipped: the previous execution is still running");
    },
    runningSessions: () =>
      [...sessions.values()].map((s) => ({
        executionId: s.executionId,
        taskId: s.task.model.id,
        user: s.user,
        startMs: s.record.createdMs,
      })),
    onFinished: (l) => void ctx.finishListeners.push(l),
    queue: (nodeId) => slots.view(nodeId),
    schedulerChanged: (nodeId) => slots.settingsChanged(nodeId),
    load,
    flushQrsLag() {
      const waiting = [...ctx.lagged];
      for (const finish of waiting) finish();
      return waiting.length;
    },
    stop() {
      for (const t of ctx.allTimers) deps.clock.clearTimeout(t);
      ctx.allTimers.clear();
    },
  };
}

/** A session for a run that starts now, on the node asked for (or the task's, or the site's first). */
function newSession(ctx: RunnerContext, task: TaskState, opts: StartOptions): Session {
  const { settings } = ctx;
  const outcome = opts.outcome ?? task.model.outcome;
  if (opts.outcome !== undefined && typeof opts.outcome === "object") task.failuresLeft = opts.outcome.failThenSucceed;
  const executionId = newGuid();
  const node = nodeById(ctx, opts.nodeId) ?? nodeById(ctx, task.model.nodeId) ?? ctx.repo.site.nodes[0]!;
  return {
    executionId,
    task,
    node,
    user: opts.user ?? SCHEDULER_USER,
    outcome,
    durationMs: effectiveDuration(settings.timing, task.model.durationMs, opts.durationMs),
    plannedMs: opts.durationMs !== undefined ? opts.durationMs / settings.timing.timeScale : task.model.durationMs,
    ...(opts.scriptLog ? { scriptLog: opts.scriptLog } : {}),
    ...(opts.logWarnings ? { logWarnings: opts.logWarnings } : {}),
    attempt: 0,
    record: newRecord(ctx, task, node, executionId, 0, opts.atMs),
    pending: new Set(),
    aborting: false,
    done: false,
  };
}
