// The step between the intake and the bus: a finished run is recorded, its incident opened, updated or closed in
// one store transaction (under a per-task lock on PostgreSQL), and the event leaves with its history, likely cause
// and incident, followed by task.recovered or task.warning when the run calls for one. A run handled twice (a
// retry after a crash, reconciliation) finds its row and says the same again instead of counting twice.
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import type { IncidentRef, RunHistory, RunWarning, StartedBy } from "../../platform/events/run-context";
import type { TaskEvent } from "../../platform/events/types";
import { isRetriedAttempt } from "../../platform/events/retried-attempt";
import type { QueuedRun } from "../../hear/events/run-report";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { IncidentsConfig } from "./config";
import type { SqlDb } from "../../platform/store/sql";
import type { Classifier, ErrorCause } from "./classify";
import { createFailureBatches, type RecordOutcome } from "./failure-batch";
import { decide, failureTouch, RecordedBefore } from "./incident-decision";
import { historyFor, priorRuns } from "./history";
import { incidentSql, type IncidentSql, type PastRun, type RunRow } from "./incident-store";
import { incidentRef, taskSubject } from "./incident-ref";
import { runsFromQrs } from "./qrs-seed";
import { KEPT_PER_TASK, recentRunsOf } from "./recent-runs";
import { logLines, tableRows } from "./script-tables";
import { createTriggerLookup } from "./started-by-trigger";
import { detectWarnings } from "./warnings";
import { withAttemptLines } from "./attempt-lines";
import { withPageAfter } from "./page-after-rules";
import { PAGE_AFTER_MAX_WINDOW_MS, type PageAfter } from "../notify/page-after";

/** Earlier runs read for one run's history. */
const RECENT_RUNS = 50;
/** Task ids remembered as having runs (a site has hundreds to a few thousand tasks). */
const KNOWN_TASKS_MAX = 20_000;

export interface AnnotatorDeps {
  db: SqlDb;
  classifier: Classifier;
  clock: Clock;
  log: Logger;
  qrs?: Pick<QrsClient, "getExecutionResults" | "request">;
  qrsTimeoutMs?: number;
  /** Keep the full log text of successful runs on the event (a route attaches it); else it is dropped after reading. */
  keepSuccessLogText?: boolean;
  /** A "page after N failures" threshold is configured (a route's or incidents.pageAfter): the history lists recent failures. */
  listRecentFailures?: boolean | (() => boolean);
  /** Automatic remediation (src/start/remediation), wired late: a failure it will retry waits (see FailureHold). */
  failureHold?: () => FailureHold | undefined;
}

/**
 * Decides, for a failed run of an open incident, whether its page waits: automatic remediation retries it and the
 * threshold it returns holds the failures until the retries are over (a retry that heals leaves nothing to page).
 */
export type FailureHold = (e: TaskEvent) => Promise<PageAfter | undefined>;

type Outcome = RecordOutcome;

/** A finished run; a failed attempt the Scheduler retries (QRS: Retry, status 10) is not one: its run's outcome is. */
const isRun = (e: TaskEvent) => (e.kind === "task.succeeded" || e.kind === "task.failed" || e.kind === "task.aborted") && !isRetriedAttempt(e);

