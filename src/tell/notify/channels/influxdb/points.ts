// Butler's InfluxDB measurements for Steward events: <type>_task_failed / _success for all five task types
// (and _aborted when a route sends aborts here), and win_service_state. Field types, tag values and text formats
// are Butler's (every number a float: InfluxDB refuses a point whose field type differs from the one stored), so
// Steward's points land beside Butler's history. Unlike Butler, the dynamic app and task tags are really written,
// and the tag name typo is fixed (kept on request).
import { Point } from "@influxdata/influxdb-client";
import type { DataCheckEvent, DomainEvent, ServiceEvent, SiteEvent, TaskEvent, TaskType } from "../../../../platform/events/types";
import { isDataCheckEvent, isSiteEvent, isTaskEvent, isWatchdogEvent, type WatchdogEvent } from "../../../../platform/events/types";
import { excerptText, fitScriptLog, logHead, logMessage, logTail, showScriptLog } from "../../../../hear/events/script-log-excerpt";
import {
  butlerDetails,
  butlerDuration,
  butlerDurationNumbers,
  butlerFailureLog,
  butlerLines,
  butlerSuccessLog,
  butlerTimes,
  butlerUserTag,
  butlerUtcParts,
} from "./butler-format";
import type { InfluxDbChannelConfig } from "./schema";
import { addHistoryFields, followUpMeasurement } from "./history-fields";

const TYPE_PREFIX: Record<TaskType, string> = {
  reload: "reload",
  externalProgram: "external_program",
  userSync: "user_sync",
  distribute: "distribute",
  preload: "preload",
};

export function measurementFor(e: TaskEvent): string {
  const own = followUpMeasurement(e);
  if (own) return own;
  const suffix = e.outcome === "succeeded" ? "success" : e.outcome === "failed" ? "failed" : "aborted";
  return `${TYPE_PREFIX[e.taskType]}_task_${suffix}`;
}

/** Tag keys must be non-empty; tag values must be non-empty for line protocol. */
function tag(p: Point, key: string, value: string | number | undefined): void {
  if (value === undefined) return;
  const v = String(value);
  if (v !== "") p.tag(key, v);
}

export interface PointOptions {
  timeZone?: string;
  /** Write line breaks in string fields as the two characters \n (v2 targets such as VictoriaMetrics reject raw ones). */
  escapeNewlines?: boolean;
}

const lineBreaks = /\r?\n/g;

/** InfluxDB caps a string field at 64 KB; the excerpt stays well below it. */
const INFLUX_FIT = { maxChars: 32_000, maxLineChars: 2_000 };
/** Butler's scriptLog / reload_log text is cut to its last characters (from a line start) beyond this. */
const MAX_LOG_FIELD = 60_000;
const NO_LOG = "Script log not available";

function keepEnd(text: string): string {
  if (text.length <= MAX_LOG_FIELD) return text;
  const end = text.slice(text.length - MAX_LOG_FIELD);
  const cut = end.indexOf("\n");
  return `[${text.length - end.length + cut + 1} characters left out]\r\n${cut >= 0 ? end.slice(cut + 1) : end}`;
}

/** The channel's settings for one measurement: its own tags and overrides on top of the channel's. */
export function measurementSettings(cfg: InfluxDbChannelConfig, measurement: string) {
  const m = cfg.measurements?.[measurement];
  return {
    tags: m?.tags ?? {},
    useAppTags: m?.useAppTags ?? cfg.useAppTags,
    useTaskTags: m?.useTaskTags ?? cfg.useTaskTags,
    head: m?.scriptLogLines?.head ?? cfg.scriptLogLines.head,
    tail: m?.scriptLogLines?.tail ?? cfg.scriptLogLines.tail,
  };
}

function staticTags(p: Point, cfg: InfluxDbChannelConfig, own: Record<string, string>): void {
  for (const [k, v] of Object.entries(cfg.tags)) tag(p, k, v);
  for (const [k, v] of Object.entries(own)) tag(p, k, v);
}

