// The rows of incidents and task runs as the incidents' statements return them, and what turns a stored row into
// its object: split from incident-store.ts, which holds the statements.
import type { SqlValue } from "../../platform/store/sql";
import type { PastRun } from "./past-run";

export type IncidentStatus = "open" | "closed";

export interface IncidentRow {
  id: number;
  subject: string;
  taskId: string | null;
  title: string;
  status: IncidentStatus;
  /** Failed (or aborted) runs in the incident, the failures before it opened included. */
  failures: number;
  /** Every event that opened or updated it. */
  events: number;
  openedAt: number;
  lastEventAt: number;
  firstEventId: string;
  lastEventId: string;
  lastKind: string;
  lastSummary: string;
  errorClass: string | null;
  closedAt: number | null;
  closedByEventId: string | null;
  closedSummary: string | null;
  updatedAt: number;
  /** Who acknowledged it (an API key's or a certificate's name) and when; null while nobody has. */
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  acknowledgedNote: string | null;
  /** When one of its alerts first went out to someone (held ones do not count); null while none has. */
  pagedAt: number | null;
}

export interface RunRow {
  executionId: string;
  outcome: string;
  taskId: string;
  finishedAt: number;
  durationMs: number | null;
  errorClass: string | null;
  tables: Record<string, number> | null;
  incidentId: number | null;
  consecutiveFailures: number;
  source: "event" | "qrs";
  /** The Scheduler's attempts of the run, when it took more than one. */
  attempts?: number | null;
}

/**
 * What a run's record tells of its incident: the event's IncidentRef and the log read no more. A failure of an open
 * incident on SQLite reads these columns back after its UPDATE instead of the whole row (the touch's `RETURNING *`
 * was most of its cost in a burst of failure datagrams, issue 89).
 */
export type IncidentState = Pick<
  IncidentRow,
  "id" | "status" | "failures" | "events" | "openedAt" | "closedAt" | "acknowledgedAt" | "acknowledgedBy" | "pagedAt"
>;

/** IncidentState's columns, as a SELECT lists them. */
export const INCIDENT_STATE_COLUMNS = "id, status, failures, events, opened_at, closed_at, acknowledged_at, acknowledged_by, paged_at";

export type Row = Record<string, SqlValue>;

// A number is returned as it is: Number() of a time column (ms since 1970, past 2^31) made the JIT's optimized code
// expect a 32-bit integer and throw itself away at the first one, each time it was compiled again (toIncidentState's
// five times in a burst's first 5,000 runs; issue 89).
export const num = (v: SqlValue | undefined): number => (typeof v === "number" ? v : Number(v));
export const numOrNull = (v: SqlValue | undefined): number | null => (typeof v === "number" ? v : v === null || v === undefined ? null : Number(v));
const strOrNull = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));

export function toIncident(r: Row): IncidentRow {
  return {
    id: num(r.id),
    subject: String(r.subject),
    taskId: strOrNull(r.task_id),
    title: String(r.title),
    status: String(r.status) as IncidentStatus,
    failures: num(r.failures),
    events: num(r.events),
    openedAt: num(r.opened_at),
    lastEventAt: num(r.last_event_at),
    firstEventId: String(r.first_event_id),
    lastEventId: String(r.last_event_id),
    lastKind: String(r.last_kind),
    lastSummary: String(r.last_summary),
    errorClass: strOrNull(r.error_class),
    closedAt: numOrNull(r.closed_at),
    closedByEventId: strOrNull(r.closed_by_event_id),
    closedSummary: strOrNull(r.closed_summary),
    updatedAt: num(r.updated_at),
    acknowledgedAt: numOrNull(r.acknowledged_at),
    acknowledgedBy: strOrNull(r.acknowledged_by),
    acknowledgedNote: strOrNull(r.acknowledged_note),
    pagedAt: numOrNull(r.paged_at),
  };
}

function tablesOf(v: SqlValue | undefined): Record<string, number> | null {
  if (v === null || v === undefined) return null;
  try {
    return JSON.parse(String(v)) as Record<string, number>;
  } catch {
    return null;
  }
}

/**
 * A run's outcome as one shared string: a store hands each row's text over as a string of its own, and the runs kept
 * in memory (recent-runs.ts) held a copy of "succeeded" each.
 */
const OUTCOMES = new Map(["succeeded", "failed", "aborted"].map((o) => [o, o]));
const outcomeOf = (v: SqlValue | undefined): string => {
  const s = String(v);
  return OUTCOMES.get(s) ?? s;
};

export function toPastRun(r: Row): PastRun {
  return { outcome: outcomeOf(r.outcome), finishedAt: num(r.finished_at), durationMs: numOrNull(r.duration_ms), tables: tablesOf(r.tables) };
}

export function toRun(r: Row): RunRow {
  const tables = tablesOf(r.tables);
  return {
    executionId: String(r.execution_id),
    outcome: outcomeOf(r.outcome),
    taskId: String(r.task_id),
    finishedAt: num(r.finished_at),
    durationMs: numOrNull(r.duration_ms),
    errorClass: strOrNull(r.error_class),
    tables,
    incidentId: numOrNull(r.incident_id),
    consecutiveFailures: num(r.consecutive_failures),
    source: String(r.source) as RunRow["source"],
  };
}

export function toIncidentState(r: Row): IncidentState {
  return {
    id: num(r.id),
    status: String(r.status) as IncidentStatus,
    failures: num(r.failures),
    events: num(r.events),
    openedAt: num(r.opened_at),
    closedAt: numOrNull(r.closed_at),
    acknowledgedAt: numOrNull(r.acknowledged_at),
    acknowledgedBy: strOrNull(r.acknowledged_by),
    pagedAt: numOrNull(r.paged_at),
  };
}
