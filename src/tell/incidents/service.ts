// The incidents service: annotates task runs on their way to the bus (see annotator.ts), offers the watchdog and
// anything else a way to open, update and close a task's incident with its own events, lists incidents for the
// REST API and the dashboard, and purges old runs and closed incidents.
import type { Logger } from "pino";
import type { IncidentsConfig } from "./config";
import type { Clock, Timer } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import type { TaskEvent } from "../../platform/events/types";
import type { QueuedRun } from "../../hear/events/run-report";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { SqlDb } from "../../platform/store/sql";
import { createAnnotator } from "./annotator";
import { createClassifier, type Classifier } from "./classify";
import { type FailedRun, failedRunsBetween } from "./failed-runs";
import { incidentSql, type IncidentClose, type IncidentRow, type IncidentStatus, type IncidentTouch, type RecoveredRun } from "./incident-store";

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
  acknowledge(id: number, by: string, note?: string): Promise<IncidentRow | undefined>;
  /** Acknowledges an open cause and every task incident it holds open; undefined when the cause is not open. */
  acknowledgeCause(causeId: number, by: string, note?: string): Promise<{ cause: CauseBrief; incidents: IncidentRow[] } | undefined>;
  /**
   * The open incidents that are one with this one: itself and every other incident of each open cause holding it
   * (a snooze from a cause's page holds them all). Just itself when no cause holds it.
   */
  sameCause(id: number): Promise<IncidentRow[]>;
  /**
   * What needs someone now, one entry per cause: each open cause with the open incidents it holds (maybe none: a
   * node's queue, a stopped service), then each open incident no cause holds, a cause of its own (`cause` undefined).
   */
  openByCause(limit: number): Promise<Array<{ cause?: OpenCause; incidents: IncidentRow[] }>>;
  /** The open cause each subject's open incident belongs to, when one holds it (the dashboard and the API name it). */
  causesOf(subjects: readonly string[]): Promise<Map<string, CauseBrief>>;
  /** Newest first. */
  list(f: { status?: IncidentStatus; since?: number; limit: number }): Promise<IncidentRow[]>;
  /** One of the incident's alerts went out to someone (the first time counts): its repeats are then held (renotify: once). */
  markPaged(id: number, at: number): Promise<void>;
  /** Runs the Scheduler's retry recovered (a success after failed attempts: nothing was paged), newest first. */
  recoveredByRetry(since: number, limit: number): Promise<RecoveredRun[]>;
  /** Runs that ended failed or aborted in [from, to), oldest first (the reports' failures by cause). */
  failedRuns(from: number, to: number, limit: number): Promise<FailedRun[]>;
  readonly classifier: Classifier;
  readonly component: Component;
}

/** What the incidents say of a cause (tell/grouping's parent). */
export interface CauseBrief {
  id: number;
  title: string;
}

/** An open cause as the incidents list it: with when it opened and who is on it. */
export interface OpenCause extends CauseBrief {
  openedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  acknowledgedNote: string | null;
}

/** The causes an incident may be a symptom of (tell/grouping's acknowledgements). */
export interface IncidentCauses {
  openCausesOf(subject: string): Promise<CauseBrief[]>;
  openCausesOfSubjects(subjects: readonly string[]): Promise<Map<string, CauseBrief>>;
  acknowledge(causeId: number, by: string, note: string | null, now: number): Promise<{ parent: CauseBrief; subjects: string[] } | undefined>;
  openSubjects(causeId: number): Promise<string[]>;
  openCauses(limit: number): Promise<OpenCause[]>;
}

export interface IncidentServiceDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  qrs?: Pick<QrsClient, "getExecutionResults" | "request">;
  qrsTimeoutMs?: number;
  keepSuccessLogText?: boolean;
  /** See AnnotatorDeps.listRecentFailures. */
  listRecentFailures?: boolean;
  /** Absent when grouping is off: an incident is then its own cause. */
  causes?: IncidentCauses;
}