export function taskPoint(cfg: InfluxDbChannelConfig, e: TaskEvent, o: PointOptions = {}): Point {
  const measurement = measurementFor(e);
  const m = measurementSettings(cfg, measurement);
  const p = new Point(measurement);
  const str = (key: string, value: string) => p.stringField(key, o.escapeNewlines ? value.replace(lineBreaks, "\\n") : value);
  for (const [k, v] of Object.entries(cfg.tags)) tag(p, k, v);
  tag(p, "host", e.host);
  tag(p, "user", butlerUserTag(e.user));
  tag(p, "task_id", e.task.id);
  tag(p, "task_name", e.task.name);
  tag(p, "task_type", e.taskType);
  tag(p, "log_level", e.logLevel);
  if (e.app) {
    tag(p, "app_id", e.app.id);
    tag(p, "app_name", e.app.name);
    if (e.app.stream) tag(p, "app_stream", e.app.stream);
  }
  const ex = e.execution;
  const reload = e.taskType === "reload";
  if (ex) {
    tag(p, "task_executingNodeName", ex.executingNode);
    tag(p, "task_executionStatusNum", ex.statusCode);
    tag(p, "task_executionStatusText", ex.status);
    if (cfg.butlerTagTypo) tag(p, "task_exeuctionStatusText", ex.status);
  } else if (reload) {
    // What Butler tags a reload with when it could not read the run.
    tag(p, "task_executingNodeName", "unknown");
    tag(p, "task_executionStatusNum", -1);
    tag(p, "task_executionStatusText", NO_LOG);
    if (cfg.butlerTagTypo) tag(p, "task_exeuctionStatusText", NO_LOG);
  }
  if (m.useTaskTags) for (const t of e.task.tags) tag(p, `taskTag_${t}`, "true");
  if (m.useAppTags && e.app) for (const t of e.app.tags) tag(p, `appTag_${t}`, "true");
  // Butler's per-event static tags come last and win.
  for (const [k, v] of Object.entries(m.tags)) tag(p, k, v);

  str("execution_id", e.executionId);
  str("log_timestamp", e.logTimestamp ?? "");
  str("log_message", e.logMessage ?? "");
  str("source", e.source);
  p.booleanField("complete", e.complete);
  if (ex) {
    const d = butlerDuration(ex.durationMs);
    const n = butlerDurationNumbers(d);
    // Butler wrote external programs' and distributions' times as luxon objects, the other types' as six renderings.
    const utcParts = e.taskType === "externalProgram" || e.taskType === "distribute";
    str("task_executionStartTime_json", JSON.stringify(utcParts ? butlerUtcParts(ex.startTime) : butlerTimes("startTime", ex.startTime, o.timeZone)));
    str("task_executionStopTime_json", JSON.stringify(utcParts ? butlerUtcParts(ex.stopTime) : butlerTimes("stopTime", ex.stopTime, o.timeZone)));
    str("task_executionDuration_json", JSON.stringify(d));
    p.floatField("task_executionDuration_sec", n.sec);
    p.floatField("task_executionDuration_min", n.min);
    p.floatField("task_executionDuration_h", n.h);
  }
  if (reload) scriptLogFields(p, str, e, m);
  addHistoryFields(p, e, str);
  p.timestamp(new Date(ex?.stopTime ?? e.receivedAt));
  return p;
}

/**
 * A reload's script-log fields. Butler's (numbers as floats; the head and tail counts are the configured ones):
 * task_scriptLogSize, task_scriptLogTailCount (+ HeadCount on success), scriptLog and reload_log (the execution
 * details and the log's tail, or head and tail). Steward's own: the excerpt alerts show, the failure lines, counts.
 */
function scriptLogFields(p: Point, str: (k: string, v: string) => void, e: TaskEvent, m: ReturnType<typeof measurementSettings>): void {
  const success = e.outcome === "succeeded";
  const log = e.scriptLog;
  if (!log) {
    p.floatField("task_scriptLogSize", 0);
    if (success) p.floatField("task_scriptLogHeadCount", 0);
    p.floatField("task_scriptLogTailCount", 0);
    str("scriptLog", NO_LOG);
    return;
  }
  const endsWithBreak = log.text === undefined || /\n$/.test(log.text);
  const head = m.head > 0 ? logHead(log, m.head) : [];
  const tail = m.tail > 0 ? logTail(log, m.tail) : [];
  const details = butlerDetails(e.execution?.details ?? []);
  const butlerTail = butlerLines(tail, m.tail, "tail", endsWithBreak);
  const text = success
    ? butlerSuccessLog(details, butlerLines(head, m.head, "head", endsWithBreak && head.length === log.totalLines), m.head, butlerTail, m.tail)
    : butlerFailureLog(details, butlerTail);
  p.floatField("task_scriptLogSize", e.execution?.scriptLogSize ?? log.sizeBytes);
  if (success) p.floatField("task_scriptLogHeadCount", m.head);
  p.floatField("task_scriptLogTailCount", m.tail);
  str("scriptLog", keepEnd(text));
  str("reload_log", keepEnd(text));
  // Steward's fields: the first and last lines, the lines that state the failure, and the excerpt alerts show
  // (head, failure lines with context, tail, gaps marked) within the size InfluxDB takes for a string field.
  const shown = fitScriptLog(showScriptLog(log, { head: m.head, tail: m.tail }), INFLUX_FIT);
  p.intField("task_scriptLogSizeRows", log.totalLines);
  str("script_log_head", head.join("\r\n"));
  str("script_log_tail", tail.join("\r\n"));
  if (shown.failures.length > 0) str("script_log_errors", shown.failures.map((f) => logMessage(f.text)).join("\r\n"));
  p.intField("task_scriptLogErrorCount", Math.max(shown.failureCount, shown.failures.length));
  str("script_log_excerpt", excerptText(shown, "\r\n"));
}

const STATE_NUM: Record<string, number> = { STOPPED: 1, START_PENDING: 2, STOP_PENDING: 3, RUNNING: 4, CONTINUE_PENDING: 5, PAUSE_PENDING: 6, PAUSED: 7 };
const START_NUM: Record<string, number> = {
  AUTOMATIC: 0,
  AUTO_START: 0,
  "AUTOMATIC (DELAYED START)": 1,
  "AUTOMATIC (DELAYED)": 1,
  DELAYED: 1,
  MANUAL: 2,
  DEMAND_START: 2,
  DISABLED: 3,
};

