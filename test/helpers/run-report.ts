// A task run as the Scheduler's datagram reports it (the intake's RunReport), for tests of what the intake does with it.
import type { RunReport } from "../../src/hear/events/enrich-task-event";

/** A failed run of the task "Reload Sales" on SENSE1; `extra` overrides any field (outcome, time, message…). */
export function runReport(executionId: string, extra: Partial<RunReport> = {}): RunReport {
  return {
    source: "udp",
    outcome: "failed",
    executionId,
    taskId: "7552d9fc-d1bb-4975-9a38-18357de531ea",
    appId: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11",
    host: "SENSE1",
    user: "INTERNAL\\sa_scheduler",
    taskName: "Reload Sales",
    logTimestamp: "2026-03-01 10:00:00,000",
    logLevel: "WARN",
    logMessage: "Task finished with state FinishedFail",
    ...extra,
  };
}
