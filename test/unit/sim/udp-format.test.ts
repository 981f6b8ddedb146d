// Datagram layout of spec §1.2/§1.4 and which appender (per XML generation) picks up which Scheduler line.
import { describe, expect, test } from "bun:test";
import type { SchedulerLogEvent } from "../../../src/sim/tasks/log-event";
import { formatDatagram, matchingAppenders } from "../../../src/sim/udp/format";
import { log4netDate } from "../../../src/sim/util/time";

const at = new Date(2025, 10, 3, 6, 0, 41, 512).getTime();
const ev = (over: Partial<SchedulerLogEvent>): SchedulerLogEvent => ({
  logger: "TaskSession",
  level: "INFO",
  message: "Execution State Change to FinishedSuccess",
  timeMs: at,
  hostName: "SENSE1",
  nodeName: "Central",
  taskId: "7552d9fc-d1bb-4975-9a38-18357de531ea",
  taskName: "Reload Sales dashboard",
  taskType: 0,
  appId: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11",
  appName: "Sales dashboard",
  user: "INTERNAL\\sa_scheduler",
  executionId: "d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f7a",
  ...over,
});
const prefixes = (e: SchedulerLogEvent, g: "current" | "legacy" | "both") => matchingAppenders(e, g).map((a) => a.prefix);

describe("sim UDP format", () => {
  test("log4net %date is local yyyy-MM-dd HH:mm:ss,fff", () => {
    expect(log4netDate(at)).toBe("2025-11-03 06:00:41,512");
    expect(log4netDate(new Date(2025, 0, 2, 3, 4, 5, 6).getTime())).toBe("2025-01-02 03:04:05,006");
  });
  test("field order and separators match the spec example exactly", () => {
    expect(formatDatagram("/scheduler-task-success//", ev({}))).toBe(
      "/scheduler-task-success//;SENSE1;Reload Sales dashboard;Sales dashboard;INTERNAL\\sa_scheduler;7552d9fc-d1bb-4975-9a38-18357de531ea;0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11;2025-11-03 06:00:41,512;INFO;d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f7a;Execution State Change to FinishedSuccess",
    );
  });
  test("non-app tasks: empty app fields, or (null)", () => {
    const e = ev({ appId: undefined, appName: undefined, taskName: "User sync CORP" });
    expect(formatDatagram("/x/", e).split(";").slice(2, 7)).toEqual(["User sync CORP", "", "INTERNAL\\sa_scheduler", e.taskId, ""]);
    expect(formatDatagram("/x/", e, { nullForMissing: true }).split(";")[3]).toBe("(null)");
  });
  test("appender matching per generation", () => {
    expect(prefixes(ev({}), "current")).toEqual(["/scheduler-task-success//"]);
    expect(prefixes(ev({}), "legacy")).toEqual(["/scheduler-reloadtask-success/"]);
    expect(prefixes(ev({}), "both")).toEqual(["/scheduler-task-success//", "/scheduler-reloadtask-success/"]);
    const fail = ev({ level: "WARN", message: "Task finished with state FinishedFail. Max retries reached." });
    expect(prefixes(fail, "both")).toEqual(["/scheduler-task-failed/", "/scheduler-reload-failed/"]);
    const preload = ev({ level: "ERROR", message: "Could not reserve an executor for task x" });
    expect(prefixes(preload, "current")).toEqual(["/scheduler-task-failed/"]);
    expect(prefixes(preload, "legacy")).toEqual([]);
    expect(prefixes(ev({ message: "Failed to start session" }), "current")).toEqual(["/scheduler-task-failed/"]);
    expect(prefixes(ev({ message: "Execution State Change to Aborting" }), "both")).toEqual(["/scheduler-task-aborted/", "/scheduler-reload-aborted/"]);
    const dist = ev({ logger: "SlaveReloadTask", message: "Exiting execute of Distribute task request." });
    expect(prefixes(dist, "both")).toEqual(["/scheduler-distribute/"]);
    // The same text from another logger does not match: filters are bound to their logger.
    expect(prefixes(ev({ message: "Exiting execute of Distribute task request." }), "current")).toEqual([]);
    for (const m of [
      "Execution State Change to Triggered",
      "Execution State Change to Started",
      "Execution State Change to Retry",
      "Execution State Change to Aborted",
    ]) {
      expect(prefixes(ev({ message: m }), "both")).toEqual([]);
    }
  });
});
