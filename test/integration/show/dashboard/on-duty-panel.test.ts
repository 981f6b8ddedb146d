// Issue 106: the dashboard's overview shows who is on duty now in each schedule, until when (on the site's clock) and
// who is next, on a manual clock: the week's person before Friday's override, and the override's person during it.
import { afterAll, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createTestApp, type TestApp } from "../../../helpers/app";

const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) await t.close();
});

const rowOf = (html: string, schedule: string) => {
  const start = html.indexOf(`<tr data-schedule="${schedule}"`);
  return start < 0
    ? ""
    : html
        .slice(start, html.indexOf("</tr>", start))
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim();
};

test("the overview's On duty now panel: the rotation's person, then the override's, each with until and next", async () => {
  const clock = createManualClock(Date.parse("2026-11-24T10:00:00Z")); // Tuesday 11:00 in Stockholm
  const t = createTestApp(
    `notify: { timeZone: Europe/Stockholm }
oncall:
  primary:
    timeZone: Europe/Stockholm
    people: [anna@corp.example, bo@corp.example]
    handover: { weekday: mon, at: "09:00" }
    firstWeek: "2026-11-02"
    overrides:
      - { person: carl@corp.example, from: "2026-11-27T17:00:00+01:00", until: "2026-11-30T09:00:00+01:00" }
  night:
    timeZone: Europe/Stockholm
    people: [dan@corp.example]
    firstWeek: "2026-11-02"
    hours: { timeZone: Europe/Stockholm, intervals: [{ times: [{ from: "22:00", to: "24:00" }] }] }
`,
    { clock },
  );
  apps.push(t);
  const overview = async () => {
    const res = await t.request("/ui");
    expect(res.status).toBe(200);
    return res.text();
  };
  let html = await overview();
  expect(html).toContain("On duty now");
  expect(rowOf(html, "primary")).toBe("primary bo@corp.example rotation 2026-11-27 17:00 carl@corp.example");
  expect(rowOf(html, "night")).toBe("night nobody outside its hours 22:00 dan@corp.example");
  await clock.set(Date.parse("2026-11-28T12:00:00Z"));
  html = await overview();
  expect(rowOf(html, "primary")).toBe("primary carl@corp.example override 2026-11-30 09:00 anna@corp.example");
});

test("no schedules: no panel", async () => {
  const t = createTestApp("", { clock: createManualClock(Date.parse("2026-11-24T10:00:00Z")) });
  apps.push(t);
  expect(await (await t.request("/ui")).text()).not.toContain("On duty now");
});
