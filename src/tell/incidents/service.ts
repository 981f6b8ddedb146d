// The incidents service: annotates task runs on their way to the bus (see annotator.ts), offers the watchdog and
// anything else a way to open, update and close a task's incident with its own events, lists incidents for the
// REST API and the dashboard, and purges old runs and closed incidents.
import type { Logger } from "pino";
import type { UnconfirmedFloodEnds } from "./unconfirmed-flood-end";
import type { IncidentsConfig } from "./config";
import type { Clock, Timer } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import type { TaskEvent } from "../../platform/events/types";
import type { QueuedRun } from "../../hear/events/run-report";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { SqlDb } from "../../platform/store/sql";
import { createAnnotator, type FailureHold } from "./annotator";
import type { RemediationHold, RemediationHoldReader } from "./remediation-holds";
import { createClassifier, type Classifier } from "./classify";
import { type FailedRun, failedRunsBetween } from "./failed-runs";
import { type LateFailure, lateFailuresBetween } from "./late-failures";
import {
  incidentSql,
  type IncidentClose,
  type IncidentCursor,
  type IncidentRow,
  type IncidentStatus,
  type IncidentTouch,
  type RecoveredRun,
} from "./incident-store";
import { type CauseBrief, createIncidentCauseOps, type IncidentCauses, type OpenCause } from "./incident-causes";
import type { ResolvedByHand } from "../../platform/events/run-context";
import { createResolver } from "./resolve";

export type { CauseBrief, IncidentCauses, OpenCause } from "./incident-causes";

/** How often old runs and closed incidents are deleted. */
const PURGE_EVERY_MS = 60 * 60_000;

export interface IncidentService {
  /**
   * Adds the run's history, likely cause and incident to a finished run's event, recording the run and opening,
   * updating or closing the task's incident; returns the event, then its follow-ups (task.recovered, task.warning)
   * to emit after it. Other events come back unchanged.
   */
  annotate(e: TaskEvent, heardAtMs?: number): Promise<TaskEvent[]>;
  /** A queued run's task is known: what `annotate` will read of QRS for it starts now, with the burst's (see annotator.ts). */
  prepare(q: QueuedRun): void;
  /**
   * Opens the subject's incident, or adds the event to the one open (one statement: two Stewards raising the same
   * subject at once leave one incident). For events other than runs, such as the watchdog's task.missed; the caller
   * emits its own event, with `incident: incidentRef(row)`.
   */
  raise(t: IncidentTouch): Promise<IncidentRow>;
  /** Closes the subject's open incident with this event; undefined when none was open (or a newer event updated it). */
  resolve(c: IncidentClose): Promise<IncidentRow | undefined>;
  /** The subject's open incident. */
  openIncident(subject: string): Promise<IncidentRow | undefined>;
  get(id: number): Promise<IncidentRow | undefined>;
  /**
   * Marks an open incident acknowledged by `by`; undefined when it is not open. An incident is one symptom of the cause
   * that explains it: that cause, and every other task incident it holds open, are acknowledged with it.
   */
  acknowledge(id: number, by: string, note?: string, from?: AcknowledgedFrom): Promise<IncidentRow | undefined>;
  /** Acknowledges an open cause and every task incident it holds open; undefined when the cause is not open. */
  acknowledgeCause(causeId: number, by: string, note?: string, from?: AcknowledgedFrom): Promise<{ cause: CauseBrief; incidents: IncidentRow[] } | undefined>;
  /**
   * Closes an open incident by hand, as "resolved by …" (a later failure opens a new one); its follow-up goes where
   * its pages went. Undefined when it is not open.
   */
  resolveByHand(id: number, r: ResolvedByHand): Promise<IncidentRow | undefined>;
  /** Resolves an open cause and every task incident it holds open; undefined when the cause is not open. */
  resolveCause(causeId: number, r: ResolvedByHand): Promise<{ cause: CauseBrief; incidents: IncidentRow[] } | undefined>;
  /** Whether a cause is open or closed; undefined when there is no such cause (or grouping is off). */
  causeStatus(causeId: number): Promise<"open" | "closed" | undefined>;
  /**
   * The open incidents that are one with this one: itself and every other incident of each open cause holding it
   * (a snooze from a cause's page holds them all). Just itself when no cause holds it.
   */
  sameCause(id: number): Promise<IncidentRow[]>;
  /**
   * What needs someone now, one entry per cause: each open cause with the open incidents it holds (maybe none: a
   * node's queue, a stopped service), each ended cause whose incidents are still open, then each open incident no
   * cause explains, a cause of its own (`cause` undefined).
   */
  openByCause(limit: number): Promise<Array<{ cause?: OpenCause; incidents: IncidentRow[] }>>;
  /** The cause each open incident belongs to, by subject: an open cause holding it, else the ended cause of its last failure. */
  causesOf(rows: readonly IncidentRow[]): Promise<Map<string, OpenCause>>;
  /** Newest first. */
  /** Newest first; `taskId`: that task's incidents only. */
  list(f: { status?: IncidentStatus; since?: number; limit: number; after?: IncidentCursor; taskId?: string }): Promise<IncidentRow[]>;
  /** One of the incident's alerts went out to someone (the first time counts): its repeats are then held (renotify: once). */
  markPaged(id: number, at: number): Promise<void>;
  /** Runs the Scheduler's retry recovered (a success after failed attempts: nothing was paged), newest first. */
  recoveredByRetry(since: number, limit: number): Promise<RecoveredRun[]>;
  /** Failures in [from, to) Steward heard of only after their task's next success (not paged), newest first. */
  lateFailures(from: number, to: number, limit: number): Promise<LateFailure[]>;
  /** Runs that ended failed or aborted in [from, to), oldest first (the reports' failures by cause). */
  failedRuns(from: number, to: number, limit: number): Promise<FailedRun[]>;
  readonly classifier: Classifier;
  readonly component: Component;
  /** Ends the causes of floods of unconfirmed runs that are over (unconfirmed-flood-end.ts); absent without causes. */
  unconfirmedFloods?: UnconfirmedFloodEnds;
  /** Automatic remediation's say on a failure's page (wired after the service is built); undefined: none. */
  holdFailures(hold: FailureHold | undefined): void;
  /** What remediation is doing on each incident, a rule's or a person's (wired after the service is built); none before. */
  readHolds(reader: RemediationHoldReader): void;
  /** What holds each open incident of `rows` (a retry or re-run being done, and who asked), by id (remediation-holds.ts). */
  holdsOf(rows: readonly IncidentRow[]): Promise<ReadonlyMap<number, RemediationHold>>;
}

