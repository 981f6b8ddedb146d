// Under a task's lock, what one run does to the task's incident: opens or extends it, closes it, or (a failure heard
// after a newer success) leaves it alone. Split from annotator.ts, which gathers what the decision needs.
import type { TaskEvent } from "../../platform/events/types";
import type { ErrorCause } from "./classify";
import { heardLateAgain, type RecordOutcome } from "./failure-batch";
import type { PriorRuns } from "./history";
import type { IncidentRow, IncidentSql, IncidentTouch, RunRow } from "./incident-store";
import { recoveredSummary, taskSubject } from "./incident-ref";
import { spanText } from "../notify/time-format";

type Outcome = RecordOutcome;

/**
 * "failed", or for a run whose every attempt failed "failed 3 times, gave up", or for a retried run whose outcome never
 * came "failed, outcome unknown: the Scheduler reported no final result within 2 h".
 */
const outcomeText = (e: TaskEvent) =>
  e.outcomeUnknown
    ? `failed, outcome unknown: the Scheduler reported no final result within ${spanText(e.outcomeUnknown.withinMs)}`
    : e.attempts && e.attempts.length > 1
      ? `${e.outcome} ${e.attempts.length} times, gave up`
      : e.outcome;

/** What a failed run changes in its task's incident, but for what its history says. */
export function failureTouch(e: TaskEvent, at: number, cause: ErrorCause | undefined): Omit<IncidentTouch, "priorFailures" | "since"> {
  return {
    subject: taskSubject(e.task.id),
    taskId: e.task.id,
    title: e.task.name || e.task.id,
    eventId: e.id,
    kind: e.kind,
    summary: `${outcomeText(e)}${cause?.errorLine ? `: ${cause.errorLine}` : ""}`.slice(0, 500),
    at,
    failedRun: true,
    errorClass: cause?.errorClass,
  };
}

export interface Decision {
  at: number;
  now: number;
  cause: ErrorCause | undefined;
  row: RunRow;
  subject: string;
  /**
   * The run's row was new (false: handled before); undefined: not written yet, a failure on SQLite whose row decide()
   * writes with its incident link (`insert`), one statement less than the row and then its link.
   */
  inserted: boolean | undefined;
  /** Writes the run's row; false when it was recorded before. */
  insert: (r: RunRow) => Promise<boolean>;
  /** When the first success of the task recorded after this failure ended. */
  newerSuccess: number | undefined;
  /** The task's open incident (read for a success). */
  openBefore: IncidentRow | undefined;
  base: { prior: PriorRuns; previousTables: Array<Record<string, number>> };
}

/**
 * Under the subject's lock: what the run does to the task's incident. A run handled before says what was decided
 * then; a failure opens or extends the incident (unless a newer success is recorded); a success closes it.
 */
export async function decide(s: IncidentSql, e: TaskEvent, d: Decision): Promise<Outcome> {
  const { at, now, cause, row, subject, inserted, newerSuccess, openBefore, base } = d;
  const { prior } = base;
  const failed = e.outcome !== "succeeded";
  if (inserted === undefined) return failureLinked(s, e, d);
  if (!inserted) return recordedBefore(s, e, d);
  if (failed) {
    // A failure older than a success already recorded belongs to the past: it opens nothing, and pages nobody.
    if (newerSuccess !== undefined) {
      const consecutive = prior.failures + 1;
      await s.setRunIncident(e.executionId, e.outcome, null, consecutive);
      return lateFailure(d, consecutive, newerSuccess);
    }
    const incident = await s.touchRun({ ...failureTouch(e, at, cause), priorFailures: prior.failures, since: prior.failingSince }, now, row);
    return { ...base, consecutiveFailures: incident.failures, failingSince: incident.openedAt, incident, closed: false };
  }
  const closed = openBefore ? await s.closeRun({ subject, eventId: e.id, summary: recoveredSummary(openBefore, at), at }, now, row) : undefined;
  return { ...base, consecutiveFailures: 0, incident: closed ?? openBefore, closed: Boolean(closed) };
}

/**
 * Thrown inside a record's transaction when a failure's row, written after its incident was extended, was there
 * already: the transaction's savepoint undoes the extension, and the run is recorded again with its row first.
 */
export class RecordedBefore extends Error {
  constructor() {
    super("the run was recorded before");
  }
}

/** A failure older than a success already recorded: counted in its streak, in no incident. */
const lateFailure = (d: Decision, consecutive: number, newerSuccess: number): Outcome => ({
  ...d.base,
  consecutiveFailures: consecutive,
  failingSince: d.base.prior.failingSince ?? d.at,
  closed: false,
  succeededBeforeHeardAt: newerSuccess,
});

/**
 * SQLite, a failure whose row is not written yet: an open incident is extended first and the row written linked to
 * it; a late failure's row is written with its count; with no incident open the row goes first and the touch opens
 * one and links it, as for a row written before. A row found there already (a run handled before) says so.
 */
async function failureLinked(s: IncidentSql, e: TaskEvent, d: Decision): Promise<Outcome> {
  const { at, now, cause, row, newerSuccess, base } = d;
  const { prior } = base;
  if (newerSuccess !== undefined) {
    const consecutive = prior.failures + 1;
    if (!(await d.insert({ ...row, incidentId: null, consecutiveFailures: consecutive }))) return recordedBefore(s, e, d);
    return lateFailure(d, consecutive, newerSuccess);
  }
  const touch = { ...failureTouch(e, at, cause), priorFailures: prior.failures, since: prior.failingSince };
  const open = await s.extendOpen(touch, now);
  if (open) {
    if (!(await d.insert({ ...row, incidentId: open.id, consecutiveFailures: open.failures }))) throw new RecordedBefore();
    return { ...base, consecutiveFailures: open.failures, failingSince: open.openedAt, incident: open, closed: false };
  }
  if (!(await d.insert(row))) return recordedBefore(s, e, d);
  // touchRun() tries the open incident again (an UPDATE that finds none, once a streak) before it opens one.
  const incident = await s.touchRun(touch, now, row);
  return { ...base, consecutiveFailures: incident.failures, failingSince: incident.openedAt, incident, closed: false };
}

/** A run handled before: what was decided then. */
async function recordedBefore(s: IncidentSql, e: TaskEvent, d: Decision): Promise<Outcome> {
  const { row, base } = d;
  const failed = e.outcome !== "succeeded";
  const stored = await s.run(e.executionId, e.outcome);
  const incident = stored?.incidentId ? await s.byId(stored.incidentId) : undefined;
  const closed = !failed && incident?.closedByEventId === e.id;
  const late = failed ? await heardLateAgain(s, row, incident) : undefined;
  return {
    ...base,
    consecutiveFailures: stored?.consecutiveFailures ?? 0,
    failingSince: failed ? incident?.openedAt : undefined,
    incident,
    closed,
    ...(late !== undefined ? { succeededBeforeHeardAt: late } : {}),
  };
}
