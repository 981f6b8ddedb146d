// The conflict monitor: what it records from InfluxDB's answers (only fields the refused lines carried), when a
// conflict ends, the /ready entry, one event per conflict, and its bound.
import { describe, expect, test } from "bun:test";
import { Point } from "@influxdata/influxdb-client";
import { createInfluxConflictMonitor } from "../../../../src/tell/influx-conflicts";
import { createReadiness } from "../../../../src/platform/core/readiness";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { systemClock } from "../../../../src/platform/core/clock";
import type { SiteEvent } from "../../../../src/platform/events/types";

const answer = (field: string, measurement = "reload_task_failed", stored = "integer", written = "float") =>
  JSON.stringify({
    error: `partial write: field type conflict: input field "${field}" on measurement "${measurement}" is type ${written}, already exists as type ${stored} dropped=1`,
  });
const line = (measurement: string, field: string) => new Point(measurement).tag("host", "h").floatField(field, 1).toLineProtocol()!;
const target = { channel: "metrics", url: "http://influx:8086", database: "butler" };

function setup() {
  const readiness = createReadiness();
  const events: SiteEvent[] = [];
  const m = createInfluxConflictMonitor({
    clock: systemClock,
    log: createSilentLogger(),
    metrics: createMetricsRegistry(),
    readiness,
    emit: async (e) => void events.push(e),
  });
  return { m, readiness, events };
}

describe("influx conflict monitor", () => {
  test("a conflict on a written field is kept, reported once, and ends with an accepted write carrying the field", async () => {
    const { m, readiness, events } = setup();
    const lines = [line("reload_task_failed", "task_scriptLogSize")];
    expect(m.refused(target, answer("task_scriptLogSize"), lines).length).toBe(1);
    m.refused(target, answer("task_scriptLogSize"), lines);
    expect(m.open()).toMatchObject([
      { measurement: "reload_task_failed", field: "task_scriptLogSize", storedType: "integer", writtenType: "float", refusedWrites: 2 },
    ]);
    expect(events.map((e) => e.kind)).toEqual(["influxdb.field_conflict"]);
    expect((await readiness.report()).components.influxdb).toMatchObject({ ok: false, required: false });
    // A write of another measurement, or to another database, does not end it.
    m.accepted(target, [line("reload_task_success", "task_scriptLogSize")]);
    m.accepted({ ...target, database: "other" }, lines);
    expect(m.open().length).toBe(1);
    m.accepted(target, lines);
    expect(m.open()).toEqual([]);
    expect((await readiness.report()).components.influxdb).toEqual({ ok: true, detail: "no field type conflict", required: false });
  });

  test("an answer naming a field the refused lines did not carry is not recorded (a hostile server cannot fill the map)", () => {
    const { m, events } = setup();
    expect(m.refused(target, answer("made_up"), [line("reload_task_failed", "task_scriptLogSize")])).toEqual([]);
    expect(m.refused(target, answer("task_scriptLogSize", "other_measurement"), [line("reload_task_failed", "task_scriptLogSize")])).toEqual([]);
    expect(m.open()).toEqual([]);
    expect(events).toEqual([]);
  });

  test("at most 500 conflicts are kept", () => {
    const { m } = setup();
    for (let i = 0; i < 600; i++) m.refused(target, answer(`f${i}`), [line("reload_task_failed", `f${i}`)]);
    expect(m.open().length).toBe(500);
    expect(m.open()[0]!.field).toBe("f100");
  });
});
