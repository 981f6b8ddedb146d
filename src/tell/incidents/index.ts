// Public surface of incidents: task runs annotated with history, likely cause and incident before they reach the
// bus, task.recovered and task.warning, and open/update/close of a task's incident for other producers (the
// watchdog): `raise(touch)` / `resolve(close)` with `taskSubject(taskId)`, then `incidentRef(row)` on the event.
export { type Acknowledged, type AcknowledgedFrom, createIncidentService, type IncidentService, type IncidentServiceDeps } from "./service";
export { setupIncidents, incidentsWantSuccessLogs, type IncidentsSetupDeps } from "./setup";
export { incidentMigrations } from "./migrations";
export { taskSubject, incidentRef, recoveredSummary } from "./incident-ref";
export type { IncidentRow, IncidentTouch, IncidentClose, IncidentStatus } from "./incident-store";
export type { FailureHold } from "./annotator";
export { createClassifier, failureLines, type Classifier, type ErrorCause } from "./classify";
export { BUILTIN_RULES, ERROR_HINTS, type ErrorRule } from "./error-rules";
export { incidentView, type IncidentView } from "./routes";
export { resolvedFollowUp } from "./resolved-event";
export { resolvedSummary } from "./resolve";
export { runLinksOf, type RunLink, type RunRef } from "./run-links";
export { incidentStates, subjectStates, type IncidentState, type SubjectState } from "./incident-states";
export { watchConditionIncidents, conditionSubject, conditionIncidentOf } from "./condition-incidents";
