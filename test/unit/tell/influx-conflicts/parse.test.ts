// Reading InfluxDB's field type conflict answers (1.x and 2.x bodies) and the keys of line-protocol lines.
import { describe, expect, test } from "bun:test";
import { Point } from "@influxdata/influxdb-client";
import { lineKeys, parseFieldTypeConflicts } from "../../../../src/tell/influx-conflicts";

describe("parseFieldTypeConflicts", () => {
  test("InfluxDB 1.x: {error}", () => {
    const body =
      '{"error":"partial write: field type conflict: input field \\"task_scriptLogSize\\" on measurement \\"reload_task_failed\\" is type integer, already exists as type float dropped=1"}\n';
    expect(parseFieldTypeConflicts(body)).toEqual([
      { field: "task_scriptLogSize", measurement: "reload_task_failed", writtenType: "integer", storedType: "float", dropped: 1 },
    ]);
  });

  test("InfluxDB 2.x: {code, message}, names with escaped quotes", () => {
    const body = JSON.stringify({
      code: "unprocessable entity",
      message:
        'failure writing points to database: partial write: field type conflict: input field "a\\"b" on measurement "m x" is type string, already exists as type boolean dropped=3',
    });
    expect(parseFieldTypeConflicts(body)).toEqual([{ field: 'a"b', measurement: "m x", writtenType: "string", storedType: "boolean", dropped: 3 }]);
  });

  test("other refusals and plain text", () => {
    expect(parseFieldTypeConflicts('{"error":"unable to parse \'x\': missing fields"}')).toEqual([]);
    expect(parseFieldTypeConflicts('field type conflict: input field "f" on measurement "m" is type float, already exists as type integer')).toEqual([
      { field: "f", measurement: "m", writtenType: "float", storedType: "integer" },
    ]);
    expect(parseFieldTypeConflicts("x".repeat(200_000))).toEqual([]);
  });
});

describe("lineKeys", () => {
  test("measurement and field keys, whatever the tags and string values hold", () => {
    const line = new Point("reload task,failed")
      .tag("user", "INTERNAL/sa scheduler")
      .tag("a=b", "c,d")
      .stringField("log", 'x=1,y="2" z')
      .floatField("task_scriptLogSize", 1566)
      .booleanField("ok", true)
      .stringField("k,e y=", "v")
      .toLineProtocol()!;
    const keys = lineKeys(line)!;
    expect(keys.measurement).toBe("reload task,failed");
    expect([...keys.fields].sort()).toEqual(["k,e y=", "log", "ok", "task_scriptLogSize"]);
    expect(lineKeys("m f=1i 123")).toEqual({ measurement: "m", fields: ["f"] });
    expect(lineKeys("")).toBeUndefined();
  });
});
