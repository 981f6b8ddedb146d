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
  /** The run's row was new (false: handled before). */
  inserted: boolean;
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
  if (!inserted) {
    // Handled before: say what was decided then.
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
  if (failed) {
    // A failure older than a success already recorded belongs to the past: it opens nothing, and pages nobody.
    if (newerSuccess !== undefined) {
      const consecutive = prior.failures + 1;
      await s.setRunIncident(e.executionId, e.outcome, null, consecutive);
      return { ...base, consecutiveFailures: consecutive, failingSince: prior.failingSince ?? at, closed: false, succeededBeforeHeardAt: newerSuccess };
    }
    const incident = await s.touchRun({ ...failureTouch(e, at, cause), priorFailures: prior.failures, since: prior.failingSince }, now, row);
    return { ...base, consecutiveFailures: incident.failures, failingSince: incident.openedAt, incident, closed: false };
  }
  const closed = openBefore ? await s.closeRun({ subject, eventId: e.id, summary: recoveredSummary(openBefore, at), at }, now, row) : undefined;
  return { ...base, consecutiveFailures: 0, incident: closed ?? openBefore, closed: Boolean(closed) };
}
