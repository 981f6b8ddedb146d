// Who is on duty (issue 88): a weekly rotation handing over on Monday 09:00 in Stockholm, across the change from
// summer time; an override; the site's business hours with a night desk, and without one. The handover's Cron is
// made once per schedule, and asking in any order gives the same answers.
import { expect, test } from "bun:test";
import { OnCallScheduleSchema } from "../../../../src/tell/oncall/config";
import { handoverCronsMadeSoFar, onDuty } from "../../../../src/tell/oncall/on-duty";
import { nextChange } from "../../../../src/show/handover-notice/next-handover";

const s = OnCallScheduleSchema.parse({
  timeZone: "Europe/Stockholm",
  people: ["anna@corp.example", "bo@corp.example", "carl@corp.example"],
  handover: { weekday: "mon", at: "09:00" },
  firstWeek: "2026-10-12",
  overrides: [{ person: "dan@corp.example", from: "2026-11-27T17:00:00+01:00", until: "2026-11-30T09:00:00+01:00" }],
});
const who = (iso: string, sched = s) => onDuty(sched, Date.parse(iso)).person;

test("each person a week from the handover, in the schedule's zone, across the end of summer time", () => {
  expect(who("2026-10-12T06:59:00Z")).toBe("carl@corp.example"); // Mon 08:59 CEST: the week before the first is the last person's
  expect(who("2026-10-12T07:00:00Z")).toBe("anna@corp.example"); // Mon 09:00 CEST
  expect(who("2026-10-19T06:59:59Z")).toBe("anna@corp.example");
  expect(who("2026-10-19T07:00:00Z")).toBe("bo@corp.example");
  // Summer time ended on 25 Oct: the handover is at 09:00 CET, 08:00Z.
  expect(who("2026-10-26T07:30:00Z")).toBe("bo@corp.example");
  expect(who("2026-10-26T08:00:00Z")).toBe("carl@corp.example");
  expect(who("2026-11-02T08:00:00Z")).toBe("anna@corp.example");
});

test("an override holds from its start until its end, then the rotation again", () => {
  // Weeks from 12 Oct: anna, bo, carl, anna, bo, carl; the week from Mon 23 Nov is anna's, from 30 Nov bo's.
  expect(who("2026-11-27T15:59:00Z")).toBe("anna@corp.example");
  expect(who("2026-11-27T16:00:00Z")).toBe("dan@corp.example");
  expect(who("2026-11-30T07:59:00Z")).toBe("dan@corp.example");
  expect(who("2026-11-30T08:00:00Z")).toBe("bo@corp.example");
});

test("outside the business hours: the night desk, or nobody", () => {
  const hours = { timeZone: "Europe/Stockholm", intervals: [{ weekdays: ["mon-fri"], times: [{ from: "08:00", to: "17:00" }] }] };
  const day = OnCallScheduleSchema.parse({ ...s, overrides: [], hours, outsideHours: "night@corp.example" });
  expect(who("2026-11-24T10:00:00Z", day)).toBe("anna@corp.example");
  expect(who("2026-11-24T17:00:00Z", day)).toBe("night@corp.example");
  const none = OnCallScheduleSchema.parse({ ...s, overrides: [], hours });
  expect(onDuty(none, Date.parse("2026-11-28T10:00:00Z"))).toEqual({ why: "outside the schedule's hours: nobody is on duty" });
});

test("an override that ends before it starts is refused", () => {
  const r = OnCallScheduleSchema.safeParse({ ...s, overrides: [{ person: "dan@corp.example", from: "2026-11-30T09:00:00Z", until: "2026-11-27T09:00:00Z" }] });
  expect(r.success).toBe(false);
});

test("one handover Cron per schedule, however often asked, and the same answers in any order", () => {
  // Handing over on Tuesdays at 10:00 (no other test's schedule): a week's search for the next change asks hundreds of
  // instants, each of which parsed the pattern again.
  const tue = OnCallScheduleSchema.parse({ ...s, overrides: [], handover: { weekday: "tue", at: "10:00" } });
  const before = handoverCronsMadeSoFar();
  expect(nextChange(tue, Date.parse("2026-10-20T09:00:00Z"))).toBe(Date.parse("2026-10-27T09:00:00Z")); // 10:00 CET after summer time
  const instants = Array.from({ length: 10 * 28 }, (_, i) => Date.parse("2026-10-05T00:00:00Z") + i * 6 * 3_600_000);
  const forward = instants.map((t) => onDuty(tue, t).person);
  const backward = [...instants]
    .reverse()
    .map((t) => onDuty(tue, t).person)
    .reverse();
  expect(backward).toEqual(forward);
  expect(new Set(forward)).toEqual(new Set(["anna@corp.example", "bo@corp.example", "carl@corp.example"]));
  expect(handoverCronsMadeSoFar() - before).toBe(1);
  // Another handover time is another Cron; the first schedule's is kept.
  onDuty(OnCallScheduleSchema.parse({ ...s, overrides: [], handover: { weekday: "tue", at: "11:00" } }), instants[0]!);
  onDuty(tue, instants[1]!);
  expect(handoverCronsMadeSoFar() - before).toBe(2);
});