export function createIncidentService(cfg: IncidentsConfig, deps: IncidentServiceDeps): IncidentService {
  const log = deps.log.child({ module: "incidents" });
  const classifier = createClassifier(cfg.errorClasses, cfg.hints);
  const annotator = createAnnotator(cfg, { ...deps, classifier });
  const now = () => deps.clock.now();
  const locked = <T>(subject: string, fn: (s: ReturnType<typeof incidentSql>) => Promise<T>) =>
    deps.db.transaction(async (tx) => {
      const s = incidentSql(tx);
      await s.lockSubject(subject);
      return fn(s);
    });
  let timer: Timer | undefined;
  const sql = () => incidentSql(deps.db);

  /** The cause's open task incidents, acknowledged as `by` (those already acknowledged keep who did it first). */
  async function acknowledgeMembers(causeId: number, by: string, note: string | null, at: number) {
    const done = await deps.causes?.acknowledge(causeId, by, note, at);
    if (!done) return undefined;
    const incidents: IncidentRow[] = [];
    for (const subject of done.subjects) {
      const open = await sql().open(subject);
      if (!open) continue;
      incidents.push(open.acknowledgedAt === null ? ((await sql().acknowledge(open.id, by, note, at)) ?? open) : open);
    }
    return { cause: { id: done.parent.id, title: done.parent.title }, incidents };
  }

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
    prepare: (q) => annotator.prepare(q),
    raise: (t) => locked(t.subject, (s) => s.touch(t, now())),
    resolve: (c) => locked(c.subject, (s) => s.close(c, now())),
    openIncident: (subject) => incidentSql(deps.db).open(subject),
    get: (id) => incidentSql(deps.db).byId(id),
    async acknowledge(id, by, note) {
      const at = now();
      const row = await sql().acknowledge(id, by, note ?? null, at);
      if (!row || !deps.causes) return row;
      for (const cause of await deps.causes.openCausesOf(row.subject)) await acknowledgeMembers(cause.id, by, note ?? null, at);
      return row;
    },
    acknowledgeCause: (causeId, by, note) => acknowledgeMembers(causeId, by, note ?? null, now()),
    async sameCause(id) {
      const row = await sql().byId(id);
      if (row?.status !== "open") return [];
      const out = new Map<number, IncidentRow>([[row.id, row]]);
      for (const cause of (await deps.causes?.openCausesOf(row.subject)) ?? [])
        for (const subject of await deps.causes!.openSubjects(cause.id)) {
          const other = await sql().open(subject);
          if (other) out.set(other.id, other);
        }
      return [...out.values()];
    },
    async openByCause(limit) {
      const open = await sql().list({ status: "open", limit });
      const causes = deps.causes ? await deps.causes.openCauses(limit) : [];
      const holder = deps.causes ? await deps.causes.openCausesOfSubjects(open.map((r) => r.subject)) : new Map<string, CauseBrief>();
      const held = new Map<number, IncidentRow[]>(causes.map((c) => [c.id, []]));
      const own: IncidentRow[] = [];
      for (const r of [...open].sort((x, y) => x.openedAt - y.openedAt)) {
        const members = held.get(holder.get(r.subject)?.id ?? -1);
        if (members) members.push(r);
        else own.push(r);
      }
      return [...causes.map((c) => ({ cause: c, incidents: held.get(c.id)! })), ...own.map((r) => ({ incidents: [r] }))];
    },
    causesOf: async (subjects) => (deps.causes ? deps.causes.openCausesOfSubjects(subjects) : new Map()),
    list: (f) => incidentSql(deps.db).list(f),
    markPaged: (id, at) => incidentSql(deps.db).markPaged(id, at),
    recoveredByRetry: (since, limit) => incidentSql(deps.db).recoveredByRetry(since, limit),
    failedRuns: (from, to, limit) => failedRunsBetween(deps.db, from, to, limit),
    classifier,
    component,
  };
}
