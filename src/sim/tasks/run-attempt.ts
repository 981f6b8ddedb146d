// The task state machine of one run (spec §5.4): Triggered → Started/Distribution* → FinishedSuccess |
// FinishedFail (with Retry) | AbortInitiated → Aborting → Aborted, each step a timer on the session.
import { type AppState, EXEC_STATUS } from "../repo/repository";
import { newGuid } from "../util/ids";
import { appOf, commitFinal, detail, emit, later, newRecord, type RunnerContext, STATUS_NAMES, type Session, setStatus, steps } from "./run-session";
import { buildScriptLog } from "./script-log";
import { type EngineReloadContext, reloadEnded, reloadStarted } from "../engine/engine-log";
import { writeScriptLogFile } from "../engine/script-log-dir";

/** The account the Scheduler opens its Engine sessions as: the Engine's lines about the reload name it. */
const SCHEDULER_ENGINE_USER = "INTERNAL\\sa_scheduler";

/** The Engine's side of a reload task's attempt: the node's Engine, a session of the Scheduler's, not through the Proxy. */
function engineContext(ctx: RunnerContext, s: Session): EngineReloadContext | undefined {
  const app = appOf(ctx, s.task);
  if (s.task.model.taskType !== 0 || !app || !s.engineSessionId || !ctx.onEngineLog) return undefined;
  return {
    hostName: s.node.hostName,
    nodeName: s.node.name,
    appId: app.model.id,
    sessionId: s.engineSessionId,
    user: SCHEDULER_ENGINE_USER,
    proxySessionId: "0",
  };
}

/** The Engine ends the reload (it logs that before the Scheduler logs the task's state). */
function engineEnded(ctx: RunnerContext, s: Session, outcome: "succeeded" | "failed" | "cancelled"): void {
  const c = engineContext(ctx, s);
  if (c) for (const l of reloadEnded(c, ctx.now(), outcome, s.task.model.scriptError)) ctx.onEngineLog!(l);
  s.engineSessionId = undefined;
}

/** Runs the session's current record (already created) from Triggered to its outcome. */
export function startAttempt(ctx: RunnerContext, s: Session): void {
  const t = s.task.model;
  const app = appOf(ctx, s.task);
  const rec = s.record;
  ctx.repo.addExecution(rec);
  s.task.lastExecutionResultId = rec.id;
  ctx.load.triggered(rec);
  detail(ctx, rec, "Changing task state to Triggered");
  emit(ctx, s, "TaskSession", "INFO", "Execution State Change to Triggered");

  const { step } = steps(s);
  later(ctx, s, step / 2, () => detail(ctx, rec, `Trying to start task. Sending task to slave scheduler ${s.node.hostName}`));
  if (t.taskType === 3) {
    later(ctx, s, step, () => setStatus(ctx, s, EXEC_STATUS.DistributionQueue));
    later(ctx, s, 2 * step, () => {
      rec.startMs = ctx.now();
      ctx.load.started(rec);
      setStatus(ctx, s, EXEC_STATUS.DistributionRunning);
    });
    armEnd(ctx, s, 0);
    return;
  }
  later(ctx, s, step, () => {
    const run = () => {
      if (t.sessionFails) return failToStart(ctx, s, t.sessionFails);
      markStarted(ctx, s, app);
      armEnd(ctx, s, step);
    };
    // Only reloads take one of the node's engines (the QMC's "Max concurrent reloads"); they may wait for one.
    if (t.taskType === 0) ctx.slots.acquire(s, run, () => setStatus(ctx, s, EXEC_STATUS.Queued));
    else run();
  });
}

/** The attempt's end (or its abort, for an aborting outcome), `elapsed` ms after its start being already gone. */
function armEnd(ctx: RunnerContext, s: Session, elapsed: number): void {
  const { step, total } = steps(s);
  if (s.outcome === "abort") later(ctx, s, Math.max(2 * step + 1, Math.round(total / 2)) - elapsed, () => beginAbort(ctx, s, s.user));
  else later(ctx, s, total - elapsed, () => (attemptFails(s) ? finishFail(ctx, s) : finishSuccess(ctx, s)));
}

