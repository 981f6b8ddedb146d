// The simulator's own schema-trigger clock: the UTC grid at time scale 1, the scaled grid from the start.
import { describe, expect, test } from "bun:test";
import { nextFireMs, triggerPeriodMs } from "../../../src/sim/tasks/trigger-clock";
import type { SchemaTriggerModel } from "../../../src/sim/site/model";

const trig = (over: Partial<SchemaTriggerModel>): SchemaTriggerModel => ({
  type: "schema",
  id: "t",
  name: "t",
  enabled: true,
  incrementOption: 2,
  incrementDescription: "0 0 1 0",
  startDate: "2026-01-01T06:00:00.000",
  expirationDate: "9999-12-31T00:00:00.000",
  timeZone: "UTC",
  daylightSavingTime: 0,
  schemaFilterDescription: "* * - * * * * *",
  ...over,
});
const at = (s: string) => Date.parse(s);

describe("sim trigger clock", () => {
  test("periods from incrementDescription; no increment at all is a once, whatever the option (docs/watchdog.md)", () => {
    expect(triggerPeriodMs(trig({ incrementOption: 1, incrementDescription: "30 0 0 0" }))).toBe(1_800_000);
    expect(triggerPeriodMs(trig({ incrementOption: 3, incrementDescription: "0 0 0 1" }))).toBe(7 * 86_400_000);
    expect(triggerPeriodMs(trig({ incrementOption: 3, incrementDescription: "0 0 0 0" }))).toBeUndefined();
    expect(triggerPeriodMs(trig({ incrementOption: 0 }))).toBeUndefined();
  });
  test("time scale 1: the trigger's own grid; once; monthly; expired; disabled", () => {
    const now = at("2026-02-10T12:00:00Z");
    expect(nextFireMs(trig({}), now, now, 1)).toBe(at("2026-02-11T06:00:00Z"));
    expect(nextFireMs(trig({ incrementOption: 0 }), now, now, 1)).toBeUndefined();
    expect(nextFireMs(trig({ incrementOption: 0, startDate: "2026-03-01T00:00:00.000" }), now, now, 1)).toBe(at("2026-03-01T00:00:00Z"));
    expect(nextFireMs(trig({ incrementOption: 4, startDate: "2026-01-15T05:00:00.000" }), now, now, 1)).toBe(at("2026-02-15T05:00:00Z"));
    expect(nextFireMs(trig({ expirationDate: "2026-02-01T00:00:00.000" }), now, now, 1)).toBeUndefined();
    expect(nextFireMs(trig({ enabled: false }), now, now, 1)).toBeUndefined();
  });
  test("scaled: the grid starts at the simulator's start and the period shrinks", () => {
    const anchor = at("2026-02-10T12:00:00Z");
    const scale = 1 / 86_400; // a day in a second
    expect(nextFireMs(trig({}), anchor, anchor, scale)).toBe(anchor + 1_000);
    expect(nextFireMs(trig({}), anchor + 1_000, anchor, scale)).toBe(anchor + 2_000);
    // A start date after the simulator started is scaled from it too.
    expect(nextFireMs(trig({ startDate: "2026-02-11T12:00:00.000" }), anchor, anchor, scale)).toBe(anchor + 1_000);
  });
});
