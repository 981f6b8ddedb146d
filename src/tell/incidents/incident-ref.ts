// Small shared helpers: the subject of a task's incident, the IncidentRef an event carries, and the sentence a
// closing event tells ("recovered after 5 failed runs over 1 h 15 min").
import type { IncidentRef } from "../../platform/events/run-context";
import { spanText } from "../notify/time-format";
import type { IncidentRow, IncidentState } from "./incident-store";

/** The incident subject of a task: one incident at a time per task, whatever raised it. */
export const taskSubject = (taskId: string): string => `task:${taskId.toLowerCase()}`;

export function incidentRef(row: IncidentState): IncidentRef {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: row.id,
    status: row.status,
    failures: row.failures,
    openedAt: iso(row.openedAt),
    ...(row.closedAt !== null ? { closedAt: iso(row.closedAt), durationMs: Math.max(0, row.closedAt - row.openedAt) } : {}),
    ...(row.acknowledgedAt !== null ? { acknowledgedAt: iso(row.acknowledgedAt), acknowledgedBy: row.acknowledgedBy ?? "" } : {}),
    paged: row.pagedAt !== null,
  };
}

/** "recovered after 5 failed runs over 1 h 15 min" (the span from the first failure to the recovery). */
export function recoveredSummary(row: Pick<IncidentRow, "failures" | "openedAt">, at: number): string {
  const runs = `${row.failures} failed ${row.failures === 1 ? "run" : "runs"}`;
  return `recovered after ${runs} over ${spanText(Math.max(0, at - row.openedAt))}`;
}
