// What an event becomes on MQTT: Butler's topics (task name as payload, JSON on the *_full topics, service
// JSON below <topic>/<host>/<service>) and Steward's structured topic with the full event.
import type { DomainEvent, ScriptLogExcerpt, ServiceEvent, TaskEvent } from "../../../events/types";
import { isSiteEvent, isTaskEvent } from "../../../events/types";
import { excerptText, showScriptLog, type NumberedLine } from "../../../events/script-log-excerpt";
import type { MqttChannelConfig } from "./schema";

export interface MqttMessage {
  topic: string;
  payload: string;
}

/** Topic levels must not contain MQTT wildcards or separators. */
const level = (s: string) => s.replace(/[+#/\u0000]/g, "_") || "_";

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
    qs_taskTags: e.task.tags,
    qs_taskCustomProperties: e.task.customProperties,
    qs_appTags: e.app?.tags ?? [],
    qs_appCustomProperties: e.app?.customProperties ?? [],
  };
}

function butlerServiceJson(e: ServiceEvent): Record<string, unknown> {
  return {
    host: e.host,
    serviceName: e.service.name,
    serviceDisplayName: e.service.displayName ?? e.service.name,
    serviceFriendlyName: e.service.friendlyName ?? e.service.displayName ?? e.service.name,
    serviceStatus: e.state,
    prevState: e.previousState,
    startType: e.service.startType ?? "",
  };
}

/** The event with the script-log excerpt alerts show (head, failure lines with context, tail, gaps marked). */
function withExcerpt(cfg: MqttChannelConfig, e: TaskEvent): TaskEvent | (Omit<TaskEvent, "scriptLog"> & { scriptLog: ScriptLogExcerpt & { excerpt: string; errors: NumberedLine[] } }) {
  if (!e.scriptLog) return e;
  const shown = showScriptLog(e.scriptLog, { head: cfg.scriptLogLines.head, tail: cfg.scriptLogLines.tail });
  return { ...e, scriptLog: { ...e.scriptLog, excerpt: excerptText(shown), errors: shown.failures } };
}

export function mqttMessages(cfg: MqttChannelConfig, e: DomainEvent, topicPrefix = ""): MqttMessage[] {
  const out: MqttMessage[] = [];
  const b = cfg.butlerTopics;
  if (isTaskEvent(e)) {
    if (b.enabled && (e.outcome === "failed" || e.outcome === "aborted")) {
      const failed = e.outcome === "failed";
      out.push({ topic: failed ? b.taskFailure : b.taskAborted, payload: e.task.name });
      if (b.sendFull) out.push({ topic: failed ? b.taskFailureFull : b.taskAbortedFull, payload: JSON.stringify(butlerTaskJson(e)) });
    }
    if (cfg.structured.enabled) {
      out.push({ topic: `${cfg.structured.prefix}/${level(e.host)}/task/${e.outcome}/${e.taskType}`, payload: JSON.stringify(withExcerpt(cfg, e)) });
    }
  } else if (isSiteEvent(e)) {
    if (b.enabled && (e.kind === "license.expiring" || e.kind === "license.expired")) {
      out.push({ topic: b.serverLicense, payload: JSON.stringify({ licenseExpired: e.data.licenseExpired === true, expiryDateStr: e.data.expiryDate ?? "", daysUntilExpiry: e.data.daysUntilExpiry ?? null }) });
      out.push({ topic: b.serverLicenseExpire, payload: e.summary });
    }
    if (cfg.structured.enabled) out.push({ topic: `${cfg.structured.prefix}/${level(e.host)}/site/${e.kind}`, payload: JSON.stringify(e) });
  } else {
    const svc = e as ServiceEvent;
    const stopped = svc.kind === "service.stopped";
    if (b.enabled) out.push({ topic: `${stopped ? b.serviceStopped : b.serviceRunning}/${level(svc.host)}/${level(svc.service.name)}`, payload: JSON.stringify(butlerServiceJson(svc)) });
    if (cfg.structured.enabled) {
      out.push({ topic: `${cfg.structured.prefix}/${level(svc.host)}/service/${stopped ? "stopped" : "started"}/${level(svc.service.name)}`, payload: JSON.stringify(svc) });
    }
  }
  return out.map((m) => ({ ...m, topic: `${topicPrefix}${m.topic}` }));
}
