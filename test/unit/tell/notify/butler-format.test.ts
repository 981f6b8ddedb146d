// Butler's formats in InfluxDB fields, against the values Butler 16.0.4 wrote (test/fixtures/butler-16.0.4/outputs.json).
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  butlerDetails,
  butlerDuration,
  butlerDurationNumbers,
  butlerFailureLog,
  butlerLines,
  butlerTimes,
  butlerUserTag,
  butlerUtcParts,
} from "../../../../src/tell/notify/channels/influxdb/butler-format";

const OUT = JSON.parse(readFileSync(join(import.meta.dir, "../../../fixtures/butler-16.0.4/outputs.json"), "utf8")) as {
  influxdb_v1: { fields: Record<string, [string, string]>; tags: Record<string, string> };
};
const F = OUT.influxdb_v1.fields;

describe("Butler's InfluxDB formats", () => {
  test("start and stop times: the QRS value and five en-US renderings", () => {
    expect(JSON.stringify(butlerTimes("startTime", "2026-11-22T21:54:08.563Z", "UTC"))).toBe(F.task_executionStartTime_json![1]);
    expect(JSON.stringify(butlerTimes("stopTime", "2026-11-22T21:54:10.455Z", "UTC"))).toBe(F.task_executionStopTime_json![1]);
    expect(butlerTimes("startTime", "1753-01-01T00:00:00.000Z").startTimeLocal3).toBe("-");
    expect(butlerTimes("stopTime", undefined).stopTimeUTC).toBe("-");
    expect(butlerTimes("startTime", "2026-03-01T13:05:09.000Z", "Europe/Stockholm").startTimeLocal1).toBe("2026-03-01 14:05:09");
  });

  test("durations: whole hours, minutes and seconds (rounded down), and the numbers Butler derives from them", () => {
    const d = butlerDuration(1892);
    expect(JSON.stringify(d)).toBe(F.task_executionDuration_json![1]);
    const n = butlerDurationNumbers(d);
    expect([String(n.sec), String(n.min), String(n.h)]).toEqual([
      F.task_executionDuration_sec![1],
      F.task_executionDuration_min![1],
      F.task_executionDuration_h![1],
    ]);
    expect(butlerDuration(3_723_999)).toEqual({ hours: 1, minutes: 2, seconds: 3 });
  });

  test("scriptLog: execution details, Butler's dashed line, the tail split on CRLF (the empty last line counts)", () => {
    const details = butlerDetails([
      { createdDate: "2026-11-22T21:54:08.458Z", message: "Trying to start task.", detailsType: 2 },
      { createdDate: "2026-11-22T21:54:08.353Z", message: "Changing task state to Triggered", detailsType: 2 },
    ]);
    expect(details).toBe("2026-11-22T21:54:08.353Z\tChanging task state to Triggered\n2026-11-22T21:54:08.458Z\tTrying to start task.\n");
    const log = ["a", "b", "c"];
    expect(butlerLines(log, 2, "tail", true)).toBe("c\r\n");
    expect(butlerLines(log, 2, "tail", false)).toBe("b\r\nc");
    expect(butlerLines(log, 2, "head", true)).toBe("a\r\nb");
    expect(butlerLines(log, 0, "tail", true)).toBe("");
    expect(butlerFailureLog(details, "c\r\n")).toBe(`${details}\r\n-------------------------------\r\n\r\nc\r\n`);
  });

  test("the user tag has Butler's forward slash", () => {
    expect(butlerUserTag("INTERNAL\\sa_scheduler")).toBe(OUT.influxdb_v1.tags.user!);
  });
});

describe("an external program's and a distribution's times (test/fixtures/butler-16.0.4/task-types.json)", () => {
  const REC = JSON.parse(readFileSync(join(import.meta.dir, "../../../fixtures/butler-16.0.4/task-types.json"), "utf8")) as {
    influxdb_v1: Record<string, { fields: Record<string, [string, string]> }>;
  };
  test("Butler's object for the QRS time, keys in luxon's order", () => {
    const want = JSON.parse(REC.influxdb_v1.external_program_task_success!.fields.task_executionStartTime_json![1]) as Record<string, number>;
    const iso = new Date(Date.UTC(want.year!, want.month! - 1, want.day, want.hour, want.minute, want.second, want.millisecond)).toISOString();
    expect(JSON.stringify(butlerUtcParts(iso))).toBe(JSON.stringify(want));
  });
  test("a time given with an offset is written in UTC; no time at all is {}", () => {
    expect(butlerUtcParts("2026-01-01T00:30:05.007+02:00")).toEqual({ year: 2025, month: 12, day: 31, hour: 22, minute: 30, second: 5, millisecond: 7 });
    expect(butlerUtcParts(undefined)).toEqual({});
    expect(butlerUtcParts("not a time")).toEqual({});
  });
});
