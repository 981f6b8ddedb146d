// Template variables of a watchdog event (task.missed … task.on_track): the generic title, summary and facts (as
// site events have), the task and app with their links, and the condition's fields on their own.
import type { WatchdogEvent } from "../../platform/events/types";
import { localTimes } from "./time-format";
import { appUrlFor } from "../../hear/events/enrich-mappers";
import type { TemplateVars, TemplateVarsOptions } from "./template-vars-types";

export function buildWatchdogVars(e: WatchdogEvent, opts: TemplateVarsOptions): TemplateVars {
  const qmcBase = opts.qmcUrl?.replace(/\/+$/, "");
  return {
    isTask: false,
    isWatchdog: true,
    kind: e.kind,
    eventId: e.id,
    outcome: e.kind,
    condition: e.condition.type,
    conditionKey: e.condition.key,
    openedAt: localTimes(e.condition.openedAt, opts.timeZone),
    closedAt: localTimes(e.condition.closedAt, opts.timeZone),
    receivedAt: localTimes(e.receivedAt, opts.timeZone),
    event: e,
    host: e.host,
    hostName: e.host,
    title: e.title,
    summary: e.summary,
    facts: e.facts,
    data: e.data,
    taskName: e.task?.name ?? "",
    taskId: e.task?.id ?? "",
    taskTags: e.task?.tags ?? [],
    taskUrl: qmcBase && e.task ? `${qmcBase}/task/${e.task.id}` : "",
    appName: e.app?.name ?? "",
    appId: e.app?.id ?? "",
    appStreamName: e.app?.stream ?? "",
    appTags: e.app?.tags ?? [],
    appUrl: e.app ? (appUrlFor(e.app.id, opts.hubUrl, opts.appBaseUrl) ?? "") : "",
    appOwnerName: e.app?.owner?.name ?? "",
    appOwnerEmail: e.app?.owner?.emails[0] ?? "",
    qlikSenseQMC: opts.qmcUrl ?? "",
    qlikSenseHub: opts.hubUrl ?? "",
    genericUrls: opts.links,
  };
}