/** Where an acknowledgement came from when not from Steward itself: the on-call channel whose webhook brought it. */
export interface AcknowledgedFrom {
  channel: string;
}

/** What was acknowledged at once (an incident with its causes and their incidents), for those who follow it. */
export interface Acknowledged {
  /** Each incident with its subject (task:<id>). */
  incidents: Array<{ id: number; subject: string }>;
  causes: number[];
  by: string;
  from?: AcknowledgedFrom;
}

export interface IncidentServiceDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  qrs?: Pick<QrsClient, "getExecutionResults" | "request">;
  qrsTimeoutMs?: number;
  keepSuccessLogText?: boolean;
  /** See AnnotatorDeps.listRecentFailures. */
  listRecentFailures?: boolean | (() => boolean);
  /** Absent when grouping is off: an incident is then its own cause. */
  causes?: IncidentCauses;
  /** Told after each acknowledgement (the on-call products acknowledge their alert); its failure fails the acknowledgement's answer. */
  acknowledged?(a: Acknowledged): Promise<void>;
  /** Told of each incident resolved by hand, closed: it emits the follow-up (task.recovered saying who resolved it). */
  resolved?(row: IncidentRow, r: ResolvedByHand): Promise<void>;
  /** Told of a cause resolved by hand that closed at once (no open incident): its on-call alerts are resolved. */
  causeClosed?(causeId: number, r: ResolvedByHand): Promise<void>;
  /** Told of a condition's incident resolved by hand (no task to recover): its on-call alerts are resolved. */
  conditionResolved?(row: IncidentRow, r: ResolvedByHand): Promise<void>;
}

