// Builds the check-ins' events in the watchdog event's shape (title, summary, facts, data, condition), so routes,
// templates and every channel treat them as they treat task.missed: one builder for an alert and its recovery.
import type { CheckinCondition, CheckinEventKind, NameValue, WatchdogEvent } from "../../platform/events/types";
import { spanText } from "../../tell/notify/time-format";

/** What was expected and what was seen; each condition fills the fields it has. */
export interface CheckinDetails {
  /** checkin.missed: the due time the job did not check in for. */
  expectedAtMs?: number;
  graceMs?: number;
  schedule?: string;
  /** checkin.running_long: when the /start ping came, and the limit it passed. */
  startedAtMs?: number;
  maxDurationMs?: number;
  /** checkin.failed: when the failure was reported and the exit code, if one was sent. */
  failedAtMs?: number;
  exitCode?: number;
  /** The start of the failing run's log (the ping's body), cut for messages. */
  log?: string;
  lastSuccessAtMs?: number;
  /** checkin.recovered: what ended the condition, e.g. "checked in 25 min late". */
  resolution?: string;
  /** checkin.recovered: when the ping that ended it came; a reload started before it ran on the old data. */
  checkedInAtMs?: number;
}

export interface CheckinEventInput {
  kind: CheckinEventKind;
  condition: { type: CheckinCondition; key: string; openedAtMs: number; closedAtMs?: number };
  nowMs: number;
  /** The Steward that judged it. */
  host: string;
  check: string;
  feeds: { tasks: string[]; apps: string[] };
  details: CheckinDetails;
}

const iso = (ms: number) => new Date(ms).toISOString();
const LOG_IN_MESSAGE = 1_000;

function describe(i: CheckinEventInput): { title: string; summary: string } {
  const d = i.details;
  const job = `Job "${i.check}"`;
  const at = (ms: number | undefined) => (ms === undefined ? "(unknown time)" : iso(ms));
  switch (i.condition.type) {
    case "checkin_missed":
      return {
        title: `Job did not check in: ${i.check}`,
        summary: `${job} was due at ${at(d.expectedAtMs)}${d.schedule ? ` (${d.schedule})` : ""} and had not checked in ${spanText(d.graceMs ?? 0)} later.`,
      };
    case "checkin_failed":
      return {
        title: `Job failed: ${i.check}`,
        summary: `${job} reported a failure at ${at(d.failedAtMs)}${d.exitCode !== undefined ? ` (exit code ${d.exitCode})` : ""}.`,
      };
    case "checkin_running_long":
      return {
        title: `Job running long: ${i.check}`,
        summary: `${job} started at ${at(d.startedAtMs)} and has not finished within ${spanText(d.maxDurationMs ?? 0)}.`,
      };
  }
}

const WHAT: Record<CheckinCondition, string> = {
  checkin_missed: "a missed check-in",
  checkin_failed: "a failure",
  checkin_running_long: "a long run",
};

export function checkinEvent(i: CheckinEventInput): WatchdogEvent {
  const d = i.details;
  const closing = i.kind === "checkin.recovered";
  const opened = describe(i);
  const feeds = [...i.feeds.apps, ...i.feeds.tasks];
  const feedText = feeds.length > 0 ? ` It feeds ${[...i.feeds.apps.map((a) => `app "${a}"`), ...i.feeds.tasks.map((t) => `task "${t}"`)].join(", ")}.` : "";
  const title = closing ? `Job back on track: ${i.check}` : opened.title;
  const summary = closing
    ? `Job "${i.check}" is back on track after ${WHAT[i.condition.type]}${d.resolution ? `: ${d.resolution}` : ""}. It began with: ${opened.summary}`
    : `${opened.summary}${feedText}`;
  const facts: NameValue[] = [];
  const data: WatchdogEvent["data"] = { condition: i.condition.type, openedAt: iso(i.condition.openedAtMs), check: i.check };
  const fact = (name: string, value: string | undefined, key?: string, raw?: string | number) => {
    if (value === undefined || value === "") return;
    facts.push({ name, value });
    if (key) data[key] = raw ?? value;
  };
  fact("Job", i.check);
  fact("Schedule", d.schedule, "schedule");
  if (d.expectedAtMs !== undefined) fact("Due at", iso(d.expectedAtMs), "expectedAt");
  if (d.graceMs !== undefined) fact("Grace", spanText(d.graceMs), "graceMs", d.graceMs);
  if (d.startedAtMs !== undefined) fact("Started", iso(d.startedAtMs), "startedAt");
  if (d.maxDurationMs !== undefined) fact("Limit", spanText(d.maxDurationMs), "maxDurationMs", d.maxDurationMs);
  if (d.failedAtMs !== undefined) fact("Failed at", iso(d.failedAtMs), "failedAt");
  if (d.exitCode !== undefined) fact("Exit code", String(d.exitCode), "exitCode", d.exitCode);
  if (d.lastSuccessAtMs !== undefined) fact("Last success", iso(d.lastSuccessAtMs), "lastSuccessAt");
  fact("Feeds apps", i.feeds.apps.join(", "), "feedsApps");
  fact("Feeds tasks", i.feeds.tasks.join(", "), "feedsTasks");
  if (d.log) fact("Log", d.log.length > LOG_IN_MESSAGE ? `${d.log.slice(0, LOG_IN_MESSAGE)} … (cut)` : d.log, "log", d.log.slice(0, LOG_IN_MESSAGE));
  if (closing) {
    fact("Condition opened", iso(i.condition.openedAtMs));
    if (i.condition.closedAtMs !== undefined) fact("Back on track at", iso(i.condition.closedAtMs), "closedAt");
    fact("Resolution", d.resolution, "resolution");
    if (d.checkedInAtMs !== undefined) fact("Checked in at", iso(d.checkedInAtMs), "checkedInAt");
  }
  return {
    id: `checkin:${i.condition.key}:${i.condition.openedAtMs}:${closing ? "closed" : "open"}`,
    kind: i.kind,
    receivedAt: iso(i.nowMs),
    host: i.host,
    title,
    summary,
    facts,
    data,
    condition: {
      type: i.condition.type,
      key: i.condition.key,
      openedAt: iso(i.condition.openedAtMs),
      ...(i.condition.closedAtMs !== undefined ? { closedAt: iso(i.condition.closedAtMs) } : {}),
    },
  };
}
