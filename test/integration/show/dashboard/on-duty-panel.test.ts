// Issue 106: the dashboard's overview shows who is on duty now in each schedule, until when (on the site's clock) and
// who is next, on a manual clock: the week's person before Friday's override, and the override's person during it.
import { afterAll, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type SlackWebApiReceiver, startSlackWebApiReceiver } from "../../../helpers/slack-web-api-receiver";
import { waitFor } from "../../../helpers/wait-for";

const apps: TestApp[] = [];
let slack: SlackWebApiReceiver | undefined;
afterAll(async () => {
  for (const t of apps) await t.close();
  await slack?.stop();
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

test("a schedule whose Slack user group cannot be kept in step says why in its row, in GET /v4/oncall's words, and what to do", async () => {
  // The app's token is not the workspace's: Slack answers invalid_auth to the look-up of bo, who is on duty.
  slack = await startSlackWebApiReceiver({
    token: "xoxb-the-right-one",
    members: { "bo@corp.example": "U0BO22" },
    groups: { S0ONCALL1: [] },
  });
  const clock = createManualClock(Date.parse("2026-11-24T10:00:00Z"));
  const t = createTestApp(
    `oncall:
  primary:
    timeZone: Europe/Stockholm
    people: [anna@corp.example, bo@corp.example]
    handover: { weekday: mon, at: "09:00" }
    firstWeek: "2026-11-02"
    noticeBefore: 0
    slackUserGroup: { id: S0ONCALL1, token: "xoxb-revoked-<secret>", baseUrl: "${slack.url}" }
`,
    { clock },
  );
  apps.push(t);
  await t.app.start();
  type Duty = { slackUserGroup?: { id: string; problem: string | null; fix: string | null } };
  const group = async () => ((await (await t.request("/v4/oncall")).json()) as { schedules: Duty[] }).schedules[0]!.slackUserGroup;
  await waitFor(async () => (await group())?.problem ?? undefined, { what: "Slack's refusal in GET /v4/oncall", timeoutMs: 30_000 });
  const { problem, fix } = (await group())!;
  expect(problem).toBe("Slack users.lookupByEmail answered invalid_auth");
  const html = await (await t.request("/ui")).text();
  const row = rowOf(html, "primary");
  expect(row).toContain("Slack user group S0ONCALL1 is not kept in step");
  expect(row).toContain(problem!);
  // The fix as the API says it, escaped as HTML (it names "the Slack app's OAuth & Permissions page"), never the token.
  expect(fix).toContain("app's OAuth & Permissions");
  expect(row).toContain(fix!.replace(/&/g, "&amp;").replace(/'/g, "&#39;"));
  expect(html).not.toContain("xoxb-revoked");
}, 60_000);
