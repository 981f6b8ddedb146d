// What an event becomes on MQTT: Butler's topics (task name as payload, JSON on the *_full topics, service
// JSON below <topic>/<host>/<service>) and Steward's structured topic with the full event.
import type { DomainEvent, ScriptLogExcerpt, ServiceEvent, TaskEvent } from "../../../../platform/events/types";
import { isDataCheckEvent, isEngineReloadKind, isSiteEvent, isTaskEvent, isWatchdogEvent, TASK_TYPES } from "../../../../platform/events/types";
import { excerptText, showScriptLog, type NumberedLine } from "../../../../hear/events/script-log-excerpt";
import type { MqttChannelConfig } from "./schema";

export interface MqttMessage {
  topic: string;
  payload: string;
}

/** Topic levels must not contain MQTT wildcards or separators. */
const level = (s: string) => s.replace(/[+#/\u0000]/g, "_") || "_";

/**
 * Butler's qs_taskMetadata: the QRS task/full object, as the intake read it. Without one (the lookup failed, or a
 * test event), the fields the event holds, named and shaped as QRS has them; a field Steward does not know is left out.
 */
export function butlerTaskMetadata(e: TaskEvent): Record<string, unknown> {
  if (e.taskMetadata) return e.taskMetadata;
  const t = e.task;
  const some = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return some({
    id: t.id,
    name: t.name,
    taskType: TASK_TYPES.indexOf(e.taskType),
    enabled: t.enabled,
    isManuallyTriggered: t.isManuallyTriggered,
    isPartialReload: t.isPartialReload,
    maxRetries: t.maxRetries,
    taskSessionTimeout: t.sessionTimeoutMinutes,
    modifiedDate: t.modifiedDate,
    modifiedByUserName: t.modifiedByUserName,
    operational: t.nextExecution !== undefined ? { nextExecution: t.nextExecution } : undefined,
    app: e.app ? { id: e.app.id, name: e.app.name } : undefined,
    tags: t.tags.map((name) => ({ name })),
    customProperties: t.customProperties.map((cp) => ({ definition: { name: cp.name }, value: cp.value })),
  });
}

/** Butler's qs_appMetadata (aborted reloads only): the QRS app/full object, or the app fields the event holds. */
function butlerAppMetadata(e: TaskEvent): Record<string, unknown> {
  if (e.appMetadata) return e.appMetadata;
  if (!e.app) return {};
  return {
    id: e.app.id,
    name: e.app.name,
    tags: e.app.tags.map((name) => ({ name })),
    customProperties: e.app.customProperties.map((cp) => ({ definition: { name: cp.name }, value: cp.value })),
  };
}

/** The JSON of Butler's *_full topics, keys in Butler's order; aborted runs also carry qs_appMetadata, as Butler's did. */
export function butlerTaskJson(e: TaskEvent): Record<string, unknown> {
  return {
    hostName: e.host,
    user: e.user,
    taskName: e.task.name,
    taskId: e.task.id,
    appName: e.app?.name ?? "",
    appId: e.app?.id ?? "",
    logTimeStamp: e.logTimestamp ?? "",
    logLevel: e.logLevel ?? "",
    executionId: e.executionId,
    logMessage: e.logMessage ?? "",
    qs_appTags: e.app?.tags ?? [],
    qs_appCustomProperties: e.app?.customProperties ?? [],
    qs_taskTags: e.task.tags,
    qs_taskCustomProperties: e.task.customProperties,
    ...(e.outcome === "aborted" ? { qs_appMetadata: butlerAppMetadata(e) } : {}),
    qs_taskMetadata: butlerTaskMetadata(e),
  };
}

/** Butler's service payload (serviceHost … serviceStatusChanged); host, prevState and startType are Steward's older names. */
function butlerServiceJson(e: ServiceEvent): Record<string, unknown> {
  return {
    serviceHost: e.host,
    serviceName: e.service.name,
    serviceFriendlyName: e.service.friendlyName ?? e.service.displayName ?? e.service.name,
    serviceDisplayName: e.service.displayName ?? e.service.name,
    // Steward does not read a service's dependencies; Butler sent a list, so an empty one keeps the type.
    serviceDependencies: [],
    serviceStartType: e.service.startType ?? "",
    serviceExePath: e.service.exePath ?? "",
    serviceStatus: e.state,
    servicePrevStatus: e.previousState,
    serviceStatusChanged: e.state !== e.previousState,
    host: e.host,
    prevState: e.previousState,
    startType: e.service.startType ?? "",
  };
}

/** The event with the script-log excerpt alerts show (head, failure lines with context, tail, gaps marked). */
function withExcerpt(
  cfg: MqttChannelConfig,
  e: TaskEvent,
): TaskEvent | (Omit<TaskEvent, "scriptLog"> & { scriptLog: ScriptLogExcerpt & { excerpt: string; errors: NumberedLine[] } }) {
  if (!e.scriptLog) return e;
  const shown = showScriptLog(e.scriptLog, { head: cfg.scriptLogLines.head, tail: cfg.scriptLogLines.tail });
  return { ...e, scriptLog: { ...e.scriptLog, excerpt: excerptText(shown), errors: shown.failures } };
}

export function mqttMessages(cfg: MqttChannelConfig, e: DomainEvent, topicPrefix = ""): MqttMessage[] {
  const out: MqttMessage[] = [];
  const b = cfg.butlerTopics;
  if (isTaskEvent(e) && isEngineReloadKind(e.kind)) {
    // Not a task run: Butler's task topics stay for those; the structured topic names the app.
    if (cfg.structured.enabled)
      out.push({
        topic: `${cfg.structured.prefix}/${level(e.host)}/app/${e.kind.slice("app.".length)}/${level(e.app?.id ?? e.task.id)}`,
        payload: JSON.stringify(withExcerpt(cfg, e)),
      });
  } else if (isTaskEvent(e)) {
    if (b.enabled && (e.outcome === "failed" || e.outcome === "aborted")) {
      const failed = e.outcome === "failed";
      out.push({ topic: failed ? b.taskFailure : b.taskAborted, payload: e.task.name });
      if (b.sendFull) out.push({ topic: failed ? b.taskFailureFull : b.taskAbortedFull, payload: JSON.stringify(butlerTaskJson(e)) });
    }
    if (cfg.structured.enabled) {
      // task.recovered and task.warning get their own level (their outcome is "succeeded": the run's own message is there).
      const what = e.kind === "task.recovered" || e.kind === "task.warning" ? e.kind.slice("task.".length) : e.outcome;
      out.push({ topic: `${cfg.structured.prefix}/${level(e.host)}/task/${what}/${e.taskType}`, payload: JSON.stringify(withExcerpt(cfg, e)) });
    }
  } else if (isDataCheckEvent(e)) {
    const status = e.kind.slice("data.check_".length);
    if (cfg.structured.enabled)
      out.push({
        topic: `${cfg.structured.prefix}/${level(e.host)}/data/${status}/${level(e.app.id)}/${level(e.check?.name ?? "*")}`,
        payload: JSON.stringify(e),
      });
  } else if (isWatchdogEvent(e)) {
    if (cfg.structured.enabled)
      out.push({
        topic: `${cfg.structured.prefix}/${level(e.host)}/watchdog/${e.kind}/${level(e.task?.id ?? e.app?.id ?? (typeof e.data.check === "string" ? e.data.check : "*"))}`,
        payload: JSON.stringify(e),
      });
  } else if (isSiteEvent(e)) {
    if (b.enabled && (e.kind === "license.expiring" || e.kind === "license.expired")) {
      out.push({
        topic: b.serverLicense,
        payload: JSON.stringify({
          licenseExpired: e.data.licenseExpired === true,
          expiryDateStr: e.data.expiryDate ?? "",
          daysUntilExpiry: e.data.daysUntilExpiry ?? null,
        }),
      });
      out.push({ topic: b.serverLicenseExpire, payload: e.summary });
    }
    if (cfg.structured.enabled) out.push({ topic: `${cfg.structured.prefix}/${level(e.host)}/site/${e.kind}`, payload: JSON.stringify(e) });
  } else {
    const svc = e as ServiceEvent;
    const stopped = svc.kind === "service.stopped";
    if (b.enabled)
      out.push({
        topic: `${stopped ? b.serviceStopped : b.serviceRunning}/${level(svc.host)}/${level(svc.service.name)}`,
        payload: JSON.stringify(butlerServiceJson(svc)),
      });
    if (cfg.structured.enabled) {
      out.push({
        topic: `${cfg.structured.prefix}/${level(svc.host)}/service/${stopped ? "stopped" : "started"}/${level(svc.service.name)}`,
        payload: JSON.stringify(svc),
      });
    }
  }
  return out.map((m) => ({ ...m, topic: `${topicPrefix}${m.topic}` }));
}
