// Builds the variables templates see for one event: every name Butler's templates offer (inventory §3.3)
// plus Steward's own (outcome, task type, completeness, the full event). Missing data becomes "" or [].
import type { DomainEvent, ServiceEvent, SiteEvent, TaskEvent, TaskOutcome, TaskType } from "../../platform/events/types";
import { isDataCheckEvent, isSiteEvent, isTaskEvent, isWatchdogEvent } from "../../platform/events/types";
import { buildWatchdogVars } from "./watchdog-vars";
import { buildDataCheckVars } from "./data-check-vars";
import { excerptText, fitScriptLog, logHead, logMessage, logTail, showScriptLog } from "../../hear/events/script-log-excerpt";
import { durationText, localTimes, splitDuration } from "./time-format";
import { siteTimeZone } from "../../platform/core/site-clock";
import { buildHistoryVars } from "./history-vars";
import { appUrlFor } from "../../hear/events/enrich-mappers";
import { messageTime, timesInText } from "../../platform/core/time-text";
import type { TemplateVars, TemplateVarsOptions } from "./template-vars-types";
import { runWords } from "./reload-vars";

export type { TemplateVars, TemplateVarsOptions } from "./template-vars-types";

const TASK_TYPE_TEXT: Record<TaskType, string> = {
  reload: "Reload",
  externalProgram: "External program",
  userSync: "User sync",
  distribute: "Distribute",
  preload: "Preload",
};

const OUTCOME_TEXT: Record<TaskOutcome, string> = { failed: "failed", succeeded: "succeeded", aborted: "was aborted" };

/** Butler shows "Never" for QRS's 1753-01-01 placeholder date. */
const never = (iso: string | undefined) => (!iso ? "" : iso.startsWith("1753-01-01") ? "Never" : iso);

/** What a mail's subject starts with unless notify.subjectPrefix says otherwise: a mail rule on it catches all. */
export const DEFAULT_SUBJECT_PREFIX = "[Qlik Sense]";

export function buildVars(event: DomainEvent, opts: TemplateVarsOptions): TemplateVars {
  // One subject prefix for everything Steward mails (alerts, reports, its own state), whatever the kind; the site's
  // zone, which every time in the message is in (each *.zoned time says its name).
  const zone = siteTimeZone(opts.timeZone);
  const vars = kindVars(event, opts);
  return { ...vars, ...sentencesOnSiteClock(vars, zone), subjectPrefix: opts.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX, timeZone: zone };
}

/**
 * An event's title, summary and facts as a person reads them: an ISO instant left in them (a sample for `steward alert
 * test`, an event posted as JSON) in the message format. The judges' events arrive so already (watch/watchdog/site-zone.ts).
 */
function sentencesOnSiteClock(vars: TemplateVars, zone: string): TemplateVars {
  const at = (text: string) => timesInText(text, (ms) => messageTime(ms, zone));
  const out: TemplateVars = {};
  if (typeof vars.title === "string") out.title = at(vars.title);
  if (typeof vars.summary === "string") out.summary = at(vars.summary);
  if (Array.isArray(vars.facts)) out.facts = (vars.facts as Array<{ name: string; value: string }>).map((f) => ({ ...f, value: at(String(f.value)) }));
  return out;
}

function kindVars(event: DomainEvent, opts: TemplateVarsOptions): TemplateVars {
  if (isTaskEvent(event)) return buildTaskVars(event, opts);
  if (isDataCheckEvent(event)) return buildDataCheckVars(event, opts);
  if (isWatchdogEvent(event)) return buildWatchdogVars(event, opts);
  return isSiteEvent(event) ? buildSiteVars(event, opts) : buildServiceVars(event as ServiceEvent, opts);
}

/** The execution result's detail rows as Butler's templates see them: the time in UTC and five local forms. */
function executionDetails(rows: NonNullable<TaskEvent["execution"]>["details"], timeZone: TemplateVarsOptions["timeZone"]) {
  return rows.map((d) => {
    const t = localTimes(d.createdDate, timeZone);
    return {
      timestampUTC: t.utc,
      timestampLocal1: t.local1,
      timestampLocal2: t.local2,
      timestampLocal3: t.local3,
      timestampLocal4: t.local4,
      timestampLocal5: t.local5,
      timestampZoned: t.zoned,
      message: d.message,
      detailsType: d.detailsType,
    };
  });
}