export function createAnnotator(cfg: IncidentsConfig, deps: AnnotatorDeps) {
  const log = deps.log.child({ module: "incidents" });

  // Tasks known to have runs in the store: their history needs no seeding, so no query asks again. Runs are
  // purged only after `keepRuns`, long after a task's next run; forgetting the set now and then costs one query.
  const withRuns = new Set<string>();
  /** Whether the task's history may still need seeding from QRS (checked before any await: most runs need none). */
  const seedsWanted = (e: TaskEvent) => cfg.seedFromQrs && deps.qrs !== undefined && !withRuns.has(e.task.id);
  async function seeds(e: TaskEvent, before: number): Promise<RunRow[]> {
    if (!deps.qrs) return [];
    if (await incidentSql(deps.db).hasRuns(e.task.id)) {
      if (withRuns.size >= KNOWN_TASKS_MAX) withRuns.clear();
      withRuns.add(e.task.id);
      return [];
    }
    return runsFromQrs(
      deps.qrs,
      e.task.id,
      { since: before - cfg.keepRuns, before, excludeExecution: e.executionId, timeoutMs: deps.qrsTimeoutMs ?? 8_000 },
      log,
    );
  }

  // One process holds a SQLite store, so the runs it records are all there is: their latest are kept in memory.
  const kept = deps.db.dialect === "sqlite" ? recentRunsOf(deps.db) : undefined;
  async function recentRuns(s: IncidentSql, e: TaskEvent, at: number, withTables: boolean): Promise<PastRun[]> {
    if (kept) {
      if (!kept.has(e.task.id)) kept.load(e.task.id, await s.latest(e.task.id, KEPT_PER_TASK));
      const runs = kept.read(e.task.id, at, e.executionId, RECENT_RUNS);
      if (runs) return runs;
    }
    return s.recent(e.task.id, at, e.executionId, RECENT_RUNS, withTables);
  }

  /** A failure's "a success after it?", from the kept runs when they can say (one statement less a failure). */
  function firstSuccessAfter(s: IncidentSql, taskId: string, at: number): Promise<number | undefined> {
    const known = kept?.successAfter(taskId, at);
    return known ? Promise.resolve(known.at) : s.successAfter(taskId, at);
  }

  async function record(
    e: TaskEvent,
    at: number,
    cause: ErrorCause | undefined,
    tables: Record<string, number> | undefined,
    readOnly: boolean,
    seeded: RunRow[],
    rowFirst = false,
  ): Promise<Outcome> {
    const failed = e.outcome !== "succeeded";
    // SQLite: a failure's row is written by decide() once its incident is known, linked to it (incident-decision.ts).
    const linked = kept !== undefined && failed && !readOnly && !rowFirst;
    const subject = taskSubject(e.task.id);
    const now = deps.clock.now();
    // The earlier runs' tables are read only when this run's own may be compared with them.
    const withTables = !failed && tables !== undefined && cfg.warnings.enabled && cfg.warnings.emptyTables.enabled;
    const row = runRowOf(e, at, cause, tables);
    const recorded = deps.db.transaction(async (tx) => {
      const s = incidentSql(tx);
      const locked = s.lockSubject(subject);
      if (seeded.length > 0) {
        await locked;
        for (const r of seeded) await s.insertRun(r, now);
        kept?.forget(e.task.id);
      }
      // Sent together (on PostgreSQL one round trip behind the lock; the transaction's connection runs them in
      // order): the history, the run's own row, and what decides the incident: a newer success for a failure,
      // the open incident for a success.
      const insert = insertKept(s, kept, e.task.id, at, now);
      const [, recent, inserted, newerSuccess, openBefore] = await Promise.all([
        locked,
        recentRuns(s, e, at, withTables),
        readOnly ? false : linked ? undefined : insert(row),
        failed && !readOnly ? firstSuccessAfter(s, e.task.id, at) : undefined,
        failed && !readOnly ? undefined : s.open(subject),
      ]);
      const prior = priorRuns(recent);
      const previousTables = withTables ? recent.filter((r) => r.outcome === "succeeded" && r.tables).map((r) => r.tables!) : [];
      const base = { prior, previousTables };
      if (readOnly) return readOnlyOutcome(base, failed, at, openBefore);
      return decide(s, e, { at, now, cause, row, subject, inserted, insert, newerSuccess, openBefore, base });
    });
    // Rolled back: what was kept of this task may now differ from the store. A run recorded before is recorded again
    // with its row first (what it says then is what was decided when it was first handled).
    return recorded.catch((err: unknown) => {
      kept?.forget(e.task.id);
      if (err instanceof RecordedBefore) return record(e, at, cause, tables, readOnly, seeded, true);
      throw err;
    });
  }

  const batched = batchedRecorder(deps, record);
  // Shared by every run: the trigger lookups of a burst's failures go to QRS together.
  const triggers = createTriggerLookup({ ...deps, log, schedulerUsers: cfg.schedulerUsers, timeoutMs: deps.qrsTimeoutMs });

  return {
    /** PostgreSQL: the failure batches sent so far and the runs they carried (undefined on SQLite). */
    failureBatches: () => batched.stats(),
    /** Runs were deleted from the store (purged): the kept ones are read again. */
    runsPurged: () => kept?.clear(),
    /**
     * A failure of the Scheduler's own run waiting in the intake's queue: the reads of its trigger lookup start now,
     * batched with the burst's, and are kept for its annotation.
     */
    prepare: (q: QueuedRun): void => triggers.prepare(q),
    /**
     * The event with history, cause and incident, then its follow-ups; a non-run event comes back as it is.
     * `heardAtMs`: when the run was heard of; QRS reads begun since then serve it (default: those begun from now on).
     */
    async annotate(e: TaskEvent, heardAtMs?: number): Promise<TaskEvent[]> {
      if (!isRun(e)) return [e];
      const failed = e.outcome !== "succeeded";
      const stop = Date.parse(e.execution?.stopTime ?? "");
      const at = Number.isFinite(stop) ? stop : Date.parse(e.receivedAt);
      const cause = failed ? deps.classifier.classify(e) : undefined;
      const tables = !failed && e.scriptLog ? tableRows(logLines(e.scriptLog)) : undefined;
      // A run QRS did not confirm may be forged: it reads the history but changes nothing.
      const readOnly = Boolean(e.unconfirmed) || e.source === "test";
      const seeded = readOnly || !seedsWanted(e) ? NO_SEEDS : await seeds(e, at);
      const o = await batched.record(e, at, cause, tables, readOnly, seeded);
      // A failure of the Scheduler's own run says which trigger or chain started it (QRS reads shared by the runs of
      // a burst; successes, which seldom alert, do not pay for them).
      const started = triggers.startedBy(e, failed, heardAtMs);
      return annotatedRun({ e, at, failed, cause, tables, readOnly, o, startedBy: started instanceof Promise ? await started : started });
    },
  };

  /** What the run's record decided, on the event, and the follow-ups; no await unless remediation holds its page. */
  function annotatedRun(r: Recorded): TaskEvent[] | Promise<TaskEvent[]> {
    const { e, at, failed, cause, o } = r;
    const hold = r.readOnly ? undefined : deps.failureHold?.();
    const history = runHistory(o, e, at, r.startedBy, listsRecentFailures(deps.listRecentFailures) || cfg.pageAfter.length > 0 || hold !== undefined);
    const late = lateOf(o, failed);
    // A late failure belongs to no open incident: the success already ended what it was part of.
    const incident: IncidentRef | undefined = o.incident && !late && (failed || o.closed) ? incidentRef(o.incident) : undefined;
    const warnings = !failed && !r.readOnly && cfg.warnings.enabled ? warningsOf(cfg, e, history.usualDurationMs, o, r.tables) : [];
    const annotated = withRules(cfg, deps, annotatedEvent(e, history, cause, incident, !failed && !deps.keepSuccessLogText, late), cause);
    if (hold && annotated.incident) return withHold(annotated, hold).then((held) => followedUp(log, held, o, incident, warnings));
    return followedUp(log, annotated, o, incident, warnings);
  }
}

