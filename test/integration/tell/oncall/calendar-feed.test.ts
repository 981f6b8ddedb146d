// Issue 106, "my shifts": a personal calendar feed of one person's final shifts, overrides included, parsed by a real
// iCalendar library (ical.js) on a manual clock; a revoked or unknown URL answers 404 alike; only an admin makes one
// for someone else, only a person of the rota gets one, and a person holds at most FEEDS_PER_PERSON.
import { afterAll, expect, test } from "bun:test";
import ICAL from "ical.js";
import { createManualClock } from "../../../../src/platform/core/clock";
import { sha256Hex } from "../../../../src/platform/security/api-keys";
import { FEEDS_PER_PERSON } from "../../../../src/tell/oncall/feed-routes";
import { createTestApp, type TestApp } from "../../../helpers/app";

const ADMIN = "oncall-feed-admin-key-4f1d2b7c9e";
const READER = "oncall-feed-reader-key-8a3e6d0b2c";
const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) await t.close();
});

const json = (key: string, body: unknown) => ({
  method: "POST",
  headers: { "content-type": "application/json", "x-api-key": key },
  body: JSON.stringify(body),
});

function events(ics: string) {
  const cal = new ICAL.Component(ICAL.parse(ics));
  return cal.getAllSubcomponents("vevent").map((v) => {
    const e = new ICAL.Event(v);
    return { uid: e.uid, summary: e.summary, start: e.startDate.toJSDate().toISOString(), end: e.endDate.toJSDate().toISOString() };
  });
}

test("a person's feed lists their weeks and an override, 8 weeks ahead and one back; revoked and unknown URLs 404 alike", async () => {
  const clock = createManualClock(Date.parse("2026-11-25T12:00:00Z")); // Wednesday of bo's week
  const t = createTestApp(
    `http: { port: 0, publicUrl: "https://steward.corp.example/" }
security:
  apiKeys:
    - { name: admins, hash: "sha256:${sha256Hex(ADMIN)}", scopes: [admin] }
    - { name: readers, hash: "sha256:${sha256Hex(READER)}", scopes: [read] }
oncall:
  primary:
    timeZone: Europe/Stockholm
    people: [anna@corp.example, bo@corp.example]
    handover: { weekday: mon, at: "09:00" }
    firstWeek: "2026-11-02"
    overrides:
      - { person: anna@corp.example, from: "2026-12-09T09:00:00+01:00", until: "2026-12-10T09:00:00+01:00" }
`,
    { clock },
  );
  apps.push(t);

  // A read key may not make someone's feed; nobody gets a feed for an address the rota does not name.
  expect((await t.request("/v4/oncall/feeds", json(READER, { person: "anna@corp.example" }))).status).toBe(403);
  const stranger = await t.request("/v4/oncall/feeds", json(ADMIN, { person: "eve@corp.example" }));
  expect(stranger.status).toBe(400);
  expect(await stranger.json()).toMatchObject({ details: { field: "body.person" } });

  const made = await t.request("/v4/oncall/feeds", json(ADMIN, { person: "Anna@corp.example" }));
  expect(made.status).toBe(201);
  const feed = (await made.json()) as { id: number; person: string; url: string };
  expect(feed.person).toBe("anna@corp.example");
  expect(feed.url).toMatch(/^https:\/\/steward\.corp\.example\/v4\/oncall\/feeds\/[A-Za-z0-9_-]{43}\.ics$/);
  const path = new URL(feed.url).pathname;

  // The calendar program sends no credentials: the URL is enough.
  const res = await t.request(path);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/calendar");
  const ics = await res.text();
  expect(ics.split("\r\n").every((line) => new TextEncoder().encode(line).length <= 75)).toBe(true);
  const shifts = events(ics);
  // Weeks from 2 Nov alternate anna, bo: anna's are the weeks from 16 Nov, 30 Nov, 14 Dec … up to 8 weeks ahead
  // (20 Jan); the week from 16 Nov ended within the last week. The override gives her a day of bo's week (9 Dec).
  expect(shifts.map((s) => [s.start, s.end, s.summary])).toEqual([
    ["2026-11-16T08:00:00.000Z", "2026-11-23T08:00:00.000Z", "On call: primary"],
    ["2026-11-30T08:00:00.000Z", "2026-12-07T08:00:00.000Z", "On call: primary"],
    ["2026-12-09T08:00:00.000Z", "2026-12-10T08:00:00.000Z", "On call: primary (override)"],
    ["2026-12-14T08:00:00.000Z", "2026-12-21T08:00:00.000Z", "On call: primary"],
    ["2026-12-28T08:00:00.000Z", "2027-01-04T08:00:00.000Z", "On call: primary"],
    ["2027-01-11T08:00:00.000Z", "2027-01-18T08:00:00.000Z", "On call: primary"],
  ]);
  // A shift keeps its UID from one poll to the next, so calendars update it in place.
  await clock.set(Date.parse("2026-11-25T13:00:00Z"));
  expect(events(await (await t.request(path)).text()).map((s) => s.uid)).toEqual(shifts.map((s) => s.uid));

  // Revoked: the URL answers exactly as an unknown one does.
  expect((await t.request(`/v4/oncall/feeds/${feed.id}`, { method: "DELETE", headers: { "x-api-key": ADMIN } })).status).toBe(200);
  const revoked = await t.request(path);
  const unknown = await t.request(`/v4/oncall/feeds/${"x".repeat(43)}.ics`);
  expect([revoked.status, unknown.status]).toEqual([404, 404]);
  expect(await revoked.json()).toEqual(await unknown.json());
  expect((await t.request(`/v4/oncall/feeds/${feed.id}`, { method: "DELETE", headers: { "x-api-key": ADMIN } })).status).toBe(404);

  // At most FEEDS_PER_PERSON live feeds a person; the revoked one does not count.
  for (let i = 0; i < FEEDS_PER_PERSON; i++) expect((await t.request("/v4/oncall/feeds", json(ADMIN, { person: "bo@corp.example" }))).status).toBe(201);
  const over = await t.request("/v4/oncall/feeds", json(ADMIN, { person: "bo@corp.example" }));
  expect(over.status).toBe(409);
  const listed = (await (await t.request("/v4/oncall/feeds", { headers: { "x-api-key": ADMIN } })).json()) as { feeds: unknown[] };
  expect(listed.feeds.length).toBe(FEEDS_PER_PERSON);
  expect(JSON.stringify(listed)).not.toContain(".ics");
});
