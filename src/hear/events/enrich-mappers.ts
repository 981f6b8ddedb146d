// Pure mappings from QRS entities to the pieces of a TaskEvent, plus the script-log excerpt and links.
import type { QrsApp, QrsCustomPropertyValue, QrsExecutionResult, QrsTask, QrsUser } from "../../platform/qlik/qrs-schemas";
import { executionStatusName, isNeverDate, ZERO_GUID } from "../../platform/qlik/qrs-schemas";
import { keepScriptLog, splitLogLines } from "./script-log-excerpt";
import {
  TASK_TYPES,
  type ExecutionInfo,
  type NameValue,
  type QlikUserRef,
  type ScriptLogExcerpt,
  type TaskEvent,
  type TaskOutcome,
  type TaskType,
} from "../../platform/events/types";

export function taskTypeOf(code: number | null | undefined): TaskType | undefined {
  return code !== null && code !== undefined ? TASK_TYPES[code] : undefined;
}

/** The event outcome of a final QRS execution status; undefined for states that are not an end of a run. */
export function outcomeOfStatus(status: number): TaskOutcome | undefined {
  if (status === 7) return "succeeded";
  if (status === 6) return "aborted";
  if (status === 8 || status === 11) return "failed";
  return undefined;
}

const cps = (list: QrsCustomPropertyValue[] | null | undefined): NameValue[] => (list ?? []).map((c) => ({ name: c.definition.name, value: c.value }));
const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
const date = (v: string | null | undefined) => (isNeverDate(v) ? undefined : v!);

export function taskPart(t: QrsTask): TaskEvent["task"] {
  return {
    id: t.id,
    name: t.name,
    enabled: opt(t.enabled),
    tags: (t.tags ?? []).map((x) => x.name),
    customProperties: cps(t.customProperties),
    isManuallyTriggered: opt(t.isManuallyTriggered),
    isPartialReload: opt(t.isPartialReload),
    maxRetries: opt(t.maxRetries),
    sessionTimeoutMinutes: opt(t.taskSessionTimeout),
    modifiedDate: opt(t.modifiedDate),
    modifiedByUserName: opt(t.modifiedByUserName),
    nextExecution: date(t.operational?.nextExecution),
  };
}

/**
 * The task object with QRS's last execution result replaced by the final one of this run, when QRS's copy was of
 * this run but read before it ended (or is the same): subscribers then read the run's real outcome there.
 */
export function withFinalExecution(task: Record<string, unknown>, execution: QrsExecutionResult, executionId: string): Record<string, unknown> {
  const op = task.operational as { lastExecutionResult?: { executionID?: string | null } | null } | null | undefined;
  const lastId = op?.lastExecutionResult?.executionID;
  if (!op || !lastId || lastId.toLowerCase() !== executionId.toLowerCase() || op.lastExecutionResult === execution) return task;
  return { ...task, operational: { ...op, lastExecutionResult: execution } };
}

export function appPart(a: QrsApp): NonNullable<TaskEvent["app"]> {
  return {
    id: a.id,
    name: a.name,
    stream: a.stream?.name,
    published: opt(a.published),
    tags: (a.tags ?? []).map((x) => x.name),
    customProperties: cps(a.customProperties),
    owner: a.owner ? { id: a.owner.id, userDirectory: a.owner.userDirectory, userId: a.owner.userId, name: opt(a.owner.name), emails: [] } : undefined,
    lastReloadTime: date(a.lastReloadTime),
    description: opt(a.description),
    fileSize: opt(a.fileSize),
    modifiedDate: opt(a.modifiedDate),
    modifiedByUserName: opt(a.modifiedByUserName),
    publishTime: date(a.publishTime),
  };
}

export function ownerEmails(u: QrsUser): string[] {
  return (u.attributes ?? []).filter((a) => (a.attributeType ?? "").toLowerCase() === "email" && a.attributeValue).map((a) => a.attributeValue!);
}

