// Every date form Qlik writes, in a Scheduler datagram that names no execution (issue 77): the run is anchored on its
// task, its date and its level, so a date Steward does not read loses the run. Each form is the one its document
// describes; a date Steward does not read is refused naming the field and the ExecutionId.
import { describe, expect, test } from "bun:test";
import { parseDatagram } from "../../../../src/hear/intake/datagram-parser";
import type { SchedulerMessage } from "../../../../src/hear/intake/datagram-types";
import { dayOfTime, readLogDate } from "../../../../src/hear/intake/log-date";
import { parseEngineReload } from "../../../../src/hear/engine/engine-parser";

const T = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const A = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const line = (date: string, exec = "(null)") =>
  `/scheduler-task-failed/;SENSE1;Reload Sales;Sales;INTERNAL\\sa_scheduler;${T};${A};${date};WARN;${exec};Task finished with state FinishedFail.`;

function sched(text: string, receivedMs?: number, localOffsetMin?: number): SchedulerMessage {
  const r = parseDatagram(text, { ...(receivedMs === undefined ? {} : { receivedMs }), ...(localOffsetMin === undefined ? {} : { localOffsetMin }) });
  if (!r.ok) throw new Error(`rejected: ${r.reason} ${r.detail}`);
  return r.message as SchedulerMessage;
}

describe("the date forms of a datagram without an ExecutionId", () => {
  test("Qlik's own log date form, YYYYMMDDThhmmss.fffK", () => {
    // Qlik Sense help, "Service log" fields: "Timestamp in ISO 8601 format, YYYYMMDDThhmmss.fffK", e.g.
    // 20110805T145657.000+0200:
    // https://help.qlik.com/en-US/sense-admin/August2023/Subsystems/DeployAdministerQSE/Content/Sense_DeployAdminister/QSEoW/Deploy_QSEoW/Server-Logging-New-Log-File-Format-Fields-Service-Log.htm
    // (written by Qlik's Iso8601TimeOffsetPatternConverter, "Server-Logging-Using-Appenders-QSRollingFileAppender-Structure.htm").
    for (const date of ["20261124T060041.512+0100", "20261124T060041.512Z", "20261124T060041+0100", "20261124T060041.512"]) {
      const m = sched(line(date));
      expect(m).toMatchObject({ outcome: "failed", taskId: T, appId: A, timestamp: date, level: "WARN", executionIdAsSent: "(null)" });
      expect(m.executionId).toBe(`noexec:${T}:${date}`);
    }
    expect(readLogDate("20261124T060041.512+0100")).toEqual({ form: "qlik", day: "2026-11-24", time: "06:00:41,512", zone: "+01:00" });
  });

  test("log4net's %date{DATE}, dd MMM yyyy HH:mm:ss,fff", () => {
    // log4net SDK, DateTimeDateFormatter (the DATE of PatternLayout's %date{DATE}): "dd MMM yyyy HH:mm:ss,fff", for
    // example "06 Nov 1994 15:49:37,459":
    // https://logging.apache.org/log4net/log4net-1.2.15/release/sdk/html/T_log4net_DateFormatter_DateTimeDateFormatter.htm
    const m = sched(line("24 Nov 2026 06:00:41,512"));
    expect(m).toMatchObject({ taskId: T, appId: A, timestamp: "24 Nov 2026 06:00:41,512", level: "WARN" });
    expect(m.executionId).toBe(`noexec:${T}:24 Nov 2026 06:00:41,512`);
    expect(readLogDate("06 Nov 1994 15:49:37,459")).toEqual({ form: "date", day: "1994-11-06", time: "15:49:37,459", zone: "" });
    // Not a month, not a day that month has.
    expect(readLogDate("24 Foo 2026 06:00:41,512")).toBeUndefined();
    expect(readLogDate("31 Nov 2026 06:00:41,512")).toBeUndefined();
  });

  test("log4net's %date{ABSOLUTE}, HH:mm:ss,fff: a time only, its day the receipt's", () => {
    // log4net SDK, AbsoluteTimeDateFormatter (the ABSOLUTE of %date{ABSOLUTE}): "HH:mm:ss,fff", e.g. "15:49:37,459":
    // https://logging.apache.org/log4net/log4net-1.2.14/release/sdk/html/T_log4net_DateFormatter_AbsoluteTimeDateFormatter.htm
    const heard = Date.parse("2026-11-24T05:00:42Z"); // 06:00:42 at +01:00
    const m = sched(line("06:00:41,512"), heard, 60);
    expect(m).toMatchObject({ taskId: T, appId: A, timestamp: "06:00:41,512", level: "WARN" });
    expect(m.executionId).toBe(`noexec:${T}:2026-11-24 06:00:41,512`);
    // The same line heard again a second later is the same run; the same time a day later is another.
    expect(sched(line("06:00:41,512"), heard + 1_000, 60).executionId).toBe(m.executionId);
    expect(sched(line("06:00:41,512"), heard + 86_400_000, 60).executionId).toBe(`noexec:${T}:2026-11-25 06:00:41,512`);
  });

  test("ABSOLUTE around midnight: a line logged before it and heard after it keeps its day, and the other way round", () => {
    const justAfter = Date.parse("2026-11-24T23:00:00.100Z"); // 00:00:00,100 on the 25th at +01:00
    expect(sched(line("23:59:59,900"), justAfter, 60).executionId).toBe(`noexec:${T}:2026-11-24 23:59:59,900`);
    const justBefore = Date.parse("2026-11-24T22:59:59.900Z"); // 23:59:59,900 on the 24th at +01:00
    expect(sched(line("00:00:00,100"), justBefore, 60).executionId).toBe(`noexec:${T}:2026-11-25 00:00:00,100`);
    expect(dayOfTime("12:00:00,000", Date.parse("2026-11-24T12:00:00Z"), 0)).toBe("2026-11-24");
  });

  test("a date Steward does not read is refused naming the field and the ExecutionId", () => {
    for (const bad of ["24/11/2026 06:00:41", "yesterday", "2026-11-24 25:00:41,512", "24 Nov 2026"]) {
      const r = parseDatagram(line(bad));
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.reason).toBe("bad_log_date");
      expect(r.detail).toContain("Timestamp (field 7)");
      expect(r.detail).toContain(JSON.stringify(bad));
      expect(r.detail).toContain('ExecutionId, field 9: "(null)"');
    }
  });

  test("the Engine's reload lines take the same forms (no zone: the time Steward heard them)", () => {
    const at = (date: string) =>
      `/engine-reload/;SENSE2;${A};8a1f3c2e;CORP;bob;${date};WARN;0;AuditActivity.Engine;Command=Reload;Result=1;ResultText=Error: Reload failed`;
    for (const [date, ms] of [
      ["20261124T060041.512+0100", Date.parse("2026-11-24T05:00:41.512Z")],
      ["24 Nov 2026 06:00:41,512", undefined],
      ["06:00:41,512", undefined],
    ] as const) {
      const r = parseEngineReload(at(date), 16_384);
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.line.timeMs).toBe(ms);
    }
    const bad = parseEngineReload(at("24/11/2026"), 16_384);
    expect(bad).toMatchObject({ ok: false, reason: "bad_engine_time" });
  });
});
