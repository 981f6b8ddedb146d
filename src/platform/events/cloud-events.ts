// The site events a Qlik Cloud tenant raises: its API key refused or about to expire (src/hear/cloud/key-expiry.ts),
// and its Qlik Automate automations (src/hear/cloud/automation-watch.ts): a run that failed (or was stopped, or
// exceeded the run limit) and `cloud.automation.recovered`, the run that finished after it; one finished with
// warnings; an automation disabled, and `cloud.automation.enabled`, which closes a disable.
export const CLOUD_AUTOMATION_EVENT_KINDS = [
  "cloud.automation.failed",
  "cloud.automation.recovered",
  "cloud.automation.warning",
  "cloud.automation.disabled",
  "cloud.automation.enabled",
] as const;
export type CloudAutomationEventKind = (typeof CLOUD_AUTOMATION_EVENT_KINDS)[number];
/** A Qlik Talend Cloud data task's run that failed or was stopped, and the run that completed after it (data-task-watch.ts). */
export const CLOUD_DATA_TASK_EVENT_KINDS = ["cloud.datatask.failed", "cloud.datatask.recovered"] as const;
export type CloudDataTaskEventKind = (typeof CLOUD_DATA_TASK_EVENT_KINDS)[number];
export const QLIK_CLOUD_SITE_EVENT_KINDS = [
  "qlikcloud.key_rejected",
  "qlikcloud.key_expiring",
  ...CLOUD_AUTOMATION_EVENT_KINDS,
  ...CLOUD_DATA_TASK_EVENT_KINDS,
] as const;

/**
 * An automation where an app would stand (a freshness promise waiting on it, a cause listing it): `automation:<id>`,
 * so no Qlik app id can be it.
 */
export const AUTOMATION_APP_PREFIX = "automation:";
export const automationAppId = (automationId: string) => `${AUTOMATION_APP_PREFIX}${automationId.toLowerCase()}`;

/**
 * A data task's subject, the one its cause (tell/grouping/data-task-cause.ts) and its incident
 * (tell/incidents/condition-incidents.ts) share, so the incident is listed under the cause that holds it.
 */
export const dataTaskSubject = (tenant: string, dataTaskId: string) => `datatask:${tenant}:${dataTaskId.toLowerCase()}`;
