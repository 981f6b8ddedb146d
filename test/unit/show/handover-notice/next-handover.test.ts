// Issue 106: which handover a notice is due for, from the config and an instant: within the lead or not, the person
// after an override, nobody when duty passes to nobody, none with noticeBefore 0; and the key refused past a day.
import { expect, test } from "bun:test";
import { nextChange, upcomingHandover } from "../../../../src/show/handover-notice/next-handover";
import { noticeBeforeMs, OnCallScheduleSchema } from "../../../../src/tell/oncall/config";

// Weeks from Mon 2 Nov 09:00 Stockholm: anna, bo, anna, bo (from 23 Nov 09:00 = 08:00Z); carl covers Wednesday 25 Nov.
const s = OnCallScheduleSchema.parse({
  timeZone: "Europe/Stockholm",
  people: ["anna@corp.example", "bo@corp.example"],
  firstWeek: "2026-11-02",
  overrides: [{ person: "carl@corp.example", from: "2026-11-25T00:00:00+01:00", until: "2026-11-26T00:00:00+01:00" }],
});
const at = Date.parse;

test("due within the lead before the handover, not before it and not after", () => {
  const lead = noticeBeforeMs(s);
  expect(lead).toBe(15 * 60_000);
  expect(upcomingHandover(s, at("2026-11-23T07:44:00Z"), lead)).toBeUndefined();
  expect(upcomingHandover(s, at("2026-11-23T07:50:00Z"), lead)).toEqual({
    start: at("2026-11-23T08:00:00Z"),
    incoming: "bo@corp.example",
    outgoing: "anna@corp.example",
    why: "rotation, the week from 2026-11-23T08:00:00.000Z",
  });
  expect(upcomingHandover(s, at("2026-11-23T08:00:00Z"), lead)).toBeUndefined();
  expect(nextChange(s, at("2026-11-23T08:00:00Z"))).toBe(at("2026-11-24T23:00:00Z"));
});

test("an override's person is the incoming one, and so is the rotation's after it", () => {
  expect(upcomingHandover(s, at("2026-11-24T22:50:00Z"), 15 * 60_000)).toMatchObject({ incoming: "carl@corp.example", outgoing: "bo@corp.example" });
  expect(upcomingHandover(s, at("2026-11-25T22:50:00Z"), 15 * 60_000)).toMatchObject({ incoming: "bo@corp.example", outgoing: "carl@corp.example" });
});

test("no notice when duty passes to nobody, or with noticeBefore 0", () => {
  const hours = { timeZone: "Europe/Stockholm", intervals: [{ weekdays: ["mon-fri"], times: [{ from: "08:00", to: "17:00" }] }] };
  const day = OnCallScheduleSchema.parse({ ...s, overrides: [], hours });
  // Monday 16:50: at 17:00 nobody is on duty; Tuesday 07:50: bo comes back at 08:00.
  expect(upcomingHandover(day, at("2026-11-23T15:50:00Z"), 15 * 60_000)).toBeUndefined();
  expect(upcomingHandover(day, at("2026-11-24T06:50:00Z"), 15 * 60_000)).toMatchObject({ incoming: "bo@corp.example", start: at("2026-11-24T07:00:00Z") });
  expect(upcomingHandover(day, at("2026-11-24T06:50:00Z"), 15 * 60_000)?.outgoing).toBeUndefined();
  const off = OnCallScheduleSchema.parse({ ...s, noticeBefore: 0 });
  expect(noticeBeforeMs(off)).toBe(0);
  expect(upcomingHandover(off, at("2026-11-23T07:50:00Z"), noticeBeforeMs(off))).toBeUndefined();
});

test("noticeBefore past a day is refused with the key named", () => {
  const r = OnCallScheduleSchema.safeParse({ ...s, noticeBefore: "2d" });
  expect(r.success).toBe(false);
  expect(r.error!.issues.map((i) => [i.path.join("."), i.message])).toContainEqual(["noticeBefore", "at most a day before the shift (1d)"]);
});