function followedUp(log: Logger, annotated: TaskEvent, o: Outcome, incident: IncidentRef | undefined, warnings: RunWarning[]): TaskEvent[] {
  const out = [annotated];
  if (o.closed && incident) out.push(followUp(annotated, "task.recovered", {}));
  if (warnings.length > 0) out.push(followUp(annotated, "task.warning", { warnings }));
  logOutcome(log, annotated, o);
  return out;
}

/** A run as recorded, with what the annotation needs of it. */
interface Recorded {
  e: TaskEvent;
  at: number;
  failed: boolean;
  cause: ErrorCause | undefined;
  tables: Record<string, number> | undefined;
  readOnly: boolean;
  o: Outcome;
  startedBy: StartedBy;
}

/** No runs to seed a task's history with (shared: never written to). */
const NO_SEEDS: RunRow[] = [];

export type Annotator = ReturnType<typeof createAnnotator>;

/** Writes a run's row; a new one joins its task's kept runs (SQLite). False when it was recorded before. */
function insertKept(s: IncidentSql, kept: ReturnType<typeof recentRunsOf> | undefined, taskId: string, at: number, now: number) {
  return async (r: RunRow): Promise<boolean> => {
    const added = await s.insertRun(r, now);
    const tables = r.outcome === "succeeded" ? r.tables : null;
    if (added) kept?.add(taskId, { executionId: r.executionId, outcome: r.outcome, finishedAt: at, durationMs: r.durationMs, tables });
    return added;
  };
}

