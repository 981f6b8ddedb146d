// Turns "this run ended" (from a datagram or from reconciliation) into a TaskEvent, looking up the task, the
// execution result, the app and its owner, and the script log in QRS, each lookup with its own time budget.
// A failed lookup never drops the event: it goes out with `complete: false` and a `missing` entry.
import type { Logger } from "pino";
import type { IntakeConfig } from "../intake/config";
import type { Clock } from "../../platform/core/clock";
import type { QrsCallOptions, QrsClient } from "../../platform/qlik/qrs-client";
import { ZERO_GUID, type QrsApp, type QrsExecutionResult, type QrsUser } from "../../platform/qlik/qrs-schemas";
import { queueHistory } from "../../platform/qlik/queue-history";
import { settleDatagramClaims } from "./datagram-claims";
import { confirmRun } from "./run-confirmation";
import { createLookups, type Lookups } from "./qrs-lookups";
import { createEnrichReaders, prefetchRun } from "./enrich-readers";
import { createFinalExecutionFinder } from "./final-execution";
import { appPart, executionPart, linksFor, scriptLogExcerpt, taskPart, taskTypeOf, withFinalExecution, withOwner } from "./enrich-mappers";
import { runKey } from "./run-key";
import { createUserCheck, shownUser } from "./user-check";
import { shownHost, unverifiedText } from "../../platform/events/unverified-text";
import { addRunAttempts } from "./run-attempts";
import type { QueuedRun, RunReport } from "./run-report";
import type { TaskEvent, TaskType } from "../../platform/events/types";

export type { QueuedRun, RunReport } from "./run-report";

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
  /** A queued run's task is known (see prefetchRun): a later stage may start its reads for the run. */
  taskKnown?: (q: QueuedRun) => void;
}

type Missing = TaskEvent["missing"];

export interface EnrichLinks {
  qmcUrl?: string;
  hubUrl?: string;
  appBaseUrl?: string;
}

export interface TaskEventEnricher {
  enrich(report: RunReport): Promise<TaskEvent>;
  /** Starts the QRS reads `report`'s enrichment will make, for a run that waits its turn (see prefetchRun). */
  prefetch?(report: RunReport): void;
}

export function createTaskEventEnricher(cfg: IntakeConfig["enrichment"], links: EnrichLinks, deps: EnricherDeps): TaskEventEnricher {
  const log = deps.log.child({ module: "enrich" });
  const sleep = (ms: number) => new Promise<void>((r) => deps.clock.setTimeout(r, ms));

  // Shared by every run this enricher sees: concurrent runs share their QRS reads.
  const readers = deps.qrs ? createEnrichReaders(deps.qrs, deps.clock) : undefined;

  const executionFor = createFinalExecutionFinder(cfg, { ...deps, sleep });
  const users = deps.qrs ? createUserCheck(deps.qrs, deps.clock, cfg.lookupTimeoutMs) : undefined;

  return {
    prefetch: (r) => readers && prefetchRun(readers, r, cfg.lookupTimeoutMs, deps.clock.now(), deps.taskKnown),
    async enrich(r) {
      const missing: Missing = [...(r.knownMissing ?? [])];
      const receivedAt = new Date(deps.clock.now()).toISOString();
      const event = baseEvent(r, links, receivedAt, missing);
      const qrs = deps.qrs;
      const notBefore = r.heardAtMs ?? deps.clock.now(); // rows read since then show the run's end: they may be shared
      if (r.deniedByQrs && r.source === "udp") {
        event.unconfirmed = { qrs: "denied", reason: r.deniedByQrs };
        missing.push({ item: "confirmation", reason: r.deniedByQrs });
        return event;
      }
      if (!qrs || !readers) {
        missing.push({ item: "qrs", reason: "qlik is not configured, so task, app and execution details are unknown" });
        return event;
      }

      const look = createLookups(cfg, missing);
      const task = await look.run("task", (o) => readers.task.one(r.taskId, { ...o, notBefore }));
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
        const u = await confirmRun(qrs, r, task, undefined, look, deps);
        if (u?.qrs === "denied" && denied(u)) return event;
      }

      const [execution, app] = await Promise.all([
        executionFor(qrs, readers, r, task, missing, look),
        appId ? look.run("app", (o) => readers.app.one(appId, { ...o, notBefore })) : Promise.resolve(undefined),
      ]);
      if (execution && r.executionIdAsSent !== undefined && execution.executionID) {
        // Found by time: from here on the run is QRS's own execution (reconciliation then knows it as announced).
        event.executionId = execution.executionID.toLowerCase();
        event.id = runKey(event.executionId, r.outcome);
      }
      if (execution) {
        event.execution = executionPart(execution);
        if (!event.host) event.host = execution.executingNodeName ?? "";
        // An abort is reported while QRS still says Aborting: Butler sent the task as read then, and so does Steward.
        if (event.taskMetadata && r.outcome !== "aborted") event.taskMetadata = withFinalExecution(event.taskMetadata, execution, event.executionId);
      }
      if (app) {
        event.app = appPart(app);
        event.appMetadata = app as Record<string, unknown>;
        event.links = linksFor(links.qmcUrl, links.hubUrl, app.id, links.appBaseUrl);
      } else if (appId && !event.app) {
        event.app = { id: appId, name: task?.app?.name ?? r.appName ?? "", stream: task?.app?.stream?.name, tags: [], customProperties: [] };
      }
      if (denied(await confirmRun(qrs, r, task, execution, look, deps))) return event;
      // Confirmed: QRS, not the first datagram to arrive, says which node ran it and what happened.
      if (r.source === "udp" && !event.unconfirmed && execution) {
        const replaced = settleDatagramClaims(event, execution, r.distribute === true);
        if (replaced.length > 0)
          log.info({ eventId: event.id, replaced, datagramHost: r.host }, "the datagram's host or message did not match QRS; QRS's are used");
      }

      // The user the datagram named is shown as QRS spells it, or as unverified text (it may be anything).
      const [, user] = await Promise.all([
        addOwnerAndScriptLog(cfg, qrs, look, r, execution, app, event, (id, o) => readers.user.one(id, { ...o, notBefore })),
        // QRS known to be down: not asked again (the user stays unverified), so an unconfirmed alert is not delayed.
        r.user && users && !look.down ? users.check(r.user) : undefined,
      ]);
      if (r.user) event.user = shownUser(r.user, user);
      await addRunAttempts(cfg, qrs, look, event, execution);

      event.complete = missing.length === 0;
      if (!event.complete) log.debug({ eventId: event.id, missing }, "task event is incomplete");
      return event;
    },
  };
}