/**
 * The run waited in its node's queue longer than the node's engineTimeout: Qlik cancels it and it "has to be
 * triggered again" (Qlik's KB). How QRS and the Scheduler's log show it is not published; the simulator's choice:
 * the result ends FinishedFail (8) from Queued, never started (no start time, no script log), with an error detail
 * naming the queue and the timeout, no retry; and the Scheduler logs the same final-failure line as any failed run
 * ("… Max retries reached."), so the shipped appender sends /scheduler-task-failed/. Steward tells it by the run
 * never having started after waiting in the queue, not by this text (src/tell/incidents/queue-cancel.ts).
 */
export function cancelQueued(ctx: RunnerContext, s: Session): void {
  for (const t of s.pending) {
    ctx.clock.clearTimeout(t);
    ctx.allTimers.delete(t);
  }
  s.pending.clear();
  const rec = s.record;
  const minutes = s.node.scheduler.engineTimeout;
  detail(ctx, rec, `Task removed from the queue on ${s.node.hostName}: it waited longer than the engine timeout (${minutes} minutes) for a free engine`, 0);
  emit(ctx, s, "TaskSession", "WARN", "Task finished with state FinishedFail. Max retries reached.");
  const stop = ctx.now();
  commitFinal(ctx, s, () => {
    rec.stopMs = stop;
    const from = rec.status;
    rec.status = EXEC_STATUS.FinishedFail;
    detail(ctx, rec, `Changing task state from ${STATUS_NAMES[from]} to FinishedFail`, 0);
  });
}

/**
 * The engine was free but the Scheduler could not open the app's session there: the run ends FinishedFail from where
 * it was (Queued, when it waited), never started, with the error as its detail and the Scheduler's log line
 * "Failed to start session" style (the shipped appender's filter sends it). The simulator's choice, as Qlik does not
 * publish the details of such a run; it is no cancellation by the queue's timeout.
 */
function failToStart(ctx: RunnerContext, s: Session, error: string): void {
  const rec = s.record;
  detail(ctx, rec, error, 0);
  emit(ctx, s, "TaskSession", "ERROR", error.includes("Failed to start session") ? error : `Failed to start session: ${error}`);
  const stop = ctx.now();
  commitFinal(ctx, s, () => {
    rec.stopMs = stop;
    const from = rec.status;
    rec.status = EXEC_STATUS.FinishedFail;
    detail(ctx, rec, `Changing task state from ${STATUS_NAMES[from]} to FinishedFail`, 0);
  });
}

/** Started; a reload task's result gets the script log's file reference and location then. */
function markStarted(ctx: RunnerContext, s: Session, app: AppState | undefined): void {
  const rec = s.record;
  rec.startMs = ctx.now();
  ctx.load.started(rec);
  setStatus(ctx, s, EXEC_STATUS.Started);
  if (s.task.model.taskType !== 0 || !app) return;
  if (!ctx.settings.scriptLog.zeroFileReference) rec.fileReferenceID = newGuid();
  const stamp = new Date(rec.startMs)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.(\d{3})Z$/, ".$1+0000");
  rec.scriptLogLocation = `C:\\ProgramData\\Qlik\\Sense\\Log\\Script\\${app.model.id}.${stamp}.log`;
  detail(ctx, rec, "Reference to scriptlog added");
  s.engineSessionId = newGuid();
  const c = engineContext(ctx, s);
  if (c) for (const l of reloadStarted(c, rec.startMs, { mode: 0, partial: s.task.model.partial })) ctx.onEngineLog!(l);
}

/** Whether this attempt fails: always for "fail", and while a fail-then-succeed outcome has failures left. */
function attemptFails(s: Session): boolean {
  const o = s.outcome;
  if (o === "fail") return true;
  if (typeof o === "object") {
    if (s.task.failuresLeft > 0) {
      s.task.failuresLeft--;
      return true;
    }
  }
  return false;
}

/** A reload task's script log, written when the run ends. */
function writeLog(ctx: RunnerContext, s: Session, outcome: "success" | "fail" | "abort"): void {
  const t = s.task.model;
  const app = appOf(ctx, s.task);
  if (t.taskType !== 0 || !app) return;
  const startMs = s.record.startMs ?? ctx.now();
  s.record.scriptLog = buildScriptLog({
    script: app.script,
    productVersion: ctx.repo.site.info.productVersion,
    user: s.user,
    startMs,
    stopMs: ctx.now(),
    outcome,
    ...(t.scriptError === undefined ? {} : { error: t.scriptError }),
    partial: t.partial,
    ...(s.scriptLog ? { shape: s.scriptLog } : {}),
    ...(s.logWarnings ? { warnings: s.logWarnings } : {}),
  });
  s.record.scriptLogSize = Buffer.byteLength(s.record.scriptLog, "utf8");
  writeScriptLogFile(ctx.settings.scriptLog.dir, app.model.id, startMs, s.record.scriptLog);
}