export function withOwner(owner: QlikUserRef | undefined, user: QrsUser): QlikUserRef {
  return {
    ...(owner ?? { userDirectory: user.userDirectory, userId: user.userId }),
    id: user.id,
    name: opt(user.name) ?? owner?.name,
    emails: ownerEmails(user),
  };
}

export function executionPart(r: QrsExecutionResult): ExecutionInfo {
  const details = [...(r.details ?? [])]
    .map((d) => ({ message: d.message ?? "", detailsType: d.detailsType ?? 2, createdDate: d.detailCreatedDate ?? "" }))
    .sort((a, b) => a.createdDate.localeCompare(b.createdDate));
  const start = date(r.startTime);
  const stop = date(r.stopTime);
  const computed = start && stop ? Date.parse(stop) - Date.parse(start) : undefined;
  return {
    executionResultId: r.id,
    statusCode: r.status,
    status: executionStatusName(r.status),
    startTime: start,
    stopTime: stop,
    // QRS leaves duration 0 until it has caught up; the times are then more honest.
    durationMs: r.duration ? r.duration : computed !== undefined && Number.isFinite(computed) ? computed : opt(r.duration),
    executingNode: opt(r.executingNodeName),
    details,
    fileReferenceId: r.fileReferenceID && r.fileReferenceID !== ZERO_GUID ? r.fileReferenceID : undefined,
    scriptLogSize: opt(r.scriptLogSize),
  };
}

/**
 * What the event keeps of a fetched log: the first `head` and last `tail` lines (not overlapping), the failure
 * lines with context between them, and the whole text capped at `maxTextBytes` (cut at a line start, the end kept).
 */
export function scriptLogExcerpt(text: string, head: number, tail: number, maxTextBytes: number): ScriptLogExcerpt {
  const lines = splitLogLines(text);
  const bytes = Buffer.byteLength(text, "utf8");
  const excerpt: ScriptLogExcerpt = { ...keepScriptLog(lines, { head, tail }), sizeBytes: bytes };
  if (maxTextBytes > 0) {
    if (bytes <= maxTextBytes) excerpt.text = text;
    else {
      // Keep the end (errors are reported last), from the first whole line on, and say where it starts.
      const end = Buffer.from(text, "utf8")
        .subarray(bytes - maxTextBytes)
        .toString("utf8");
      const cut = end.indexOf("\n");
      const kept = cut >= 0 && cut < end.length - 1 ? end.slice(cut + 1) : end.replace(/^\uFFFD+/, "");
      excerpt.text = kept;
      excerpt.truncated = true;
      excerpt.textFirstLine = lines.length - splitLogLines(kept).length + 1;
    }
  }
  return excerpt;
}

/** An app's link: below qlik.appBaseUrl when set (it may hold a virtual proxy, as Butler's appBaseUrl), else the hub's host. */
export function appUrlFor(appId: string, hubUrl: string | undefined, appBaseUrl?: string): string | undefined {
  if (appBaseUrl) return `${appBaseUrl.replace(/\/+$/, "")}/${appId}`;
  return hubUrl ? `${hubUrl.replace(/\/+$/, "").replace(/\/hub$/i, "")}/sense/app/${appId}` : undefined;
}

export function linksFor(
  qmcUrl: string | undefined,
  hubUrl: string | undefined,
  appId: string | undefined,
  appBaseUrl?: string,
): TaskEvent["links"] | undefined {
  if (!qmcUrl && !hubUrl && !appBaseUrl) return undefined;
  const links: NonNullable<TaskEvent["links"]> = {};
  if (qmcUrl) {
    const base = qmcUrl.replace(/\/+$/, "");
    links.qmc = base;
    // The QMC's task list; deep links into the QMC single-page app are not stable across releases.
    links.qmcTask = `${base}/tasks`;
  }
  const app = appId ? appUrlFor(appId, hubUrl, appBaseUrl) : undefined;
  if (app) links.hubApp = app;
  return links;
}
