// Approved remediation (src/start/remediation): built after the alerting, as it starts tasks for incidents and the
// links offer it; only where Steward can start tasks (qlik configured) and keeps incidents.
import type { AuditLog } from "../platform/audit/audit-log";
import type { HttpApp } from "../platform/http/app";
import { remediationSchema, setupRemediation, type RemediationService } from "../start/remediation";
import type { Alerting } from "./alerting";
import type { TaskServices } from "./task-services";
import type { Wiring } from "./wiring";

export function wireRemediation(w: Wiring, audit: AuditLog, http: HttpApp, tasks: TaskServices, alerting: Alerting): RemediationService | undefined {
  const { qrs, control } = tasks;
  const { incidents } = alerting;
  if (!qrs || !incidents) return undefined;
  const remediation = setupRemediation(w.config.remediation ?? remediationSchema().parse({}), {
    db: w.shared.sql,
    clock: w.clock,
    log: w.log,
    audit,
    bus: w.bus,
    router: http.router,
    lifecycle: w.lifecycle,
    instanceId: w.clusterWiring.instanceId,
    qrs,
    taskStarter: control.taskStarter,
    incidents,
    formatTime: alerting.formatTime,
    inMaintenance: (e, now) => alerting.alertGates.maintenance.holding(e, now),
  });
  alerting.act.setRemedies(remediation);
  return remediation;
}
