// What a task or service event becomes in New Relic: an Event API object and a Log API entry with Butler's
// event/log types and qs_* / butler_* attribute names, so existing NRQL queries and dashboards keep working.
// New Relic attributes are flat scalars: tags become one attribute each, custom properties one per name.
import type { DataCheckEvent, DomainEvent, ServiceEvent, SiteEvent, TaskEvent, WatchdogEvent } from "../../../../platform/events/types";
import { isDataCheckEvent, isSiteEvent, isTaskEvent, isWatchdogEvent } from "../../../../platform/events/types";
import { VERSION } from "../../../../platform/core/version";
import { excerptText, showScriptLog } from "../../../../hear/events/script-log-excerpt";
import type { NewRelicChannelConfig } from "./schema";

export type Attributes = Record<string, string | number | boolean>;

const OUTCOME: Record<TaskEvent["outcome"], string> = { failed: "Failed", aborted: "Aborted", succeeded: "Succeeded" };

/** Butler's names for reloads (qs_reloadTaskFailedEvent); the other task types follow the same pattern. */
export function newRelicTypes(e: DomainEvent): { eventType: string; logType: string } {
  if (isSiteEvent(e)) return { eventType: "qs_siteEvent", logType: "qs_siteLog" };
  if (isDataCheckEvent(e)) return { eventType: "qs_dataCheckEvent", logType: "qs_dataCheckLog" };
  if (isWatchdogEvent(e)) return { eventType: "qs_watchdogEvent", logType: "qs_watchdogLog" };
  if (!isTaskEvent(e)) return { eventType: "qs_serviceStateEvent", logType: "qs_serviceStateLog" };
  // A reload outside the Scheduler is not a task run: its own names, so Butler's task counts stay right.
  if (e.kind === "app.reload_failed") return { eventType: "qs_engineReloadFailedEvent", logType: "qs_engineReloadFailedLog" };
  if (e.kind === "app.reload_succeeded") return { eventType: "qs_engineReloadSucceededEvent", logType: "qs_engineReloadSucceededLog" };
  // task.recovered and task.warning are not runs of their own: named apart so run counts in NRQL stay right.
  const what = e.kind === "task.recovered" ? "Recovered" : e.kind === "task.warning" ? "Warning" : OUTCOME[e.outcome];
  const base = `qs_${e.taskType}Task${what}`;
  return { eventType: `${base}Event`, logType: `${base}Log` };
}

function taskAttributes(cfg: NewRelicChannelConfig, e: TaskEvent): Attributes {
  const a: Attributes = {
    qs_hostName: e.host,
    qs_user: e.user.replace(/\\/g, "/"),
    qs_taskName: e.task.name,
    qs_taskId: e.task.id,
    qs_appName: e.app?.name ?? "",
    qs_appId: e.app?.id ?? "",
    qs_logTimeStamp: e.logTimestamp ?? e.receivedAt,
    qs_logLevel: e.logLevel ?? "",
    qs_executionId: e.executionId,
    qs_logMessage: e.logMessage ?? "",
    qs_taskType: e.taskType,
    qs_outcome: e.outcome,
  };
  // Steward's history and likely cause, under names Butler never sent.
  if (e.history) {
    a.steward_consecutiveFailures = e.history.consecutiveFailures;
    if (e.history.lastSuccessAt) a.steward_lastSuccessAt = e.history.lastSuccessAt;
    if (e.history.failingSince) a.steward_failingSince = e.history.failingSince;
    if (e.history.usualDurationMs !== undefined) a.steward_usualDurationMs = e.history.usualDurationMs;
    a.steward_startedBy = e.history.startedBy.kind;
  }
  if (e.errorClass) a.steward_errorClass = e.errorClass;
  if (e.incident) a.steward_incidentId = e.incident.id;
  if (cfg.taskTagsAsAttributes) for (const t of e.task.tags) a[`qs_taskTag_${t}`] = "true";
  if (cfg.appTagsAsAttributes) for (const t of e.app?.tags ?? []) a[`qs_appTag_${t}`] = "true";
  for (const [prefix, cps] of [
    ["qs_taskCustomProperty_", e.task.customProperties],
    ["qs_appCustomProperty_", e.app?.customProperties ?? []],
  ] as const) {
    const byName = new Map<string, string[]>();
    for (const cp of cps) byName.set(cp.name, [...(byName.get(cp.name) ?? []), cp.value]);
    for (const [name, values] of byName) a[`${prefix}${name}`] = values.join(",");
  }
  const ex = e.execution;
  if (ex) {
    a.qs_executingNodeName = ex.executingNode ?? "";
    a.qs_executionStartTime = ex.startTime ?? "";
    a.qs_executionStopTime = ex.stopTime ?? "";
    if (ex.durationMs !== undefined) a.qs_executionDuration = ex.durationMs;
    a.qs_executionStatusNum = ex.statusCode;
    a.qs_executionStatusText = ex.status;
  }
  return a;
}

function serviceAttributes(e: ServiceEvent): Attributes {
  return {
    butler_serviceHost: e.host,
    butler_serviceName: e.service.name,
    butler_serviceDisplayName: e.service.displayName ?? e.service.friendlyName ?? e.service.name,
    butler_serviceStatus: e.state.toUpperCase(),
  };
}

function siteAttributes(e: SiteEvent): Attributes {
  const a: Attributes = { steward_kind: e.kind, steward_host: e.host, steward_title: e.title };
  for (const [k, v] of Object.entries(e.data)) if (v !== null) a[`steward_${k}`] = v;
  return a;
}