export function createIncidentService(cfg: IncidentsConfig, deps: IncidentServiceDeps): IncidentService {
  const log = deps.log.child({ module: "incidents" });
  const classifier = createClassifier(cfg.errorClasses, cfg.hints);
  let hold: FailureHold | undefined;
  let holds: RemediationHoldReader | undefined;
  const annotator = createAnnotator(cfg, { ...deps, classifier, failureHold: () => hold });
  const now = () => deps.clock.now();
  const locked = <T>(subject: string, fn: (s: ReturnType<typeof incidentSql>) => Promise<T>) =>
    deps.db.transaction(async (tx) => {
      const s = incidentSql(tx);
      await s.lockSubject(subject);
      return fn(s);
    });
  let timer: Timer | undefined;
  const sql = () => incidentSql(deps.db);
  const byCause = createIncidentCauseOps(deps.db, deps.causes, now);
  const resolver = createResolver({
    db: deps.db,
    now,
    ...(deps.causes ? { causes: deps.causes } : {}),
    ...(deps.resolved ? { resolved: deps.resolved } : {}),
    ...(deps.causeClosed ? { causeClosed: deps.causeClosed } : {}),
    ...(deps.conditionResolved ? { conditionResolved: deps.conditionResolved } : {}),
  });

  async function purge(): Promise<void> {
    try {
      const t = now();
      const n = await incidentSql(deps.db).purge(t - cfg.keepRuns, t - cfg.keepClosed);
      if (n.runs > 0) annotator.runsPurged();
      if (n.runs + n.incidents > 0) log.debug(n, "old task runs and closed incidents deleted");
    } catch (err) {
      log.warn({ err: describeError(err) }, "could not delete old task runs and incidents; will try again");
    }
  }

  const component: Component = {
    name: "incidents",
    async start() {
      await purge();
      const arm = () => {
        timer = deps.clock.setTimeout(() => void purge().finally(arm), PURGE_EVERY_MS);
        timer.unref?.();
      };
      arm();
    },
    async stop() {
      if (timer) deps.clock.clearTimeout(timer);
      timer = undefined;
    },
  };

  return {
    annotate: (e, heardAtMs) => annotator.annotate(e, heardAtMs),
    holdFailures(h) {
      hold = h;
    },
    readHolds(r) {
      holds = r;
    },
    async holdsOf(rows) {
      const open = rows.filter((r) => r.status === "open").map((r) => r.id);
      return holds && open.length > 0 ? holds(open) : new Map();
    },
    prepare: (q) => annotator.prepare(q),
    raise: (t) => locked(t.subject, (s) => s.touch(t, now())),
    resolve: (c) => locked(c.subject, (s) => s.close(c, now())),
    openIncident: (subject) => incidentSql(deps.db).open(subject),
    get: (id) => incidentSql(deps.db).byId(id),
    async acknowledge(id, by, note, from) {
      const at = now();
      const row = await sql().acknowledge(id, by, note ?? null, at);
      if (!row) return row;
      const more = await byCause.acknowledged(row, by, note ?? null, at);
      const told: Acknowledged = {
        incidents: [{ id: row.id, subject: row.subject }, ...more.incidents.filter((i) => i.id !== row.id).map((i) => ({ id: i.id, subject: i.subject }))],
        causes: more.causes,
        by,
        ...(from ? { from } : {}),
      };
      await deps.acknowledged?.(told);
      return row;
    },
    async acknowledgeCause(causeId, by, note, from) {
      const done = await byCause.acknowledgeCause(causeId, by, note ?? null);
      if (done)
        await deps.acknowledged?.({
          incidents: done.incidents.map((i) => ({ id: i.id, subject: i.subject })),
          causes: [done.cause.id],
          by,
          ...(from ? { from } : {}),
        });
      return done;
    },
    resolveByHand: (id, r) => resolver.resolveIncident(id, r),
    resolveCause: (causeId, r) => resolver.resolveCause(causeId, r),
    causeStatus: async (causeId) => deps.causes?.status(causeId),
    sameCause: (id) => byCause.sameCause(id),
    openByCause: (limit) => byCause.openByCause(limit),
    causesOf: (rows) => byCause.causesOf(rows),
    list: (f) => incidentSql(deps.db).list(f),
    markPaged: (id, at) => incidentSql(deps.db).markPaged(id, at),
    recoveredByRetry: (since, limit) => incidentSql(deps.db).recoveredByRetry(since, limit),
    lateFailures: (from, to, limit) => lateFailuresBetween(deps.db, from, to, limit),
    failedRuns: (from, to, limit) => failedRunsBetween(deps.db, from, to, limit),
    classifier,
    component,
  };
}