function guessType(r: RunReport): TaskType {
  if (r.distribute) return "distribute";
  return r.appId ? "reload" : "externalProgram";
}

/** The event as the report tells it, before any QRS lookup. */
function baseEvent(r: RunReport, links: EnrichLinks, receivedAt: string, missing: Missing): TaskEvent {
  return {
    id: runKey(r.executionId, r.outcome),
    kind: `task.${r.outcome}`,
    outcome: r.outcome,
    taskType: guessType(r),
    source: r.source,
    receivedAt,
    // As sent until QRS confirms the run (settleDatagramClaims); text no host name can hold is shown unverified.
    host: r.host !== undefined ? shownHost(r.host) : (r.execution?.executingNodeName ?? ""),
    // As sent ("(null)") when the datagram named no execution, as Butler's alerts show it, until QRS's run is found.
    executionId: r.executionIdAsSent ?? r.executionId,
    // Unverified until QRS is asked (below).
    user: r.user ? unverifiedText(r.user) : "",
    logTimestamp: r.logTimestamp,
    logLevel: r.logLevel,
    logMessage: r.logMessage,
    task: { id: r.taskId, name: r.taskName ?? "", tags: [], customProperties: [] },
    app: r.appId ? { id: r.appId, name: r.appName ?? "", tags: [], customProperties: [] } : undefined,
    execution: r.execution ? executionPart(r.execution) : undefined,
    complete: false,
    missing,
    links: linksFor(links.qmcUrl, links.hubUrl, r.appId, links.appBaseUrl),
  };
}

/** The app owner's details and, for a reload that failed (or any, when asked for), an excerpt of its script log. */
async function addOwnerAndScriptLog(
  cfg: IntakeConfig["enrichment"],
  qrs: QrsClient,
  look: Lookups,
  r: RunReport,
  execution: QrsExecutionResult | undefined,
  app: QrsApp | undefined,
  event: TaskEvent,
  readUser: (id: string, o: QrsCallOptions) => Promise<QrsUser>,
): Promise<void> {
  // A run that ended while it waited in the queue (cancelled by its timeout, or failing to start) never ran its script:
  // there is no log to read or to blame.
  const waited = execution ? queueHistory(execution.details, execution.status) : undefined;
  const neverRan = waited?.cancelled === true || waited?.failedWaiting === true;
  const wantLog = cfg.scriptLog.enabled && event.taskType === "reload" && (r.outcome !== "succeeded" || cfg.scriptLog.onSuccess) && !neverRan;
  const ownerId = app?.owner?.id;
  const budgetLog = cfg.scriptLog.attempts * (cfg.lookupTimeoutMs + cfg.scriptLog.retryDelayMs);
  const [owner, logResult] = await Promise.all([
    ownerId ? look.run("appOwner", (o) => readUser(ownerId, o)) : Promise.resolve(undefined),
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
}
