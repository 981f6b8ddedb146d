// Steward's next start against QRS's own operational.nextExecution: agreement is silent; a disagreement is a problem
// sentence (never an alert) and the trigger is then judged by QRS's time.
import { describe, expect, test } from "bun:test";
import { compareWithQrs, nextExpectedStart, readSchemaEvent } from "../../../../src/watch/watchdog/schedule";

const READ_AT = Date.parse("2026-03-27T12:00:00Z"); // a Friday
const row = (nextExecution: string) => ({
  id: "tr1",
  name: "Weekdays 06:30",
  enabled: true,
  incrementOption: 3,
  incrementDescription: "0 0 1 0",
  schemaFilterDescription: ["* * - 1,2,3,4,5 1 * * *"],
  startDate: "2026-03-02T06:30:00.000",
  expirationDate: "9999-12-30T23:59:59.999",
  timeZone: "Europe/Stockholm",
  daylightSavingTime: 0,
  operational: { nextExecution, lastEventDate: "2026-03-27T05:30:00.000Z", timesTriggered: 20 },
});

function read(nextExecution: string) {
  const r = readSchemaEvent(row(nextExecution));
  if (!r.ok) throw new Error(r.error);
  return r.trigger;
}

describe("compareWithQrs", () => {
  test("QRS states Monday 06:30 CEST, as Steward computes: no problem, Steward's calendar is used", () => {
    const t = read("2026-03-30T04:30:00.000Z");
    expect(compareWithQrs(t, READ_AT)).toBeUndefined();
    expect(t.judgedByQrs).toBeUndefined();
    expect(nextExpectedStart(t, Date.parse("2026-03-30T05:00:00Z"))).toBe(Date.parse("2026-03-31T04:30:00Z"));
  });
  test("QRS states Saturday: a problem naming both times, and the task is judged by QRS's time alone", () => {
    const t = read("2026-03-28T05:30:00.000Z");
    const problem = compareWithQrs(t, READ_AT);
    expect(problem).toBe(
      `trigger "Weekdays 06:30": Steward computes the next start 2026-03-30T04:30:00.000Z, QRS states 2026-03-28T05:30:00.000Z; QRS is followed: its starts are expected at the times QRS states`,
    );
    expect(t.judgedByQrs).toBe(true);
    expect(nextExpectedStart(t, READ_AT)).toBe(Date.parse("2026-03-28T05:30:00Z"));
    expect(nextExpectedStart(t, Date.parse("2026-03-28T05:30:00Z"))).toBeUndefined();
  });
  test("a stated time in the past that is one of Steward's fires agrees (the Scheduler late or stopped)", () => {
    const t = read("2026-03-27T05:30:00.000Z");
    expect(compareWithQrs(t, READ_AT)).toBeUndefined();
    // Steward's calendar then expects it, and the fires after it.
    expect(nextExpectedStart(t, Date.parse("2026-03-27T05:00:00Z"))).toBe(Date.parse("2026-03-27T05:30:00Z"));
  });
  test("a stated time in the past that is not one of Steward's fires: QRS is followed", () => {
    const t = read("2026-03-27T07:00:00.000Z");
    expect(compareWithQrs(t, READ_AT)).toContain("QRS states 2026-03-27T07:00:00.000Z");
    expect(nextExpectedStart(t, Date.parse("2026-03-27T05:00:00Z"))).toBe(Date.parse("2026-03-27T07:00:00Z"));
  });
  test("QRS's never (1753-01-01) means no expectation, whatever Steward computes; the difference is a problem", () => {
    const t = read("1753-01-01T00:00:00.000Z");
    expect(compareWithQrs(t, READ_AT)).toBe(
      `trigger "Weekdays 06:30": Steward computes the next start 2026-03-30T04:30:00.000Z, QRS states none (the Scheduler will not fire it); QRS is followed: no start is expected`,
    );
    expect(nextExpectedStart(t, READ_AT)).toBeUndefined();
  });
  test("within a minute counts as agreement (QRS rounds)", () => {
    expect(compareWithQrs(read("2026-03-30T04:30:40.000Z"), READ_AT)).toBeUndefined();
  });
});