function finishSuccess(ctx: RunnerContext, s: Session): void {
  const t = s.task.model;
  const rec = s.record;
  engineEnded(ctx, s, "succeeded");
  if (t.taskType === 3) emit(ctx, s, "SlaveReloadTask", "INFO", "Exiting execute of Distribute task request.");
  else emit(ctx, s, "TaskSession", "INFO", "Execution State Change to FinishedSuccess");
  writeLog(ctx, s, "success");
  const stop = ctx.now();
  commitFinal(ctx, s, () => {
    rec.stopMs = stop;
    const from = rec.status;
    rec.status = EXEC_STATUS.FinishedSuccess;
    detail(ctx, rec, `Changing task state from ${STATUS_NAMES[from]} to FinishedSuccess`);
    const app = appOf(ctx, s.task);
    if (t.taskType === 0 && app) {
      app.lastReloadMs = stop;
      app.modifiedMs = stop;
    }
  });
}

function finishFail(ctx: RunnerContext, s: Session): void {
  const t = s.task.model;
  const rec = s.record;
  engineEnded(ctx, s, "failed");
  writeLog(ctx, s, "fail");
  if (s.attempt < t.maxRetries) {
    rec.stopMs = ctx.now();
    ctx.load.ended(rec, rec.stopMs);
    ctx.slots.release(s);
    setStatus(ctx, s, EXEC_STATUS.Retry, 1);
    later(ctx, s, steps(s).step, () => {
      s.attempt++;
      s.record = newRecord(ctx, s.task, s.node, s.executionId, s.attempt);
      startAttempt(ctx, s);
    });
    return;
  }
  if (t.taskType === 3) emit(ctx, s, "SlaveReloadTask", "WARN", "Exiting execute of Distribute task request.");
  else if (t.taskType === 4) {
    const m = t.failMessage ?? "Could not reserve an executor for task";
    emit(ctx, s, "TaskSession", "ERROR", m === "Failed to start session" ? m : `${m} ${t.id}`);
  } else emit(ctx, s, "TaskSession", "WARN", "Task finished with state FinishedFail. Max retries reached.");
  const stop = ctx.now();
  commitFinal(ctx, s, () => {
    rec.stopMs = stop;
    const from = rec.status;
    rec.status = EXEC_STATUS.FinishedFail;
    detail(ctx, rec, `Changing task state from ${STATUS_NAMES[from]} to FinishedFail`, 0);
  });
}

/** Cancels the attempt's timers and runs AbortInitiated → Aborting → Aborted, a step apart. */
export function beginAbort(ctx: RunnerContext, s: Session, user: string): void {
  if (s.aborting) return;
  s.aborting = true;
  for (const t of s.pending) {
    ctx.clock.clearTimeout(t);
    ctx.allTimers.delete(t);
  }
  s.pending.clear();
  // An abort while waiting for an engine leaves the queue; the Scheduler then starts it aborting at once.
  if (s.record.status === EXEC_STATUS.Queued) ctx.slots.release(s);
  const { step } = steps(s);
  const rec = s.record;
  if (rec.startMs === undefined) {
    rec.startMs = ctx.now();
    ctx.load.started(rec);
  }
  s.user = user;
  setStatus(ctx, s, EXEC_STATUS.AbortInitiated, 1);
  later(ctx, s, step, () => {
    setStatus(ctx, s, EXEC_STATUS.Aborting, 1);
    later(ctx, s, step, () => {
      writeLog(ctx, s, "abort");
      engineEnded(ctx, s, "cancelled");
      emit(ctx, s, "TaskSession", "INFO", "Execution State Change to Aborted");
      const stop = ctx.now();
      commitFinal(ctx, s, () => {
        rec.stopMs = stop;
        rec.status = EXEC_STATUS.Aborted;
        detail(ctx, rec, "Changing task state from Aborting to Aborted", 1);
      });
    });
  });
}
