// log4net UdpAppender datagrams of the Qlik Scheduler (spec §1): which appenders match a log line, and the bytes.
import type { SchedulerLogEvent } from "../tasks/log-event";
import { log4netDate } from "../util/time";

export interface Appender {
  name: string;
  logger: SchedulerLogEvent["logger"];
  /** log4net StringMatchFilter substrings; the first match accepts the event. */
  stringToMatch: string[];
  prefix: string;
}

const FAIL_CURRENT = ["Max retries reached", "Failed to start session", "Could not reserve an executor for task"];

/** Appenders of the LocalLogConfig.xml shipped today. */
export const CURRENT_APPENDERS: Appender[] = [
  { name: "TaskFailLogger", logger: "TaskSession", stringToMatch: FAIL_CURRENT, prefix: "/scheduler-task-failed/" },
  { name: "TaskAbortLogger", logger: "TaskSession", stringToMatch: ["Execution State Change to Aborting"], prefix: "/scheduler-task-aborted/" },
  // The shipped XML really sends a double slash here (spec §6).
  { name: "TaskSuccessLogger", logger: "TaskSession", stringToMatch: ["Execution State Change to FinishedSuccess"], prefix: "/scheduler-task-success//" },
  {
    name: "DistributionTaskLogger",
    logger: "SlaveReloadTask",
    stringToMatch: ["Exiting execute of Distribute task request."],
    prefix: "/scheduler-distribute/",
  },
];

/** Appenders of the 2023–2024 XML still found in the field. */
export const LEGACY_APPENDERS: Appender[] = [
  { name: "ReloadTaskFailLogger", logger: "TaskSession", stringToMatch: ["Max retries reached"], prefix: "/scheduler-reload-failed/" },
  { name: "ReloadTaskAbortLogger", logger: "TaskSession", stringToMatch: ["Execution State Change to Aborting"], prefix: "/scheduler-reload-aborted/" },
  {
    name: "ReloadTaskSuccessLogger",
    logger: "TaskSession",
    stringToMatch: ["Execution State Change to FinishedSuccess"],
    prefix: "/scheduler-reloadtask-success/",
  },
];

export type Generation = "current" | "legacy" | "both";

export function appendersFor(generation: Generation): Appender[] {
  if (generation === "current") return CURRENT_APPENDERS;
  if (generation === "legacy") return LEGACY_APPENDERS;
  return [...CURRENT_APPENDERS, ...LEGACY_APPENDERS];
}

export function matchingAppenders(event: SchedulerLogEvent, generation: Generation): Appender[] {
  return appendersFor(generation).filter((a) => a.logger === event.logger && a.stringToMatch.some((s) => event.message.includes(s)));
}

export interface FormatOptions {
  /** Render a missing app as log4net's `(null)` instead of empty. */
  nullForMissing?: boolean;
}

/** `<PREFIX>;%hostname;TaskName;AppName;User;TaskId;AppId;%date;%level;ExecutionId;%message`, no trailing newline. */
export function formatDatagram(prefix: string, e: SchedulerLogEvent, opts: FormatOptions = {}): string {
  const missing = opts.nullForMissing ? "(null)" : "";
  return [
    prefix,
    e.hostName,
    e.taskName,
    e.appName ?? missing,
    e.user,
    e.taskId,
    e.appId ?? missing,
    log4netDate(e.timeMs),
    e.level,
    e.executionId,
    e.message,
  ].join(";");
}
