// Steward's history and likely cause on InfluxDB points, as fields under names Butler never wrote (steward_*),
// so Butler's measurements keep their field set and types; task.recovered and task.warning get measurements of
// their own, so a run is never counted twice in Butler's <type>_task_success series.
import type { Point } from "@influxdata/influxdb-client";
import type { TaskEvent } from "../../../../platform/events/types";

/**
 * steward_task_recovered / steward_task_warning for the follow-ups, steward_engine_reload_failed / _success for reloads
 * outside the Scheduler (not task runs: Butler's series count only those); undefined for a run's own event.
 */
export function followUpMeasurement(e: TaskEvent): string | undefined {
  if (e.kind === "task.recovered") return "steward_task_recovered";
  if (e.kind === "task.warning") return "steward_task_warning";
  if (e.kind === "app.reload_failed") return "steward_engine_reload_failed";
  if (e.kind === "app.reload_succeeded") return "steward_engine_reload_success";
  return undefined;
}

export function addHistoryFields(p: Point, e: TaskEvent, str: (key: string, value: string) => void): void {
  const h = e.history;
  if (h) {
    p.intField("steward_consecutive_failures", h.consecutiveFailures);
    if (h.lastSuccessAt) str("steward_last_success_at", h.lastSuccessAt);
    if (h.failingSince) str("steward_failing_since", h.failingSince);
    if (h.usualDurationMs !== undefined) p.floatField("steward_usual_duration_sec", h.usualDurationMs / 1000);
    str("steward_started_by", h.startedBy.kind);
  }
  if (e.errorClass) str("steward_error_class", e.errorClass);
  if (e.incident) {
    p.intField("steward_incident_id", e.incident.id);
    p.intField("steward_incident_failures", e.incident.failures);
    if (e.incident.durationMs !== undefined) p.floatField("steward_incident_duration_sec", e.incident.durationMs / 1000);
  }
  if (e.warnings?.length) str("steward_warnings", e.warnings.map((w) => w.message).join("; "));
}