function watchdogAttributes(e: WatchdogEvent): Attributes {
  const a: Attributes = { steward_kind: e.kind, steward_host: e.host, steward_title: e.title, steward_condition: e.condition.type };
  if (e.task) Object.assign(a, { qs_taskId: e.task.id, qs_taskName: e.task.name });
  if (e.app) Object.assign(a, { qs_appId: e.app.id, qs_appName: e.app.name });
  for (const [k, v] of Object.entries(e.data)) if (v !== null) a[`steward_${k}`] = v;
  return a;
}

function dataCheckAttributes(e: DataCheckEvent): Attributes {
  const a: Attributes = {
    steward_kind: e.kind,
    steward_host: e.host,
    steward_title: e.title,
    qs_appId: e.app.id,
    qs_appName: e.app.name,
    steward_holdsBack: e.holdsBack,
  };
  if (e.task) Object.assign(a, { qs_taskId: e.task.id, qs_taskName: e.task.name });
  const c = e.check;
  if (c) {
    Object.assign(a, { steward_check: c.name, steward_expression: c.expression, steward_expect: c.expect, steward_severity: c.severity });
    if (c.value) a.steward_valueText = c.value.text;
    if (c.value?.number !== null && c.value?.number !== undefined && Number.isFinite(c.value.number)) a.steward_value = c.value.number;
    if (c.previous !== null && Number.isFinite(c.previous)) a.steward_previous = c.previous;
    if (c.message) a.steward_message = c.message;
  } else if (e.error) a.steward_message = e.error.message;
  return a;
}

export function eventAttributes(cfg: NewRelicChannelConfig, e: DomainEvent): Attributes {
  const own = isTaskEvent(e)
    ? taskAttributes(cfg, e)
    : isSiteEvent(e)
      ? siteAttributes(e)
      : isDataCheckEvent(e)
        ? dataCheckAttributes(e)
        : isWatchdogEvent(e)
          ? watchdogAttributes(e)
          : serviceAttributes(e as ServiceEvent);
  // The parent incident (src/tell/grouping): every event a cause decided on, symptoms included, names it.
  const cause: Attributes = e.cause
    ? {
        steward_cause_id: e.cause.id,
        steward_cause_title: e.cause.title,
        steward_cause_status: e.cause.status,
        steward_cause_affected: e.cause.text,
        steward_cause_tasks: e.cause.tasks.join(", ").slice(0, 4_000),
        steward_cause_apps: e.cause.apps.join(", ").slice(0, 4_000),
      }
    : {};
  return { ...cfg.attributes, ...own, ...cause, version: VERSION };
}

/** Event API body: an array with one event object. */
export function newRelicEvent(cfg: NewRelicChannelConfig, e: DomainEvent, nowMs: number): Attributes[] {
  return [{ ...eventAttributes(cfg, e), eventType: newRelicTypes(e).eventType, timestamp: nowMs }];
}

/** Log API body: the execution details and the end of the script log as one entry, attributes in common. */
export function newRelicLog(
  cfg: NewRelicChannelConfig,
  e: DomainEvent,
  nowMs: number,
): Array<{ common: { attributes: Attributes }; logs: Array<{ timestamp: number; message: string }> }> {
  const attributes: Attributes = { ...eventAttributes(cfg, e), logtype: newRelicTypes(e).logType };
  let message: string;
  if (isTaskEvent(e)) {
    const details = (e.execution?.details ?? []).map((d) => `${d.createdDate} ${d.message}`).join("\r\n");
    attributes.qs_scriptLogSize = e.scriptLog?.sizeBytes ?? 0;
    if (e.scriptLog) {
      // The failure lines wherever they are, then the last lines; gaps are marked.
      const shown = showScriptLog(e.scriptLog, { head: 0, tail: cfg.logTailLines });
      attributes.qs_scriptLogTailCount = Math.min(cfg.logTailLines, e.scriptLog.totalLines);
      attributes.qs_scriptLogErrorCount = shown.failureCount;
      message = `${details}\r\n-------------------------------\r\n\r\n${excerptText(shown, "\r\n")}`;
    } else {
      message = `${details}\r\nScript log not available for this task.`;
    }
  } else if (isSiteEvent(e) || isDataCheckEvent(e) || isWatchdogEvent(e)) {
    message = e.summary;
  } else {
    const s = e as ServiceEvent;
    message = `Windows service "${s.service.displayName ?? s.service.name}" on host "${s.host}" is ${s.state.toUpperCase()}.`;
  }
  return [{ common: { attributes }, logs: [{ timestamp: nowMs, message }] }];
}

/** Accounts for one event: the fixed ones plus those the task's custom property names, each once. */
export function destinationAccounts(cfg: NewRelicChannelConfig, e: DomainEvent): string[] {
  const names = [...cfg.accounts];
  // A data check's task custom properties are those of the reload task it followed.
  const cps = isTaskEvent(e) ? e.task.customProperties : isDataCheckEvent(e) || isWatchdogEvent(e) ? (e.task?.customProperties ?? []) : [];
  if (cfg.accountsFromCustomProperty) {
    const want = cfg.accountsFromCustomProperty.toLowerCase();
    for (const cp of cps) if (cp.name.toLowerCase() === want) names.push(cp.value);
  }
  return [...new Set(names)];
}