/** What a run that changes nothing (unconfirmed by QRS, or a test) reads of the history: no incident opened or closed. */
function readOnlyOutcome(base: Pick<Outcome, "prior" | "previousTables">, failed: boolean, at: number, openBefore: Outcome["incident"]): Outcome {
  return {
    ...base,
    consecutiveFailures: failed ? base.prior.failures + 1 : 0,
    failingSince: failed ? (base.prior.failingSince ?? at) : undefined,
    incident: openBefore,
    closed: false,
  };
}

/** The attempts' lines and incidents.pageAfter's threshold on an annotated run. */
function withRules(cfg: IncidentsConfig, deps: AnnotatorDeps, e: TaskEvent, cause: ReturnType<Classifier["classify"]> | undefined): TaskEvent {
  return withPageAfter(withAttemptLines(e, deps.classifier, cause), cfg.pageAfter);
}

/** Remediation's threshold goes on a run of an open or closing incident, and so on its recovery (then unpaged). */
async function withHold(e: TaskEvent, hold: FailureHold | undefined): Promise<TaskEvent> {
  const pageAfter = hold && e.incident ? await hold(e) : undefined;
  return pageAfter ? { ...e, pageAfter } : e;
}

/** The run's history; `listFailures`: with the task's recent failures, which a "page after N failures" counts. */
function runHistory(o: Outcome, e: TaskEvent, at: number, startedBy: StartedBy, listFailures: boolean): RunHistory {
  const failed = e.outcome !== "succeeded";
  return historyFor(
    o.prior,
    {
      failed,
      consecutiveFailures: o.consecutiveFailures,
      failingSince: o.failingSince,
      durationMs: e.execution?.durationMs,
      ...(listFailures ? { failuresSince: at - PAGE_AFTER_MAX_WINDOW_MS } : {}),
    },
    startedBy,
  );
}

/** What the run did to its task's incident, in the log. */
function logOutcome(log: Logger, e: TaskEvent, o: Outcome): void {
  const failed = e.outcome !== "succeeded";
  if (e.incident && failed && o.incident?.events === 1) log.info({ taskId: e.task.id, incidentId: e.incident.id, errorClass: e.errorClass }, "incident opened");
  if (o.closed) log.info({ taskId: e.task.id, incidentId: e.incident?.id }, "incident closed");
  if (e.heardAfterSuccess)
    log.info({ taskId: e.task.id, succeededAt: e.heardAfterSuccess.succeededAt }, "failure heard after the task's next success: no page");
}

/** A failure heard of after its task's next success: when that success ended (the event's heardAfterSuccess). */
const lateOf = (o: Outcome, failed: boolean): TaskEvent["heardAfterSuccess"] =>
  failed && o.succeededBeforeHeardAt !== undefined
    ? { succeededAt: new Date(o.succeededBeforeHeardAt).toISOString(), ...(o.incident ? { incidentId: o.incident.id } : {}) }
    : undefined;

function followUp(e: TaskEvent, kind: "task.recovered" | "task.warning", extra: Partial<TaskEvent>): TaskEvent {
  return { ...e, id: `${e.executionId}:${kind === "task.recovered" ? "recovered" : "warning"}`, kind, ...extra };
}

