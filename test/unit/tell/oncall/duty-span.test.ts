// Who is on duty now, since when, until when and who is next (issue 106): across a handover in Stockholm, an
// override and the hours of a schedule without a night desk.
import { expect, test } from "bun:test";
import { OnCallScheduleSchema } from "../../../../src/tell/oncall/config";
import { dutySpan } from "../../../../src/tell/oncall/duty-span";

const s = OnCallScheduleSchema.parse({
  timeZone: "Europe/Stockholm",
  people: ["anna@corp.example", "bo@corp.example", "carl@corp.example"],
  handover: { weekday: "mon", at: "09:00" },
  firstWeek: "2026-10-12",
  overrides: [{ person: "dan@corp.example", from: "2026-11-27T17:00:00+01:00", until: "2026-11-30T09:00:00+01:00" }],
});
const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());
const span = (at: string, sched = s) => {
  const d = dutySpan(sched, Date.parse(at));
  return { person: d.person, since: iso(d.since), until: iso(d.until), next: d.next };
};

test("in a rotation week: since the handover, until the override that follows, and who is next", () => {
  expect(span("2026-11-25T12:00:00Z")).toEqual({
    person: "anna@corp.example",
    since: "2026-11-23T08:00:00.000Z",
    until: "2026-11-27T16:00:00.000Z",
    next: "dan@corp.example",
  });
});

test("in an override: since its start, until its end, then the rotation's next person", () => {
  expect(span("2026-11-28T10:00:00Z")).toEqual({
    person: "dan@corp.example",
    since: "2026-11-27T16:00:00.000Z",
    until: "2026-11-30T08:00:00.000Z",
    next: "bo@corp.example",
  });
  // Across the handover the override ends at: bo from then until the next Monday's handover.
  expect(span("2026-11-30T08:00:00Z")).toEqual({
    person: "bo@corp.example",
    since: "2026-11-30T08:00:00.000Z",
    until: "2026-12-07T08:00:00.000Z",
    next: "carl@corp.example",
  });
});

test("with business hours and no night desk: duty ends at the end of the day and nobody is next", () => {
  const hours = { timeZone: "Europe/Stockholm", intervals: [{ weekdays: ["mon-fri"], times: [{ from: "08:00", to: "17:00" }] }] };
  const day = OnCallScheduleSchema.parse({ ...s, overrides: [], hours });
  expect(span("2026-11-24T10:00:00Z", day)).toEqual({
    person: "anna@corp.example",
    since: "2026-11-24T07:00:00.000Z",
    until: "2026-11-24T16:00:00.000Z",
    next: undefined,
  });
});
