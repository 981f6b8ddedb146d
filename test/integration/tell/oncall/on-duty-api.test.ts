// Issue 106: GET /v4/oncall names who is on duty now, since when, until when and who is next, on a manual clock:
// the week's person a minute before Monday's 09:00 handover in Stockholm, the next one from it, and an override.
import { afterAll, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createTestApp, type TestApp } from "../../../helpers/app";

const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) await t.close();
});

test("GET /v4/oncall across a handover and an override", async () => {
  const clock = createManualClock(Date.parse("2026-11-23T07:59:00Z")); // Monday 08:59 in Stockholm
  const t = createTestApp(
    `oncall:
  primary:
    timeZone: Europe/Stockholm
    people: [anna@corp.example, bo@corp.example]
    handover: { weekday: mon, at: "09:00" }
    firstWeek: "2026-11-02"
    overrides:
      - { person: carl@corp.example, from: "2026-11-27T17:00:00+01:00", until: "2026-11-30T09:00:00+01:00" }
`,
    { clock },
  );
  apps.push(t);
  const duty = async () => {
    const res = await t.request("/v4/oncall");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { schedules: Array<Record<string, unknown>> };
    const { why: _why, ...rest } = body.schedules[0]!;
    return rest;
  };
  // Weeks from 2 Nov: anna, bo, anna, bo: the week from Mon 16 Nov is anna's, from Mon 23 Nov 09:00 bo's.
  expect(await duty()).toEqual({
    schedule: "primary",
    timeZone: "Europe/Stockholm",
    person: "anna@corp.example",
    since: "2026-11-16T08:00:00.000Z",
    until: "2026-11-23T08:00:00.000Z",
    next: "bo@corp.example",
    people: ["anna@corp.example", "bo@corp.example"],
  });
  await clock.set(Date.parse("2026-11-23T08:00:00Z"));
  expect(await duty()).toMatchObject({
    person: "bo@corp.example",
    since: "2026-11-23T08:00:00.000Z",
    until: "2026-11-27T16:00:00.000Z",
    next: "carl@corp.example",
  });
  await clock.set(Date.parse("2026-11-28T12:00:00Z"));
  expect(await duty()).toMatchObject({
    person: "carl@corp.example",
    since: "2026-11-27T16:00:00.000Z",
    until: "2026-11-30T08:00:00.000Z",
    next: "anna@corp.example",
  });
});
