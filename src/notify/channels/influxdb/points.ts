// Butler's InfluxDB measurements for Steward events: <type>_task_failed / _success for all five task types
// (and _aborted when a route sends aborts here), and win_service_state. Unlike Butler, the dynamic app and
// task tags are really written, and the tag name typo is fixed (kept on request).
import { Point } from "@influxdata/influxdb-client";
import type { DomainEvent, ServiceEvent, SiteEvent, TaskEvent, TaskType } from "../../../events/types";
import { isSiteEvent, isTaskEvent } from "../../../events/types";
import { excerptText, fitScriptLog, logHead, logMessage, logTail, showScriptLog } from "../../../events/script-log-excerpt";
import { localTimes, splitDuration } from "../../time-format";
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

function timesJson(prefix: "startTime" | "stopTime", iso: string | undefined, timeZone?: string): string {
  const t = localTimes(iso, timeZone);
  return JSON.stringify({
    [`${prefix}UTC`]: t.utc,
    [`${prefix}Local1`]: t.local1,
    [`${prefix}Local2`]: t.local2,
    [`${prefix}Local3`]: t.local3,
    [`${prefix}Local4`]: t.local4,
    [`${prefix}Local5`]: t.local5,
  });
}

export interface PointOptions {
  timeZone?: string;
  headLines: number;
  tailLines: number;
  /** Write line breaks in string fields as the two characters \n (v2 targets such as VictoriaMetrics reject raw ones). */
  escapeNewlines?: boolean;
}

const lineBreaks = /\r?\n/g;

/** InfluxDB caps a string field at 64 KB; the excerpt stays well below it. */
const INFLUX_FIT = { maxChars: 32_000, maxLineChars: 2_000 };

export function taskPoint(cfg: InfluxDbChannelConfig, e: TaskEvent, o: PointOptions): Point {
  const p = new Point(measurementFor(e));
  const str = (key: string, value: string) => p.stringField(key, o.escapeNewlines ? value.replace(lineBreaks, "\\n") : value);
  for (const [k, v] of Object.entries(cfg.tags)) tag(p, k, v);
  tag(p, "host", e.host);
  tag(p, "user", e.user);
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
  if (ex) {
    tag(p, "task_executingNodeName", ex.executingNode);
    tag(p, "task_executionStatusNum", ex.statusCode);
    tag(p, "task_executionStatusText", ex.status);
    if (cfg.butlerTagTypo) tag(p, "task_exeuctionStatusText", ex.status);
  }
  if (cfg.useTaskTags) for (const t of e.task.tags) tag(p, `taskTag_${t}`, "true");
  if (cfg.useAppTags && e.app) for (const t of e.app.tags) tag(p, `appTag_${t}`, "true");

  str("execution_id", e.executionId);
  str("log_timestamp", e.logTimestamp ?? "");
  str("log_message", e.logMessage ?? "");
  str("source", e.source);
  p.booleanField("complete", e.complete);
  if (ex) {
    const d = splitDuration(ex.durationMs);
    const sec = (ex.durationMs ?? 0) / 1000;
    str("task_executionStartTime_json", timesJson("startTime", ex.startTime, o.timeZone));
    str("task_executionStopTime_json", timesJson("stopTime", ex.stopTime, o.timeZone));
    str("task_executionDuration_json", JSON.stringify(d));
    p.floatField("task_executionDuration_sec", sec);
    p.floatField("task_executionDuration_min", sec / 60);
    p.floatField("task_executionDuration_h", sec / 3600);
  }
  const log = e.scriptLog;
  if (log) {
    // Butler's fields: the first and last lines of the log. reload_log holds the excerpt alerts show (head, the
    // failure lines with context, tail, gaps marked), within the size InfluxDB takes for a string field.
    const head = o.headLines > 0 ? logHead(log, o.headLines) : [];
    const tail = o.tailLines > 0 ? logTail(log, o.tailLines) : [];
    const shown = fitScriptLog(showScriptLog(log, { head: o.headLines, tail: o.tailLines }), INFLUX_FIT);
    p.intField("task_scriptLogSize", log.sizeBytes);
    p.intField("task_scriptLogSizeRows", log.totalLines);
    p.intField("task_scriptLogHeadCount", head.length);
    p.intField("task_scriptLogTailCount", tail.length);
    str("script_log_head", head.join("\r\n"));
    str("script_log_tail", tail.join("\r\n"));
    const details = (ex?.details ?? []).map((d) => `${d.createdDate}\t${d.message}`).join("\r\n");
    if (shown.failures.length > 0) str("script_log_errors", shown.failures.map((f) => logMessage(f.text)).join("\r\n"));
    p.intField("task_scriptLogErrorCount", Math.max(shown.failureCount, shown.failures.length));
    str("reload_log", [details, excerptText(shown, "\r\n")].filter(Boolean).join("\r\n---\r\n"));
  }
  addHistoryFields(p, e, str);
  p.timestamp(new Date(ex?.stopTime ?? e.receivedAt));
  return p;
}

const STATE_NUM: Record<string, number> = { STOPPED: 1, START_PENDING: 2, STOP_PENDING: 3, RUNNING: 4, CONTINUE_PENDING: 5, PAUSE_PENDING: 6, PAUSED: 7 };
const START_NUM: Record<string, number> = { AUTOMATIC: 0, AUTO_START: 0, "AUTOMATIC (DELAYED)": 1, DELAYED: 1, MANUAL: 2, DEMAND_START: 2, DISABLED: 3 };

export function servicePoint(cfg: InfluxDbChannelConfig, e: ServiceEvent): Point {
  const p = new Point("win_service_state");
  for (const [k, v] of Object.entries(cfg.tags)) tag(p, k, v);
  tag(p, "host", e.host);
  tag(p, "service_name", e.service.name);
  tag(p, "display_name", e.service.displayName ?? e.service.name);
  tag(p, "friendly_name", e.service.friendlyName ?? e.service.displayName ?? e.service.name);
  const state = e.state.toUpperCase().replace(/\s+/g, "_");
  p.intField("state_num", STATE_NUM[state] ?? 0);
  p.stringField("state_text", state);
  p.stringField("previous_state_text", e.previousState.toUpperCase());
  if (e.service.startType) {
    const mode = e.service.startType.toUpperCase();
    p.intField("startup_mode_num", START_NUM[mode] ?? -1);
    p.stringField("startup_mode_text", e.service.startType);
  }
  p.timestamp(new Date(e.receivedAt));
  return p;
}

/** A routed site event (license threshold, version change): measurement steward_site_event, tag kind. */
export function siteEventPoint(cfg: InfluxDbChannelConfig, e: SiteEvent): Point {
  const p = new Point("steward_site_event");
  for (const [k, v] of Object.entries(cfg.tags)) tag(p, k, v);
  tag(p, "kind", e.kind);
  tag(p, "host", e.host);
  p.stringField("title", e.title);
  p.stringField("summary", e.summary);
  for (const [k, v] of Object.entries(e.data)) {
    if (typeof v === "number") p.floatField(k, v);
    else if (typeof v === "boolean") p.booleanField(k, v);
    else if (typeof v === "string" && v !== "") p.stringField(k, v);
  }
  p.timestamp(new Date(e.receivedAt));
  return p;
}

export function pointsFor(cfg: InfluxDbChannelConfig, e: DomainEvent, o: PointOptions): Point[] {
  if (isTaskEvent(e)) return [taskPoint(cfg, e, o)];
  return [isSiteEvent(e) ? siteEventPoint(cfg, e) : servicePoint(cfg, e as ServiceEvent)];
}
