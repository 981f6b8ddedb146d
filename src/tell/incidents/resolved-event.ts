// The follow-up of an incident resolved by hand: a task.recovered that says who resolved it, built on the incident's
// last failure (as the outbox kept it) so it reaches the routes and people its pages reached, and the on-call products
// and Alertmanager end their alert as on a recovery. Without that event (never routed, or purged) it is built from the
// incident's row.
import type { ResolvedByHand } from "../../platform/events/run-context";
import { type DomainEvent, isTaskEvent, type TaskEvent } from "../../platform/events/types";
import { incidentRef } from "./incident-ref";
import type { IncidentRow } from "./incident-store";
import { resolvedEventId } from "./resolve";

export function resolvedFollowUp(row: IncidentRow, r: ResolvedByHand, last: DomainEvent | undefined, now: number): TaskEvent {
  const incident = { ...incidentRef(row), resolved: r };
  const receivedAt = new Date(now).toISOString();
  const id = resolvedEventId(row.id);
  if (last && isTaskEvent(last)) {
    // What the failure's own page showed (its log, its cause, the grouping's decision) is not this page's.
    const { cause: _cause, scriptLog: _log, unconfirmed: _unconfirmed, warnings: _warnings, ...rest } = last;
    return { ...rest, id, kind: "task.recovered", receivedAt, incident };
  }
  const taskId = row.taskId ?? row.subject.replace(/^task:/, "");
  return {
    id,
    kind: "task.recovered",
    outcome: "failed",
    taskType: "reload",
    source: "udp",
    receivedAt,
    host: "",
    executionId: id,
    user: "",
    task: { id: taskId, name: row.title, tags: [], customProperties: [] },
    complete: false,
    missing: [{ item: "task", reason: "the incident's last failure is no longer kept; resolved by hand" }],
    incident,
  };
}
