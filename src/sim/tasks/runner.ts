// The task state machine (spec §5.4): runs of all five task types through Triggered → Started/Distribution* →
// FinishedSuccess | FinishedFail (with Retry) | AbortInitiated → Aborting → Aborted, writing execution results,
// details, script logs, and the Scheduler log lines the UDP appenders match on.
import type { Outcome } from "../site/schema";
import type { SimSettings } from "../settings";
import { effectiveDuration } from "../settings";
import { newGuid, ZERO_GUID } from "../util/ids";
import { EXEC_STATUS, type ExecutionRecord, type Repository, type TaskState } from "../repo/repository";
import type { NodeModel } from "../site/model";
import { buildScriptLog, type ScriptLogShape, type ScriptLogWarnings } from "./script-log";
import type { SchedulerLogEvent } from "./log-event";

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

interface Session {
  executionId: string;
  task: TaskState;
  /** The node running the session: its Scheduler logs the lines, so its appender sends the datagrams. */
  node: NodeModel;
  user: string;
  outcome: Outcome;
  durationMs: number;
  scriptLog?: ScriptLogShape;
  logWarnings?: ScriptLogWarnings;
  attempt: number;
  record: ExecutionRecord;
  /** Timers of the current attempt, cancelled by an abort. */
  pending: Set<ReturnType<typeof setTimeout>>;
  aborting: boolean;
  /** The final transition was logged; the session only waits for the QRS to show it. */
  done: boolean;
}

export interface RunnerDeps {
  repo: Repository;
  settings: SimSettings;
  now: () => number;
  onLog: (event: SchedulerLogEvent) => void;
}

/** Final status of a run as QRS stores it (7 FinishedSuccess, 8 FinishedFail, 6 Aborted…), for task-event triggers. */
export type FinishListener = (taskId: string, status: number) => void;

export interface TaskRunner {
  start(taskId: string, opts?: StartOptions): StartResult;
  /** Aborts a running task; false when it is not running. */
  abort(taskId: string, user?: string): boolean;
  isRunning(taskId: string): boolean;
  /**
   * A trigger fell due while the task was still running: the Scheduler starts nothing and QRS records an
   * execution result with status Skipped (9), which no log line (so no datagram) reports.
   */
  recordSkipped(taskId: string): void;
  /** executionIDs of running sessions (for `/qrs/executionsession/{id}`). */
  runningSessions(): { executionId: string; taskId: string; user: string; startMs: number }[];
  stop(): void;
  onFinished(listener: FinishListener): void;
}

