// Turns "this run ended" (from a datagram or from reconciliation) into a TaskEvent, looking up the task, the
// execution result, the app and its owner, and the script log in QRS, each lookup with its own time budget.
// A failed lookup never drops the event: it goes out with `complete: false` and a `missing` entry.
import type { Logger } from "pino";
import type { Config } from "../config/schema";
import type { Clock } from "../core/clock";
import { describeError, isAppError } from "../core/errors";
import { eq } from "../qlik/qrs-filter";
import type { QrsCallOptions, QrsClient } from "../qlik/qrs-client";
import { FINAL_EXECUTION_STATUSES, ZERO_GUID, executionStatusName, isNeverDate, type QrsExecutionResult, type QrsTask } from "../qlik/qrs-schemas";
import { settleDatagramClaims } from "./datagram-claims";
import { appPart, executionPart, linksFor, outcomeOfStatus, scriptLogExcerpt, taskPart, taskTypeOf, withFinalExecution, withOwner } from "./enrich-mappers";
import { runKey } from "./run-key";
import type { TaskEvent, TaskOutcome, TaskType } from "./types";

/** What is known about a finished run before enrichment. */
export interface RunReport {
  source: TaskEvent["source"];
  outcome: TaskOutcome;
  executionId: string;
  taskId: string;
  appId?: string;
  host?: string;
  user?: string;
  taskName?: string;
  appName?: string;
  logTimestamp?: string;
  logLevel?: string;
  logMessage?: string;
  /** The datagram came from the distribute appender (the task type is known without QRS). */
  distribute?: boolean;
  /** An execution result already read from QRS (reconciliation, distribute polling). */
  execution?: QrsExecutionResult;
  /** Gaps the caller already knows of (e.g. a distribute outcome that had to be guessed). */
  knownMissing?: TaskEvent["missing"];
  /** The caller already found that QRS has no such run (why): it is marked unconfirmed without further lookups. */
  deniedByQrs?: string;
}

export interface EnricherDeps {
  qrs?: QrsClient;
  log: Logger;
  clock: Clock;
  /**
   * A datagram for a run that ended longer ago than this is a replay (de-duplication forgets runs after this
   * long, `intake.dedupe.ttlHours`): unconfirmed.
   */
  maxRunAgeMs?: number;
  /**
   * How many runs whose execution QRS has not shown may be re-read at once (the rest are decided on one read);
   * keeps forged datagrams from holding every enrichment worker. Unlimited when unset.
   */
  maxWaitingForExecution?: number;
}

type Missing = TaskEvent["missing"];

type Lookups = {
  readonly down: string | undefined;
  errorOf(item: string): unknown;
  run<T>(item: string, fn: (o: QrsCallOptions) => Promise<T>, budgetMs?: number, into?: Missing): Promise<T | undefined>;
};

export interface TaskEventEnricher {
  enrich(report: RunReport): Promise<TaskEvent>;
}

