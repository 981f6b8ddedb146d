// A Scheduler datagram whose ExecutionId is not a GUID (log4net's "(null)" for an unset property, empty, garbage) is
// still the report of a run (issue 59): parsed, anchored on the fields after TaskId instead, with a stand-in id made
// of the task and the log line's time; a distribution notice without one is refused (its outcome is read by id).
import { describe, expect, test } from "bun:test";
import { parseDatagram } from "../../../../src/hear/intake/datagram-parser";
import type { SchedulerMessage } from "../../../../src/hear/intake/datagram-types";

const T = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const A = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const line = (exec: string, names = "Reload Sales;Sales", prefix = "/scheduler-task-failed/") =>
  `${prefix};SENSE1;${names};INTERNAL\\sa_scheduler;${T};${A};2026-11-24 19:50:18,123;WARN;${exec};Task finished with state FinishedFail.`;

function sched(text: string): SchedulerMessage {
  const r = parseDatagram(text);
  if (!r.ok) throw new Error(`rejected: ${r.reason} ${r.detail}`);
  return r.message as SchedulerMessage;
}

describe("a Scheduler datagram without an ExecutionId", () => {
  test("(null), empty and garbage are runs with a stand-in id of task and time, and the field as sent", () => {
    for (const exec of ["(null)", "", "  ", "not-a-guid"]) {
      const m = sched(line(exec));
      expect(m).toMatchObject({ outcome: "failed", taskId: T, appId: A, taskName: "Reload Sales", appName: "Sales", level: "WARN" });
      expect(m.executionId).toBe(`noexec:${T}:2026-11-24 19:50:18,123`);
      expect(m.executionIdAsSent).toBe(exec.trim());
    }
  });
  test("one run however often it is sent: the same stand-in id; another time is another run", () => {
    expect(sched(line("(null)")).executionId).toBe(sched(line("(null)")).executionId);
    expect(sched(line("(null)").replace(",123;", ",124;")).executionId).not.toBe(sched(line("(null)")).executionId);
  });
  test("names with ';' still split around the anchor", () => {
    const m = sched(line("(null)", "Reload Sales; EU;Sales; EU"));
    expect([m.taskName, m.appName]).toEqual(["Reload Sales; EU", "Sales; EU"]);
  });
  test("a GUID ExecutionId is read as before, without a stand-in", () => {
    const m = sched(line("e4f1c2a9-3b7d-4c55-8e21-9a0b6c3d2f10"));
    expect(m.executionId).toBe("e4f1c2a9-3b7d-4c55-8e21-9a0b6c3d2f10");
    expect(m.executionIdAsSent).toBeUndefined();
  });
  test("a distribution notice without one is refused, naming the field", () => {
    const r = parseDatagram(line("(null)", "Distribute Sales;Sales", "/scheduler-distribute/"));
    expect(r).toMatchObject({ ok: false, reason: "bad_execution_id" });
  });
  test("the date in every layout a site's appender may write is read, and keeps the run apart (issue 66)", () => {
    // log4net's %date is Qlik's default; a site that changed the appender's date pattern sends ISO 8601 (with T,
    // %date{ISO8601} / %utcdate{yyyy-MM-ddTHH:mm:ss.fffZ}), '.' before the fraction, or no fraction at all.
    const layouts = [
      "2026-11-24 19:50:18,123",
      "2026-11-24 19:50:18.123",
      "2026-11-24T19:50:18.123",
      "2026-11-24T19:50:18,123",
      "2026-11-24T19:50:18.123Z",
      "2026-11-24T19:50:18.1234567+01:00",
      "2026-11-24 19:50:18",
      "2026-11-24T19:50:18",
      "2026-11-24T19:50:18Z",
    ];
    const ids = new Set<string>();
    for (const date of layouts) {
      const m = sched(line("(null)").replace("2026-11-24 19:50:18,123", date));
      expect(m).toMatchObject({ outcome: "failed", taskId: T, appId: A, taskName: "Reload Sales", timestamp: date, level: "WARN" });
      expect(m.executionId).toBe(`noexec:${T}:${date}`);
      ids.add(m.executionId);
    }
    expect(ids.size).toBe(layouts.length);
  });
  test("no task id, or no date and level after it: refused as before", () => {
    expect(parseDatagram(line("(null)").replace(T, "not-a-task")).ok).toBe(false);
    for (const notADate of ["yesterday", "2026-11-24 19:50", "2026-11-24", "24/11/2026 19:50:18", "2026-11-24 19:50:18,"])
      expect(parseDatagram(line("(null)").replace("2026-11-24 19:50:18,123", notADate)).ok).toBe(false);
  });
  test("64 KB of task ids, empty fields and near-dates with no ExecutionId anywhere: refused, each field looked at once", () => {
    const junk = `/scheduler-task-failed/;h;${`${T};;2026-11-24 19:50;WARN;x;`.repeat(1_000)}x`;
    expect(junk.length).toBeGreaterThan(60_000);
    expect(parseDatagram(junk).ok).toBe(false);
  });
});