export function createTaskRunner(deps: RunnerDeps): TaskRunner {
  const { repo, settings, now } = deps;
  const sessions = new Map<string, Session>();
  const allTimers = new Set<ReturnType<typeof setTimeout>>();

  const finishListeners: FinishListener[] = [];
  const later = (s: Session | undefined, ms: number, fn: () => void) => {
    const t = setTimeout(
      () => {
        allTimers.delete(t);
        s?.pending.delete(t);
        fn();
      },
      Math.max(0, ms),
    );
    allTimers.add(t);
    s?.pending.add(t);
  };

  const nodeById = (id: string | undefined) => repo.site.nodes.find((n) => n.id === id);
  const appOf = (t: TaskState) => (t.model.appId ? repo.findApp(t.model.appId) : undefined);

  const emit = (s: Session, logger: SchedulerLogEvent["logger"], level: SchedulerLogEvent["level"], message: string, user = s.user) => {
    const t = s.task.model;
    // Only reload tasks carry app name and id in the Scheduler's log context.
    const app = t.taskType === 0 ? appOf(s.task) : undefined;
    deps.onLog({
      logger,
      level,
      message,
      timeMs: now(),
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
  };

  const detail = (rec: ExecutionRecord, message: string, detailsType: 0 | 1 | 2 = 2) => {
    const at = now();
    rec.details.push({ id: newGuid(), detailsType, message, createdMs: at });
    rec.modifiedMs = at;
  };

  const setStatus = (s: Session, to: number, detailsType: 0 | 1 | 2 = 2) => {
    const from = s.record.status;
    s.record.status = to;
    detail(s.record, `Changing task state from ${STATUS_NAMES[from]} to ${STATUS_NAMES[to]}`, detailsType);
    emit(s, "TaskSession", "INFO", `Execution State Change to ${STATUS_NAMES[to]}`);
  };

  /** Final updates reach the QRS `qrsLagMs` after the Scheduler logged them (and sent UDP). */
  const commitFinal = (s: Session, apply: () => void) => {
    s.done = true;
    const finish = () => {
      apply();
      s.task.runningSession = undefined;
      sessions.delete(s.task.model.id);
      for (const l of finishListeners) l(s.task.model.id, s.record.status);
    };
    if (settings.timing.qrsLagMs > 0) later(undefined, settings.timing.qrsLagMs, finish);
    else finish();
  };

  const writeLog = (s: Session, outcome: "success" | "fail" | "abort") => {
    const t = s.task.model;
    const app = appOf(s.task);
    if (t.taskType !== 0 || !app) return;
    const startMs = s.record.startMs ?? now();
    s.record.scriptLog = buildScriptLog({
      script: app.script,
      productVersion: repo.site.info.productVersion,
      user: s.user,
      startMs,
      stopMs: now(),
      outcome,
      ...(t.scriptError === undefined ? {} : { error: t.scriptError }),
      partial: t.partial,
      ...(s.scriptLog ? { shape: s.scriptLog } : {}),
      ...(s.logWarnings ? { warnings: s.logWarnings } : {}),
    });
    s.record.scriptLogSize = Buffer.byteLength(s.record.scriptLog, "utf8");
  };

  const attemptFails = (s: Session): boolean => {
    const o = s.outcome;
    if (o === "fail") return true;
    if (typeof o === "object") {
      if (s.task.failuresLeft > 0) {
        s.task.failuresLeft--;
        return true;
      }
    }
    return false;
  };

  const steps = (s: Session) => {
    const total = s.durationMs;
    const step = Math.min(2_000, Math.max(1, Math.round(total * 0.1)));
    return { step, total: Math.max(total, 3 * step) };
  };

  /** A fresh execution result for attempt `attempt` of session `executionId`. */
  const newRecord = (task: TaskState, n: NodeModel, executionId: string, attempt: number, atMs?: number): ExecutionRecord => {
    const at = Math.min(atMs ?? now(), now());
    return {
      id: newGuid(),
      executionID: executionId,
      taskId: task.model.id,
      appId: task.model.taskType === 0 ? appOf(task)?.model.id : undefined,
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
  };

  /** Runs the session's current record (already created) from Triggered to its outcome. */
  const startAttempt = (s: Session) => {
    const t = s.task.model;
    const n = s.node;
    const app = appOf(s.task);
    const rec = s.record;
    repo.addExecution(rec);
    s.task.lastExecutionResultId = rec.id;
    detail(rec, "Changing task state to Triggered");
    emit(s, "TaskSession", "INFO", "Execution State Change to Triggered");

    const { step, total } = steps(s);
    later(s, step / 2, () => detail(rec, `Trying to start task. Sending task to slave scheduler ${n.hostName}`));
    if (t.taskType === 3) {
      later(s, step, () => setStatus(s, EXEC_STATUS.DistributionQueue));
      later(s, 2 * step, () => {
        rec.startMs = now();
        setStatus(s, EXEC_STATUS.DistributionRunning);
      });
    } else {
      later(s, step, () => {
        rec.startMs = now();
        setStatus(s, EXEC_STATUS.Started);
        if (t.taskType === 0 && app) {
          if (!settings.scriptLog.zeroFileReference) rec.fileReferenceID = newGuid();
          const stamp = new Date(rec.startMs)
            .toISOString()
            .replace(/[-:]/g, "")
            .replace(/\.(\d{3})Z$/, ".$1+0000");
          rec.scriptLogLocation = `C:\\ProgramData\\Qlik\\Sense\\Log\\Script\\${app.model.id}.${stamp}.log`;
          detail(rec, "Reference to scriptlog added");
        }
      });
    }
    if (s.outcome === "abort") later(s, Math.max(2 * step + 1, Math.round(total / 2)), () => beginAbort(s, s.user));
    else later(s, total, () => (attemptFails(s) ? finishFail(s) : finishSuccess(s)));
  };

  const finishSuccess = (s: Session) => {
    const t = s.task.model;
    const rec = s.record;
    if (t.taskType === 3) emit(s, "SlaveReloadTask", "INFO", "Exiting execute of Distribute task request.");
    else emit(s, "TaskSession", "INFO", "Execution State Change to FinishedSuccess");
    writeLog(s, "success");
    const stop = now();
    commitFinal(s, () => {
      rec.stopMs = stop;
      const from = rec.status;
      rec.status = EXEC_STATUS.FinishedSuccess;
      detail(rec, `Changing task state from ${STATUS_NAMES[from]} to FinishedSuccess`);
      const app = appOf(s.task);
      if (t.taskType === 0 && app) {
        app.lastReloadMs = stop;
        app.modifiedMs = stop;
      }
    });
  };

  const finishFail = (s: Session) => {
    const t = s.task.model;
    const rec = s.record;
    writeLog(s, "fail");
    if (s.attempt < t.maxRetries) {
      rec.stopMs = now();
      setStatus(s, EXEC_STATUS.Retry, 1);
      later(s, steps(s).step, () => {
        s.attempt++;
        s.record = newRecord(s.task, s.node, s.executionId, s.attempt);
        startAttempt(s);
      });
      return;
    }
    if (t.taskType === 3) emit(s, "SlaveReloadTask", "WARN", "Exiting execute of Distribute task request.");
    else if (t.taskType === 4) {
      const m = t.failMessage ?? "Could not reserve an executor for task";
      emit(s, "TaskSession", "ERROR", m === "Failed to start session" ? m : `${m} ${t.id}`);
    } else emit(s, "TaskSession", "WARN", "Task finished with state FinishedFail. Max retries reached.");
    const stop = now();
    commitFinal(s, () => {
      rec.stopMs = stop;
      const from = rec.status;
      rec.status = EXEC_STATUS.FinishedFail;
      detail(rec, `Changing task state from ${STATUS_NAMES[from]} to FinishedFail`, 0);
    });
  };

  const beginAbort = (s: Session, user: string) => {
    if (s.aborting) return;
    s.aborting = true;
    for (const t of s.pending) {
      clearTimeout(t);
      allTimers.delete(t);
    }
    s.pending.clear();
    const { step } = steps(s);
    const rec = s.record;
    if (rec.startMs === undefined) rec.startMs = now();
    s.user = user;
    setStatus(s, EXEC_STATUS.AbortInitiated, 1);
    later(s, step, () => {
      setStatus(s, EXEC_STATUS.Aborting, 1);
      later(s, step, () => {
        writeLog(s, "abort");
        emit(s, "TaskSession", "INFO", "Execution State Change to Aborted");
        const stop = now();
        commitFinal(s, () => {
          rec.stopMs = stop;
          rec.status = EXEC_STATUS.Aborted;
          detail(rec, "Changing task state from Aborting to Aborted", 1);
        });
      });
    });
  };

  return {
    start(taskId, opts = {}) {
      const task = repo.findTask(taskId);
      if (!task) return { started: false, reason: "not-found" };
      if (!task.model.enabled) return { started: false, reason: "disabled" };
      if (task.runningSession) return { started: false, reason: "running", executionId: task.runningSession };
      const outcome = opts.outcome ?? task.model.outcome;
      if (opts.outcome !== undefined && typeof opts.outcome === "object") task.failuresLeft = opts.outcome.failThenSucceed;
      const executionId = newGuid();
      const node = nodeById(opts.nodeId) ?? nodeById(task.model.nodeId) ?? repo.site.nodes[0]!;
      const s: Session = {
        executionId,
        task,
        node,
        user: opts.user ?? SCHEDULER_USER,
        outcome,
        durationMs: effectiveDuration(settings.timing, task.model.durationMs, opts.durationMs),
        ...(opts.scriptLog ? { scriptLog: opts.scriptLog } : {}),
        ...(opts.logWarnings ? { logWarnings: opts.logWarnings } : {}),
        attempt: 0,
        record: newRecord(task, node, executionId, 0, opts.atMs),
        pending: new Set(),
        aborting: false,
        done: false,
      };
      task.runningSession = s.executionId;
      sessions.set(task.model.id, s);
      startAttempt(s);
      return { started: true, executionId: s.executionId, executionResultId: s.record.id };
    },
    abort(taskId, user = SCHEDULER_USER) {
      const task = repo.findTask(taskId);
      const s = task ? sessions.get(task.model.id) : undefined;
      if (!s || s.aborting || s.done) return false;
      beginAbort(s, user);
      return true;
    },
    isRunning: (taskId) => repo.findTask(taskId)?.runningSession !== undefined,
    recordSkipped(taskId) {
      const task = repo.findTask(taskId);
      if (!task) return;
      const node = nodeById(task.model.nodeId) ?? repo.site.nodes[0]!;
      const rec = newRecord(task, node, newGuid(), 0);
      rec.status = EXEC_STATUS.Skipped;
      rec.startMs = rec.createdMs;
      rec.stopMs = rec.createdMs;
      repo.addExecution(rec);
      detail(rec, "Task skipped: the previous execution is still running");
    },
    runningSessions: () =>
      [...sessions.values()].map((s) => ({
        executionId: s.executionId,
        taskId: s.task.model.id,
        user: s.user,
        startMs: s.record.createdMs,
      })),
    onFinished: (l) => void finishListeners.push(l),
    stop() {
      for (const t of allTimers) clearTimeout(t);
      allTimers.clear();
    },
  };
}
