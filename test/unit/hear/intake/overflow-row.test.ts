// The overflow's row (src/hear/intake/overflow-row.ts): a run's fields as an array of values, read back as they were
// (cut to their caps), and a row an earlier version left as a JSON object still read.
import { expect, test } from "bun:test";
import { compactReport, exceedsCaps, readReport, rowBytes } from "../../../../src/hear/intake/overflow-row";
import type { RunReport } from "../../../../src/hear/events/run-report";

const report: RunReport = {
  source: "udp",
  outcome: "failed",
  executionId: "000003e9-0000-4039-8039-000005d3b337",
  taskId: "7552d9fc-d1bb-4975-9a38-18357de531ea",
  appId: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11",
  host: "SENSE1",
  user: "INTERNAL\\sa_scheduler",
  taskName: "Reload Sales dashboard",
  appName: "Sales dashboard",
  logTimestamp: "2025-11-03 06:00:41,512",
  logLevel: "WARN",
  logMessage: "Task finished with state FinishedFail. Max retries reached.",
};

test("a run's row reads back as the run, without what the processor does not read", () => {
  expect(readReport(compactReport({ ...report, heardAtMs: 5, deniedByQrs: "x" }))).toEqual(report);
  const distribute = { ...report, outcome: "succeeded" as const, executionIdAsSent: "(null)", distribute: true, appName: undefined };
  const { appName: _a, ...expected } = distribute;
  expect(readReport(compactReport(distribute))).toEqual(expected);
});

test("texts are cut to their caps, and a row weighs less than the object form's", () => {
  const long = readReport(compactReport({ ...report, logMessage: "x".repeat(20_000), taskName: "t".repeat(5_000) }));
  expect(long.logMessage).toHaveLength(1_000);
  expect(long.taskName).toHaveLength(300);
  const key = `${report.executionId}:failed`;
  expect(rowBytes(key, "127.0.0.1", compactReport(report))).toBeLessThan(rowBytes(key, "127.0.0.1", JSON.stringify(report)) - 100);
});

test("a row an earlier version left (the object form) is still read", () => {
  expect(readReport(JSON.stringify(report))).toEqual(report);
});

test("a run is told apart when a field is longer than its cap (no Scheduler line's is): it then waits in its source's own share only", () => {
  expect(exceedsCaps(report)).toBe(false);
  expect(exceedsCaps({ ...report, taskName: "t".repeat(300) })).toBe(false);
  expect(exceedsCaps({ ...report, taskName: "t".repeat(301) })).toBe(true);
  expect(exceedsCaps({ ...report, logMessage: "m".repeat(1_001) })).toBe(true);
  expect(exceedsCaps({ ...report, executionId: "e".repeat(101) })).toBe(true);
});