/** The run's row as the store keeps it. */
function runRowOf(e: TaskEvent, at: number, cause: ErrorCause | undefined, tables: Record<string, number> | undefined): RunRow {
  return {
    executionId: e.executionId,
    outcome: e.outcome,
    taskId: e.task.id,
    finishedAt: at,
    durationMs: e.execution?.durationMs ?? null,
    errorClass: cause?.errorClass ?? null,
    tables: tables ?? null,
    incidentId: null,
    consecutiveFailures: 0,
    source: "event",
    attempts: e.attempts && e.attempts.length > 1 ? e.attempts.length : null,
  };
}

type RecordOne = (
  e: TaskEvent,
  at: number,
  cause: ErrorCause | undefined,
  tables: Record<string, number> | undefined,
  readOnly: boolean,
  seeded: RunRow[],
) => Promise<Outcome>;

/**
 * On PostgreSQL the failures that arrive together share one transaction (failure-batch.ts); a run QRS did not
 * confirm, one whose task's history is first seeded from QRS, a success, and any run on SQLite go alone.
 */
function batchedRecorder(deps: AnnotatorDeps, alone: RecordOne) {
  const batches = deps.db.dialect === "postgres" ? createFailureBatches({ db: deps.db, clock: deps.clock, recentRuns: RECENT_RUNS }) : undefined;
  return {
    stats: () => batches?.stats,
    record(...args: Parameters<RecordOne>): Promise<Outcome> {
      const [e, at, cause, tables, readOnly, seeded] = args;
      if (!batches || e.outcome === "succeeded" || readOnly || seeded.length > 0) return alone(...args);
      return batches.record({ row: runRowOf(e, at, cause, tables), touch: failureTouch(e, at, cause), alone: () => alone(...args) });
    },
  };
}

/**
 * The event with Steward's history, cause and incident (anything it came with is replaced: what the event says of
 * its history is Steward's to say); `dropLogText`: a success's full script log text is not kept.
 */
function annotatedEvent(
  e: TaskEvent,
  history: TaskEvent["history"],
  cause: ErrorCause | undefined,
  incident: IncidentRef | undefined,
  dropLogText: boolean,
  late?: TaskEvent["heardAfterSuccess"],
): TaskEvent {
  // One copy of the event, not two: an enriched event carries none of what is replaced (a rest pattern copied it first).
  const annotated: TaskEvent = { ...(carriesAnnotation(e) ? withoutAnnotation(e) : e), history };
  if (cause) Object.assign(annotated, cause);
  if (incident) annotated.incident = incident;
  if (late) annotated.heardAfterSuccess = late;
  if (!dropLogText || annotated.scriptLog?.text === undefined) return annotated;
  const { text: _text, truncated: _tr, textFirstLine: _f, ...rest } = annotated.scriptLog;
  return { ...annotated, scriptLog: rest };
}

/** Whether the event already says something of its history, cause or incident (an event annotated before). */
const carriesAnnotation = (e: TaskEvent): boolean =>
  "history" in e || "errorClass" in e || "errorHint" in e || "errorLine" in e || "incident" in e || "warnings" in e || "heardAfterSuccess" in e;

function withoutAnnotation(e: TaskEvent): TaskEvent {
  const { history: _h, errorClass: _c, errorHint: _t, errorLine: _l, incident: _i, warnings: _w, heardAfterSuccess: _a, ...plain } = e;
  return plain as TaskEvent;
}

/** What looks wrong in a successful run although it succeeded (too quick, empty tables, …). */
function warningsOf(
  cfg: IncidentsConfig,
  e: TaskEvent,
  usualDurationMs: number | undefined,
  o: Outcome,
  tables: Record<string, number> | undefined,
): RunWarning[] {
  return detectWarnings(
    {
      event: e,
      durationMs: e.execution?.durationMs,
      usualDurationMs,
      quickestMs: o.prior.quickestMs,
      successes: o.prior.successes,
      tables,
      previousTables: o.previousTables,
    },
    cfg.warnings,
  );
}

/** Asked at each run: a reload may give a route a threshold of its own. */
const listsRecentFailures = (v: boolean | (() => boolean) | undefined): boolean => (typeof v === "function" ? v() : Boolean(v));
