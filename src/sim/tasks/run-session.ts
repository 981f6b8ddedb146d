// One run of a task in the simulated Scheduler (spec §5.4): the session it is tracked by, the timers it waits on,
// and the bookkeeping every transition does (a detail row on the execution result, a Scheduler log line).
import type { Clock, Timer } from "../../platform/core/clock";
import type { Repository, ExecutionRecord, TaskState } from "../repo/repository";
import { EXEC_STATUS } from "../repo/repository";
import type { SimSettings } from "../settings";
import type { NodeModel } from "../site/model";
import type { Outcome } from "../site/schema";
import { newGuid, ZERO_GUID } from "../util/ids";
import type { SchedulerLogEvent } from "./log-event";
import type { NodeLoad } from "./node-load";
import type { EngineLogSink } from "../engine/engine-log";
import type { ScriptLogShape, ScriptLogWarnings } from "./script-log";

export const STATUS_NAMES = [
  "NeverStarted",
  "Triggered",
  "Started",
  "Queued",
  "AbortInitiated",
  "Aborting",
  "Aborted",
  "FinishedSuccess",
  "FinishedFail",
  "Skipped",
  "Retry",
  "Error",
  "Reset",
  "DistributionQueue",
  "DistributionRunning",
] as const;

export interface Session {
  executionId: string;
  task: TaskState;
  /** The node running the session: its Scheduler logs the lines, so its appender sends the datagrams. */
  node: NodeModel;
  user: string;
  outcome: Outcome;
  durationMs: number;
  /** The run's length in simulated ms as planned when it started (a later PATCH of the task does not change it). */
  plannedMs: number;
  scriptLog?: ScriptLogShape;
  logWarnings?: ScriptLogWarnings;
  attempt: number;
  record: ExecutionRecord;
  /** Timers of the current attempt, cancelled by an abort. */
  pending: Set<Timer>;
  aborting: boolean;
  /** The final transition was logged; the session only waits for the QRS to show it. */
  done: boolean;
  /** The Engine session of the current attempt's reload (reload tasks, once started). */
  engineSessionId?: string;
}

/** Final status of a run as QRS stores it (7 FinishedSuccess, 8 FinishedFail, 6 Aborted…), for task-event triggers. */
export type FinishListener = (taskId: string, status: number) => void;

/** The engine slots a reload waits for (engine-slots.ts). */
export interface SlotKeeper {
  /** Runs `start` now when the node has a free engine; else the session waits in the node's queue (`onQueued` now). */
  acquire(s: Session, start: () => void, onQueued: () => void): void;
  /** The session holds no engine and waits for none any more (ended, retrying, aborted, cancelled). */
  release(s: Session): void;
}

/** What the runner's sessions share: the site, the clock, the running sessions and every timer armed for them. */
export interface RunnerContext {
  repo: Repository;
  settings: SimSettings;
  now: () => number;
  clock: Clock;
  onLog: (event: SchedulerLogEvent) => void;
  onEngineLog?: EngineLogSink;
  sessions: Map<string, Session>;
  allTimers: Set<Timer>;
  finishListeners: FinishListener[];
  slots: SlotKeeper;
  /** How busy each node is, hour by hour, as the runs go through their states. */
  load: NodeLoad;
  /** Final updates waiting out timing.qrsLagMs, each run once: by its timer, or at once by TaskRunner.flushQrsLag. */
  lagged: Set<() => void>;
}

/** Runs `fn` after `ms`; the timer is the session's (so an abort cancels it) and the runner's (so stop() does). */
export function later(ctx: RunnerContext, s: Session | undefined, ms: number, fn: () => void): void {
  const t = ctx.clock.setTimeout(
    () => {
      ctx.allTimers.delete(t);
      s?.pending.delete(t);
      fn();
    },
    Math.max(0, ms),
  );
  ctx.allTimers.add(t);
  s?.pending.add(t);
}