export function buildTaskVars(e: TaskEvent, opts: TemplateVarsOptions): TemplateVars {
  const ex = e.execution;
  const log = e.scriptLog;
  // Butler's head and tail: the first and last lines of the log (they overlap in a short log, as in Butler).
  const head = log && opts.headLines > 0 ? logHead(log, opts.headLines) : [];
  const tail = log && opts.tailLines > 0 ? logTail(log, opts.tailLines) : [];
  // Steward's excerpt: head, the failure lines with context, tail — never overlapping, gaps marked.
  const shown = log ? fitScriptLog(showScriptLog(log, { head: opts.headLines, tail: opts.tailLines }), opts.scriptLogFit ?? {}) : undefined;
  const start = localTimes(ex?.startTime, opts.timeZone);
  const stop = localTimes(ex?.stopTime, opts.timeZone);
  const details = executionDetails(ex?.details ?? [], opts.timeZone);
  const owner = e.app?.owner;
  const appUrl = e.links?.hubApp ?? (e.app ? (appUrlFor(e.app.id, opts.hubUrl, opts.appBaseUrl) ?? "") : "");
  const qmcBase = opts.qmcUrl?.replace(/\/+$/, "");
  return {
    // Steward's own
    isTask: true,
    kind: e.kind,
    eventId: e.id,
    outcome: e.outcome,
    outcomeText: OUTCOME_TEXT[e.outcome],
    taskType: e.taskType,
    taskTypeText: TASK_TYPE_TEXT[e.taskType],
    source: e.source,
    receivedAt: localTimes(e.receivedAt, opts.timeZone),
    /** The run's start and end in the site's zone (local1 … local5, zoned: "2026-11-25 14:29:15 CET"). */
    startedAt: start,
    finishedAt: stop,
    complete: e.complete,
    missing: e.missing,
    /** Why QRS did not confirm the run ("" when it did): such alerts are marked in their headline. */
    unconfirmed: e.unconfirmed?.reason ?? "",
    qmcTaskUrl: e.links?.qmcTask ?? (qmcBase ? `${qmcBase}/task` : ""),
    executionDurationText: durationText(ex?.durationMs),
    // What ran, in its own words (a task run, or an app reloaded outside the Scheduler)
    ...runWords(e, TASK_TYPE_TEXT[e.taskType]),
    event: e,
    // History, likely cause, incident and warnings (src/tell/incidents/); "" when the event has none
    ...buildHistoryVars(e, opts.timeZone),
    // Butler's task variables
    hostName: e.host,
    user: e.user,
    taskName: e.task.name,
    taskId: e.task.id,
    taskCustomProperties: e.task.customProperties,
    taskTags: e.task.tags,
    taskIsManuallyTriggered: e.task.isManuallyTriggered ?? "",
    taskIsPartialReload: e.task.isPartialReload ?? "",
    taskMaxRetries: e.task.maxRetries ?? "",
    taskModifiedByUsername: e.task.modifiedByUserName ?? "",
    taskModifiedDate: e.task.modifiedDate ?? "",
    taskSessionTimeout: e.task.sessionTimeoutMinutes ?? "",
    taskNextExecution: never(e.task.nextExecution),
    // App
    appName: e.app?.name ?? "",
    appId: e.app?.id ?? "",
    appUrl,
    appDescription: e.app?.description ?? "",
    appFileSize: e.app?.fileSize ?? "",
    appLastSuccessfulReload: e.app?.lastReloadTime ?? "",
    appLastModifiedDate: e.app?.modifiedDate ?? "",
    appLastModifiedByUserName: e.app?.modifiedByUserName ?? "",
    appPublishTime: never(e.app?.publishTime),
    appPublished: e.app?.published ?? "",
    appStreamName: e.app?.stream ?? "",
    appCustomProperties: e.app?.customProperties ?? [],
    appTags: e.app?.tags ?? [],
    // Owner
    appOwnerName: owner?.name ?? "",
    appOwnerUserId: owner?.userId ?? "",
    appOwnerUserDirectory: owner?.userDirectory ?? "",
    // Butler's appOwnerEmail is one address (the owner's first e-mail attribute); all of them are in appOwnerEmails.
    appOwnerEmail: owner?.emails[0] ?? "",
    appOwnerEmails: owner?.emails ?? [],
    // Log line of the datagram
    logTimeStamp: e.logTimestamp ?? "",
    logLevel: e.logLevel ?? "",
    logMessage: e.logMessage ?? "",
    // Execution
    executionId: e.executionId,
    executingNodeName: ex?.executingNode ?? "",
    executionStatusNum: ex?.statusCode ?? "",
    executionStatusText: ex?.status ?? "",
    executionDuration: splitDuration(ex?.durationMs),
    executionStartTime: {
      startTimeUTC: start.utc,
      startTimeLocal1: start.local1,
      startTimeLocal2: start.local2,
      startTimeLocal3: start.local3,
      startTimeLocal4: start.local4,
      startTimeLocal5: start.local5,
    },
    executionStopTime: {
      stopTimeUTC: stop.utc,
      stopTimeLocal1: stop.local1,
      stopTimeLocal2: stop.local2,
      stopTimeLocal3: stop.local3,
      stopTimeLocal4: stop.local4,
      stopTimeLocal5: stop.local5,
    },
    executionDetails: details,
    executionDetailsConcatenated: details.map((d) => `${d.timestampUTC}\t${d.message}`).join("\n"),
    // Script log
    scriptLogSize: log?.sizeBytes ?? 0,
    scriptLogSizeRows: log?.totalLines ?? 0,
    scriptLogSizeCharacters: log?.text?.length ?? log?.sizeBytes ?? 0,
    scriptLogHead: head.join("\n"),
    scriptLogHeadCount: head.length,
    scriptLogTail: tail.join("\n"),
    scriptLogTailCount: tail.length,
    scriptLogAvailable: Boolean(shown && shown.shownLines > 0),
    // Steward's script-log excerpt: text with "… N lines omitted …" markers, its parts (for HTML), the failure lines
    scriptLogExcerpt: shown ? excerptText(shown) : "",
    scriptLogExcerptParts: shown?.parts ?? [],
    scriptLogExcerptShown: shown?.shownLines ?? 0,
    scriptLogExcerptOmitted: shown?.omittedLines ?? 0,
    scriptLogErrors: shown ? shown.failures.map((f) => logMessage(f.text)).join("\n") : "",
    scriptLogErrorLines: shown?.failures ?? [],
    scriptLogErrorCount: shown ? Math.max(shown.failureCount, shown.failures.length) : 0,
    // Links
    qlikSenseQMC: opts.qmcUrl ?? "",
    qlikSenseHub: opts.hubUrl ?? "",
    genericUrls: opts.links,
  };
}