export function createTaskEventEnricher(
  cfg: Config["intake"]["enrichment"],
  links: { qmcUrl?: string; hubUrl?: string },
  deps: EnricherDeps,
): TaskEventEnricher {
  const log = deps.log.child({ module: "enrich" });
  const sleep = (ms: number) => new Promise<void>((r) => deps.clock.setTimeout(r, ms));

  /**
   * Runs QRS lookups for one event within their budgets; failures are recorded in `missing`, never thrown. Once
   * QRS proved unreachable (network, 5xx, timeout) the remaining lookups of this event are skipped: they would
   * fail the same way, slowly, and a struggling QRS needs fewer calls, not more.
   */
  function lookups(missing: Missing) {
    let down: string | undefined;
    const errors = new Map<string, unknown>();
    return {
      get down() {
        return down;
      },
      errorOf: (item: string) => errors.get(item),
      async run<T>(item: string, fn: (o: QrsCallOptions) => Promise<T>, budgetMs = cfg.lookupTimeoutMs, into: Missing = missing): Promise<T | undefined> {
        if (down) {
          into.push({ item, reason: `skipped: ${down}` });
          return undefined;
        }
        const signal = AbortSignal.timeout(budgetMs);
        try {
          return await fn({ timeoutMs: Math.min(budgetMs, cfg.lookupTimeoutMs), signal });
        } catch (err) {
          errors.set(item, err);
          const reason = signal.aborted ? `no answer from QRS within ${budgetMs} ms` : describeError(err);
          if (signal.aborted || (isAppError(err) && (err.code === "QRS_UNAVAILABLE" || err.code === "TIMEOUT"))) down = `QRS unavailable (${reason})`;
          into.push({ item, reason });
          return undefined;
        }
      },
    };
  }

  /** Runs whose execution QRS has not shown yet, being re-read right now (see EnricherDeps.maxWaitingForExecution). */
  let waitingForExecution = 0;

  async function executionFor(
    qrs: QrsClient,
    r: RunReport,
    task: QrsTask | undefined,
    missing: Missing,
    look: Lookups,
  ): Promise<QrsExecutionResult | undefined> {
    let result = r.execution;
    let lastTry: Missing = [];
    let waiting = false;
    const stopWaiting = () => {
      if (waiting) waitingForExecution--;
      waiting = false;
    };
    try {
      for (let attempt = 1; attempt <= cfg.finalStatusAttempts; attempt++) {
        if (result && FINAL_EXECUTION_STATUSES.has(result.status)) return result;
        if (result) stopWaiting();
        else if (attempt > 1 && !waiting) {
          // Forged datagrams name runs QRS never shows: only so many may wait for one, so that the others
          // cannot hold every worker while real runs queue behind them.
          if (waitingForExecution >= (deps.maxWaitingForExecution ?? Number.POSITIVE_INFINITY)) break;
          waitingForExecution++;
          waiting = true;
        }
        if (attempt > 1) await sleep(cfg.finalStatusDelayMs);
        const last = attempt === 1 ? task?.operational?.lastExecutionResult : undefined;
        if (last && (last.executionID ?? "").toLowerCase() === r.executionId) {
          result = last;
          continue;
        }
        lastTry = [];
        const rows = await look.run("execution", (o) => qrs.getExecutionResults(eq("executionID", r.executionId), o), undefined, lastTry);
        const newest = rows?.sort((a, b) => (b.stopTime ?? "").localeCompare(a.stopTime ?? ""))[0];
        if (newest) result = newest;
        if (look.down) break;
      }
    } finally {
      stopWaiting();
    }
    if (result && !FINAL_EXECUTION_STATUSES.has(result.status)) {
      missing.push({ item: "execution", reason: `QRS had not recorded the end of the run yet (status ${executionStatusName(result.status)})` });
    } else if (!result) {
      missing.push(...(lastTry.length ? lastTry : [{ item: "execution", reason: `QRS has no execution result for execution ${r.executionId}` }]));
    }
    return result;
  }

  /**
   * Whether QRS confirms the run a datagram reports: UDP is unauthenticated and source addresses can be forged,
   * so a datagram is a hint. Confirmed: QRS knows the task and an execution with this id of this task, and, if
   * that execution is final, its outcome is the datagram's. The execution row exists from the moment the run is
   * triggered; only its final state lags, which the final-status reads already wait for.
   */
  async function confirmation(
    qrs: QrsClient,
    r: RunReport,
    task: QrsTask | undefined,
    execution: QrsExecutionResult | undefined,
    look: Lookups,
  ): Promise<TaskEvent["unconfirmed"]> {
    if (r.source !== "udp") return undefined;
    if (look.down) return { qrs: "unavailable", reason: `QRS could not be asked (${look.down.replace(/^QRS unavailable \((.*)\)$/, "$1")})` };
    if (!task) {
      const err = look.errorOf("task");
      if (isAppError(err) && err.code === "NOT_FOUND") return { qrs: "denied", reason: `QRS has no task ${r.taskId}` };
      return { qrs: "unavailable", reason: `the task lookup failed (${describeError(err)})` };
    }
    if (!execution) {
      const err = look.errorOf("execution");
      if (err) return { qrs: "unavailable", reason: `the execution lookup failed (${describeError(err)})` };
      return { qrs: "denied", reason: `QRS has no execution ${r.executionId} of task ${r.taskId}` };
    }
    if (execution.taskID && execution.taskID.toLowerCase() !== r.taskId) {
      return { qrs: "denied", reason: `execution ${r.executionId} belongs to task ${execution.taskID.toLowerCase()}, not ${r.taskId}` };
    }
    const final = FINAL_EXECUTION_STATUSES.has(execution.status) ? outcomeOfStatus(execution.status) : undefined;
    const stopped = final && !isNeverDate(execution.stopTime) ? Date.parse(execution.stopTime!) : Number.NaN;
    if (deps.maxRunAgeMs !== undefined && deps.clock.now() - stopped > deps.maxRunAgeMs) {
      return { qrs: "denied", reason: `execution ${r.executionId} ended at ${execution.stopTime}, longer ago than runs are remembered: a replayed datagram` };
    }
    if (r.distribute || !final || final === r.outcome) return undefined;
    // A task with retries has one result per attempt under the same ExecutionId: an earlier attempt may have
    // ended the way the datagram says.
    const attempts = await look.run("confirmation", (o) => qrs.getExecutionResults(eq("executionID", r.executionId), o));
    if (attempts === undefined) return { qrs: "unavailable", reason: `the execution lookup failed (${describeError(look.errorOf("confirmation"))})` };
    if (attempts.some((a) => FINAL_EXECUTION_STATUSES.has(a.status) && outcomeOfStatus(a.status) === r.outcome)) return undefined;
    return { qrs: "denied", reason: `QRS reports execution ${r.executionId} as ${executionStatusName(execution.status)}, the datagram as ${r.outcome}` };
  }

  function guessType(r: RunReport): TaskType {
    if (r.distribute) return "distribute";
    return r.appId ? "reload" : "externalProgram";
  }

  return {
    async enrich(r) {
      const missing: Missing = [...(r.knownMissing ?? [])];
      const receivedAt = new Date(deps.clock.now()).toISOString();
      const event: TaskEvent = {
        id: runKey(r.executionId, r.outcome),
        kind: `task.${r.outcome}`,
        outcome: r.outcome,
        taskType: guessType(r),
        source: r.source,
        receivedAt,
        host: r.host ?? r.execution?.executingNodeName ?? "",
        executionId: r.executionId,
        user: r.user ?? "",
        logTimestamp: r.logTimestamp,
        logLevel: r.logLevel,
        logMessage: r.logMessage,
        task: { id: r.taskId, name: r.taskName ?? "", tags: [], customProperties: [] },
        app: r.appId ? { id: r.appId, name: r.appName ?? "", tags: [], customProperties: [] } : undefined,
        execution: r.execution ? executionPart(r.execution) : undefined,
        complete: false,
        missing,
        links: linksFor(links.qmcUrl, links.hubUrl, r.appId),
      };
      const qrs = deps.qrs;
      if (r.deniedByQrs && r.source === "udp") {
        event.unconfirmed = { qrs: "denied", reason: r.deniedByQrs };
        missing.push({ item: "confirmation", reason: r.deniedByQrs });
        return event;
      }
      if (!qrs) {
        missing.push({ item: "qrs", reason: "qlik is not configured, so task, app and execution details are unknown" });
        return event;
      }

      const look = lookups(missing);
      const task = await look.run("task", (o) => qrs.getTaskFull(r.taskId, o));
      const type = taskTypeOf(task?.taskType);
      if (task) {
        event.task = taskPart(task);
        event.taskMetadata = task as Record<string, unknown>;
      }
      if (type) event.taskType = type;
      else missing.push({ item: "taskType", reason: task ? `unknown QRS taskType ${task.taskType}` : `guessed as ${event.taskType} (task lookup failed)` });
      const appId = r.appId ?? (task?.app?.id && task.app.id !== ZERO_GUID ? task.app.id : undefined);
      // Marks an unconfirmed run; true when QRS denied it: such a run costs no further lookups (a forged
      // datagram must be cheap).
      const denied = (u: TaskEvent["unconfirmed"]) => {
        if (!u) return false;
        event.unconfirmed = u;
        missing.push({ item: "confirmation", reason: u.reason });
        return u.qrs === "denied";
      };
      if (!task) {
        const u = await confirmation(qrs, r, task, undefined, look);
        if (u?.qrs === "denied" && denied(u)) return event;
      }

      const [execution, app] = await Promise.all([
        executionFor(qrs, r, task, missing, look),
        appId ? look.run("app", (o) => qrs.getAppFull(appId, o)) : Promise.resolve(undefined),
      ]);
      if (execution) {
        event.execution = executionPart(execution);
        if (!event.host) event.host = execution.executingNodeName ?? "";
        if (event.taskMetadata) event.taskMetadata = withFinalExecution(event.taskMetadata, execution, r.executionId);
      }
      if (app) {
        event.app = appPart(app);
        event.appMetadata = app as Record<string, unknown>;
        event.links = linksFor(links.qmcUrl, links.hubUrl, app.id);
      } else if (appId && !event.app) {
        event.app = { id: appId, name: task?.app?.name ?? r.appName ?? "", stream: task?.app?.stream?.name, tags: [], customProperties: [] };
      }
      if (denied(await confirmation(qrs, r, task, execution, look))) return event;
      // Confirmed: QRS, not the first datagram to arrive, says which node ran it and what happened.
      if (r.source === "udp" && !event.unconfirmed && execution) {
        const replaced = settleDatagramClaims(event, execution, r.distribute === true);
        if (replaced.length > 0)
          log.info({ eventId: event.id, replaced, datagramHost: r.host }, "the datagram's host or message did not match QRS; QRS's are used");
      }

      const wantLog = cfg.scriptLog.enabled && event.taskType === "reload" && (r.outcome !== "succeeded" || cfg.scriptLog.onSuccess);
      const ownerId = app?.owner?.id;
      const budgetLog = cfg.scriptLog.attempts * (cfg.lookupTimeoutMs + cfg.scriptLog.retryDelayMs);
      const [owner, logResult] = await Promise.all([
        ownerId ? look.run("appOwner", (o) => qrs.getUser(ownerId, o)) : Promise.resolve(undefined),
        wantLog
          ? look.run(
              "scriptLog",
              (o) =>
                qrs.getScriptLog(r.taskId, {
                  executionResultId: execution?.id,
                  fileReferenceId: execution?.fileReferenceID ?? undefined,
                  attempts: cfg.scriptLog.attempts,
                  retryDelayMs: cfg.scriptLog.retryDelayMs,
                  timeoutMs: o.timeoutMs,
                  signal: o.signal,
                }),
              budgetLog,
            )
          : Promise.resolve(undefined),
      ]);
      if (owner && event.app) event.app.owner = withOwner(event.app.owner, owner);
      if (logResult) event.scriptLog = scriptLogExcerpt(logResult.text, cfg.scriptLog.headLines, cfg.scriptLog.tailLines, cfg.scriptLog.maxTextBytes);

      event.complete = missing.length === 0;
      if (!event.complete) log.debug({ eventId: event.id, missing }, "task event is incomplete");
      return event;
    },
  };
}