export const nodeById = (ctx: RunnerContext, id: string | undefined) => ctx.repo.site.nodes.find((n) => n.id === id);
export const appOf = (ctx: RunnerContext, t: TaskState) => (t.model.appId ? ctx.repo.findApp(t.model.appId) : undefined);

/** A Scheduler log line about the session (the UDP appenders turn it into a datagram). */
export function emit(
  ctx: RunnerContext,
  s: Session,
  logger: SchedulerLogEvent["logger"],
  level: SchedulerLogEvent["level"],
  message: string,
  user = s.user,
): void {
  const t = s.task.model;
  // Only reload tasks carry app name and id in the Scheduler's log context.
  const app = t.taskType === 0 ? appOf(ctx, s.task) : undefined;
  ctx.onLog({
    logger,
    level,
    message,
    timeMs: ctx.now(),
    hostName: s.node.hostName,
    nodeName: s.node.name,
    taskId: t.id,
    taskName: t.name,
    taskType: t.taskType,
    appId: app?.model.id,
    appName: app?.model.name,
    user,
    executionId: s.executionId,
  });
}

/** A row of the execution result's details, as QRS lists them. */
export function detail(ctx: RunnerContext, rec: ExecutionRecord, message: string, detailsType: 0 | 1 | 2 = 2): void {
  const at = ctx.now();
  rec.details.push({ id: newGuid(), detailsType, message, createdMs: at });
  rec.modifiedMs = at;
}

export function setStatus(ctx: RunnerContext, s: Session, to: number, detailsType: 0 | 1 | 2 = 2): void {
  const from = s.record.status;
  s.record.status = to;
  detail(ctx, s.record, `Changing task state from ${STATUS_NAMES[from]} to ${STATUS_NAMES[to]}`, detailsType);
  emit(ctx, s, "TaskSession", "INFO", `Execution State Change to ${STATUS_NAMES[to]}`);
}

/** Final updates reach the QRS `qrsLagMs` after the Scheduler logged them (and sent UDP). */
export function commitFinal(ctx: RunnerContext, s: Session, apply: () => void): void {
  s.done = true;
  // Counted out before its engine goes to the next queued run, so a full node's count never passes its limit.
  ctx.load.ended(s.record, ctx.now());
  ctx.slots.release(s);
  const finish = () => {
    apply();
    s.task.runningSession = undefined;
    ctx.sessions.delete(s.task.model.id);
    for (const l of ctx.finishListeners) l(s.task.model.id, s.record.status);
  };
  if (ctx.settings.timing.qrsLagMs <= 0) {
    finish();
    return;
  }
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    ctx.lagged.delete(once);
    finish();
  };
  ctx.lagged.add(once);
  later(ctx, undefined, ctx.settings.timing.qrsLagMs, once);
}

/** The pace of a run's transitions: a tenth of its length, at most 2 s; a run lasts at least three steps. */
export function steps(s: Session): { step: number; total: number } {
  const total = s.durationMs;
  const step = Math.min(2_000, Math.max(1, Math.round(total * 0.1)));
  return { step, total: Math.max(total, 3 * step) };
}

/** A fresh execution result for attempt `attempt` of session `executionId`. */
export function newRecord(ctx: RunnerContext, task: TaskState, n: NodeModel, executionId: string, attempt: number, atMs?: number): ExecutionRecord {
  const at = Math.min(atMs ?? ctx.now(), ctx.now());
  return {
    id: newGuid(),
    executionID: executionId,
    taskId: task.model.id,
    appId: task.model.taskType === 0 ? appOf(ctx, task)?.model.id : undefined,
    nodeId: n.id,
    nodeName: n.hostName,
    status: EXEC_STATUS.Triggered,
    startMs: undefined,
    stopMs: undefined,
    fileReferenceID: ZERO_GUID,
    scriptLogLocation: "",
    scriptLogSize: 0,
    details: [],
    createdMs: at,
    modifiedMs: at,
    attempt,
    scriptLog: undefined,
  };
}