export function buildServiceVars(e: ServiceEvent, opts: TemplateVarsOptions): TemplateVars {
  return {
    isTask: false,
    kind: e.kind,
    eventId: e.id,
    outcome: e.kind === "service.stopped" ? "stopped" : "started",
    receivedAt: localTimes(e.receivedAt, opts.timeZone),
    event: e,
    host: e.host,
    hostName: e.host,
    serviceName: e.service.name,
    serviceDisplayName: e.service.displayName ?? e.service.name,
    serviceFriendlyName: e.service.friendlyName ?? e.service.displayName ?? e.service.name,
    serviceStatus: e.state,
    servicePrevStatus: e.previousState,
    serviceStartType: e.service.startType ?? "",
    serviceExePath: e.service.exePath ?? "",
    qlikSenseQMC: opts.qmcUrl ?? "",
    qlikSenseHub: opts.hubUrl ?? "",
    genericUrls: opts.links,
  };
}

/** Butler's webhook `event` text for the server-license events it also sends. */
const BUTLER_SITE_EVENT: Partial<Record<SiteEvent["kind"], string>> = {
  "license.expiring": "server license about to expire alert",
  "license.expired": "server license has expired alert",
};

export function buildSiteVars(e: SiteEvent, opts: TemplateVarsOptions): TemplateVars {
  return {
    isTask: false,
    isSite: true,
    kind: e.kind,
    eventId: e.id,
    outcome: e.kind,
    receivedAt: localTimes(e.receivedAt, opts.timeZone),
    event: e,
    host: e.host,
    hostName: e.host,
    title: e.title,
    summary: e.summary,
    facts: e.facts,
    data: e.data,
    butlerEvent: BUTLER_SITE_EVENT[e.kind] ?? e.kind,
    qlikSenseQMC: opts.qmcUrl ?? "",
    qlikSenseHub: opts.hubUrl ?? "",
    genericUrls: opts.links,
  };
}

/** Variables of a digest: the events' own variables plus counts and a one-line summary. */
export function buildDigestVars(events: TemplateVars[], route: string, windowMs: number): TemplateVars {
  const counts = new Map<string, number>();
  for (const e of events) {
    const label = e.isTask ? `${String(e.outcome)}` : e.isSite || e.isDataCheck || e.isWatchdog ? String(e.kind) : `service ${String(e.outcome)}`;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const times = events.map((e) => e.receivedAt as { utc: string; local1: string });
  return {
    isDigest: true,
    subjectPrefix: events[0]?.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX,
    count: events.length,
    events,
    route,
    windowText: windowText(windowMs),
    summary: [...counts.entries()].map(([k, n]) => `${n} ${k}`).join(", "),
    firstAt: times[0]?.local1 ?? "",
    lastAt: times[times.length - 1]?.local1 ?? "",
    firstAtUtc: (events[0]?.event as { receivedAt?: string } | undefined)?.receivedAt ?? "",
    lastAtUtc: (events[events.length - 1]?.event as { receivedAt?: string } | undefined)?.receivedAt ?? "",
  };
}

function windowText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}