/** Butler's win_service_state: state and start mode as numbers (floats, -1 when unknown) and as text. */
export function servicePoint(cfg: InfluxDbChannelConfig, e: ServiceEvent): Point {
  const p = new Point("win_service_state");
  staticTags(p, cfg, {});
  tag(p, "host", e.host);
  tag(p, "service_name", e.service.name);
  tag(p, "display_name", e.service.displayName ?? e.service.name);
  tag(p, "friendly_name", e.service.friendlyName ?? e.service.displayName ?? e.service.name);
  for (const [k, v] of Object.entries(cfg.measurements?.win_service_state?.tags ?? {})) tag(p, k, v);
  const state = e.state.toUpperCase().replace(/\s+/g, "_");
  p.floatField("state_num", STATE_NUM[state] ?? -1);
  p.stringField("state_text", state);
  p.stringField("previous_state_text", e.previousState.toUpperCase());
  if (e.service.startType) {
    const mode = e.service.startType.toUpperCase();
    p.floatField("startup_mode_num", START_NUM[mode] ?? -1);
    p.stringField("startup_mode_text", e.service.startType);
  }
  p.timestamp(new Date(e.receivedAt));
  return p;
}

/** A routed site event (license threshold, version change): measurement steward_site_event, tag kind. */
export function siteEventPoint(cfg: InfluxDbChannelConfig, e: SiteEvent): Point {
  const p = new Point("steward_site_event");
  staticTags(p, cfg, cfg.measurements?.steward_site_event?.tags ?? {});
  tag(p, "kind", e.kind);
  tag(p, "host", e.host);
  p.stringField("title", e.title);
  p.stringField("summary", e.summary);
  dataFields(p, e.data);
  p.timestamp(new Date(e.receivedAt));
  return p;
}

/** An event's data for machines as fields: numbers, booleans and non-empty texts (null and "" are left out). */
function dataFields(p: Point, data: Record<string, string | number | boolean | null>): void {
  for (const [k, v] of Object.entries(data)) {
    if (typeof v === "number") p.floatField(k, v);
    else if (typeof v === "boolean") p.booleanField(k, v);
    else if (typeof v === "string" && v !== "") p.stringField(k, v);
  }
}

/** A routed watchdog event: measurement steward_watchdog_event, tags kind, condition, task and app; its data as fields. */
export function watchdogEventPoint(cfg: InfluxDbChannelConfig, e: WatchdogEvent): Point {
  const p = new Point("steward_watchdog_event");
  staticTags(p, cfg, measurementSettings(cfg, "steward_watchdog_event").tags);
  tag(p, "kind", e.kind);
  tag(p, "host", e.host);
  tag(p, "condition", e.condition.type);
  tag(p, "task_id", e.task?.id);
  tag(p, "task_name", e.task?.name);
  tag(p, "app_id", e.app?.id);
  tag(p, "app_name", e.app?.name);
  p.stringField("title", e.title);
  p.stringField("summary", e.summary);
  dataFields(p, e.data);
  p.timestamp(new Date(e.receivedAt));
  return p;
}

/** A routed data check event: measurement steward_data_check_event, tags kind, app, check; the value and previous as fields. */
export function dataCheckEventPoint(cfg: InfluxDbChannelConfig, e: DataCheckEvent): Point {
  const p = new Point("steward_data_check_event");
  staticTags(p, cfg, measurementSettings(cfg, "steward_data_check_event").tags);
  tag(p, "kind", e.kind);
  tag(p, "host", e.host);
  tag(p, "app_id", e.app.id);
  tag(p, "app_name", e.app.name);
  tag(p, "check", e.check?.name ?? "*");
  tag(p, "severity", e.check?.severity);
  p.stringField("title", e.title);
  p.stringField("summary", e.summary);
  p.booleanField("holds_back", e.holdsBack);
  const c = e.check;
  if (c) {
    p.stringField("expression", c.expression);
    p.stringField("expect", c.expect);
    if (c.value) p.stringField("value_text", c.value.text);
    if (c.value?.number !== null && c.value?.number !== undefined && Number.isFinite(c.value.number)) p.floatField("value", c.value.number);
    if (c.previous !== null && Number.isFinite(c.previous)) p.floatField("previous", c.previous);
    if (c.message) p.stringField("message", c.message);
  } else if (e.error) p.stringField("message", e.error.message);
  p.timestamp(new Date(e.receivedAt));
  return p;
}

export function pointsFor(cfg: InfluxDbChannelConfig, e: DomainEvent, o: PointOptions = {}): Point[] {
  if (isTaskEvent(e)) return [taskPoint(cfg, e, o)];
  if (isDataCheckEvent(e)) return [dataCheckEventPoint(cfg, e)];
  if (isWatchdogEvent(e)) return [watchdogEventPoint(cfg, e)];
  return [isSiteEvent(e) ? siteEventPoint(cfg, e) : servicePoint(cfg, e as ServiceEvent)];
}
