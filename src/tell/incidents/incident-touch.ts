// What opens, updates or closes an incident, and the arguments of those statements in the order incident-store.ts's
// TOUCH and CLOSE take them.
import type { SqlValue } from "../../platform/store/sql";

/** What opens or updates an incident. */
export interface IncidentTouch {
  subject: string;
  taskId?: string;
  title: string;
  eventId: string;
  kind: string;
  summary: string;
  /** When it happened (ms): a run's end, a watchdog's observation. */
  at: number;
  /** True for a failed or aborted run (counted in `failures`); false for other events (a missed start). */
  failedRun: boolean;
  /** Failed runs in a row before this one, counted when the incident opens (history from before it existed). */
  priorFailures?: number;
  /** When the streak began, if before `at`. */
  since?: number;
  errorClass?: string;
  /** The event that opens the incident if none is open (several runs in one touch: the first of them); eventId when left out. */
  firstEventId?: string;
  /** Events this touch stands for (several failed runs of one batch, failure-batch.ts); 1 when left out. */
  events?: number;
}

export interface IncidentClose {
  subject: string;
  eventId: string;
  summary: string;
  /** When the closing event happened; an incident updated after it stays open. */
  at: number;
}

/** `id`: the open incident's number, or the one taken for the incident this touch opens (incident-numbers.ts). */
export function touchArgs(t: IncidentTouch, now: number, id: number): SqlValue[] {
  const events = t.events ?? 1;
  const add = t.failedRun ? events : 0;
  return [
    id,
    t.subject,
    t.taskId ?? null,
    t.title,
    (t.priorFailures ?? 0) + add,
    events,
    Math.min(t.since ?? t.at, t.at),
    t.at,
    t.firstEventId ?? t.eventId,
    t.eventId,
    t.kind,
    t.summary,
    t.errorClass ?? null,
    now,
    add,
    events,
  ];
}

/**
 * The arguments of incident-store.ts's EXTEND (the open incident's update, numbered ?1…?11) for the same touch as
 * touchArgs: what it adds, then the values the incident takes when this touch is its newest event.
 */
export function extendArgs(t: IncidentTouch, now: number): SqlValue[] {
  const events = t.events ?? 1;
  return [t.failedRun ? events : 0, events, t.title, Math.min(t.since ?? t.at, t.at), t.eventId, t.kind, t.summary, t.errorClass ?? null, t.at, now, t.subject];
}

export const closeArgs = (c: IncidentClose, now: number): SqlValue[] => [c.at, c.eventId, c.summary, now, c.subject, c.at];
