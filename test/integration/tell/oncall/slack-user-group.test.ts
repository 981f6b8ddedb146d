// Issue 106: the rota keeps a Slack user group (@qlik-oncall) equal to the person on duty, on the real app and a
// manual clock, against a local Slack Web API that takes only what Slack's does (slack-web-api-receiver.ts). The
// rota: anna and bo a week each, handing over on Mondays at 09:00 in Stockholm (08:00 UTC), bo from Mon 23 Nov;
// anna's Slack id is in oncall.people, bo and carl are found by their mail address (users.lookupByEmail).
import { afterEach, expect, test } from "bun:test";
import pino from "pino";
import { createManualClock, type ManualClock } from "../../../../src/platform/core/clock";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type SlackWebApiReceiver, startSlackWebApiReceiver } from "../../../helpers/slack-web-api-receiver";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

const TOKEN = "xoxb-1234-5678-steward";
const GROUP = "S0ONCALL1";

let slack: SlackWebApiReceiver | undefined;
let running: TestApp | undefined;
let dir: TempDir | undefined;
afterEach(async () => {
  await running?.app.stop();
  running = undefined;
  await slack?.stop();
  slack = undefined;
  dir?.remove();
  dir = undefined;
});

const yaml = (url: string, token = TOKEN) => `oncall:
  people:
    anna@corp.example: { slack: U0ANNA1 }
    carl@corp.example: {}
  primary:
    timeZone: Europe/Stockholm
    people: [anna@corp.example, bo@corp.example]
    handover: { weekday: mon, at: "09:00" }
    firstWeek: "2026-11-02"
    noticeBefore: 0
    slackUserGroup: { id: ${GROUP}, token: "${token}", baseUrl: "${url}" }
`;

function workspace(scopes?: string[]) {
  return startSlackWebApiReceiver({
    token: TOKEN,
    ...(scopes ? { scopes } : {}),
    members: { "anna@corp.example": "U0ANNA1", "bo@corp.example": "U0BO22", "carl@corp.example": "U0CARL3" },
    groups: { [GROUP]: ["U0ANNA1"] },
  });
}

async function start(clock: ManualClock, opts: { token?: string; lines?: string[] } = {}) {
  dir ??= createTempDir();
  const log = opts.lines ? pino({ level: "info" }, { write: (line: string) => void opts.lines!.push(line) }) : undefined;
  running = createTestApp(yaml(slack!.url, opts.token), { clock, dir: dir.path, ...(log ? { log } : {}) });
  await running.app.start();
}

const updates = () => slack!.calls.filter((c) => c.method === "usergroups.users.update");
const lists = () => slack!.calls.filter((c) => c.method === "usergroups.users.list");
const to = (clock: ManualClock, iso: string) => clock.advance(Date.parse(iso) - clock.now());

test("at Monday's 08:00 UTC handover the group is set to bo, once; with nothing changed, Slack is only read", async () => {
  slack = workspace();
  const clock = createManualClock(Date.parse("2026-11-23T07:00:00Z"));
  await start(clock);
  // At start the group already holds anna: Slack is asked, nothing is changed.
  await waitFor(() => lists().length === 1, { what: "the look at start", timeoutMs: 30_000 });
  await to(clock, "2026-11-23T07:59:00Z");
  expect(updates()).toHaveLength(0);
  // Every ten minutes the group is compared again (drift), without an update.
  expect(lists().length).toBeGreaterThanOrEqual(6);
  await to(clock, "2026-11-23T08:01:00Z");
  await waitFor(() => updates().length === 1, { what: "the update at the handover", timeoutMs: 30_000 });
  expect(updates()[0]!.args).toEqual({ usergroup: GROUP, users: "U0BO22" });
  expect(slack.groups.get(GROUP)).toEqual(["U0BO22"]);
  expect(slack.calls.filter((c) => c.method === "users.lookupByEmail").map((c) => c.args.email)).toEqual(["bo@corp.example"]);
  await to(clock, "2026-11-23T09:30:00Z");
  expect(updates()).toHaveLength(1);
  expect(slack.refused).toEqual([]);
}, 90_000);

test("the update goes at the handover's very instant, not at the next minute's look", async () => {
  slack = workspace();
  // Started half a minute past: the minute's looks fall at :30, the handover at 08:00:00.
  const clock = createManualClock(Date.parse("2026-11-23T07:58:30Z"));
  await start(clock);
  await waitFor(() => lists().length === 1, { what: "the look at start", timeoutMs: 30_000 });
  await to(clock, "2026-11-23T08:00:00Z");
  await waitFor(() => updates().length === 1, { what: "the update at 08:00:00", timeoutMs: 30_000 });
  expect(updates()[0]!.args.users).toBe("U0BO22");
}, 90_000);

test("an override made over REST moves the group to its person and back when it ends", async () => {
  slack = workspace();
  const clock = createManualClock(Date.parse("2026-11-24T09:00:00Z")); // Tuesday, bo's week
  await start(clock);
  await waitFor(() => updates().length === 1, { what: "bo put in the group at start", timeoutMs: 30_000 });
  const made = await running!.request("/v4/oncall/overrides", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ schedule: "primary", person: "carl@corp.example", from: "2026-11-24T10:00:00Z", until: "2026-11-24T12:00:00Z" }),
  });
  expect(made.status).toBe(201);
  await to(clock, "2026-11-24T10:01:00Z");
  await waitFor(() => updates().length === 2, { what: "carl put in the group", timeoutMs: 30_000 });
  expect(updates()[1]!.args.users).toBe("U0CARL3");
  await to(clock, "2026-11-24T12:01:00Z");
  await waitFor(() => updates().length === 3, { what: "bo back in the group", timeoutMs: 30_000 });
  expect(updates()[2]!.args.users).toBe("U0BO22");
}, 90_000);

test("a member added by hand in Slack is taken out at the next check; a restart with nothing changed asks Slack nothing", async () => {
  slack = workspace();
  const clock = createManualClock(Date.parse("2026-11-24T09:00:00Z"));
  await start(clock);
  await waitFor(() => updates().length === 1, { what: "bo put in the group at start", timeoutMs: 30_000 });
  slack.groups.set(GROUP, ["U0BO22", "U0CARL3"]);
  await to(clock, "2026-11-24T09:11:00Z");
  await waitFor(() => updates().length === 2, { what: "the drift repaired", timeoutMs: 30_000 });
  expect(slack.groups.get(GROUP)).toEqual(["U0BO22"]);

  await running!.app.stop();
  running = undefined;
  const before = slack.calls.length;
  await to(clock, "2026-11-24T09:13:00Z");
  await start(clock);
  await to(clock, "2026-11-24T09:15:00Z");
  expect(slack.calls.length).toBe(before);
}, 90_000);

test("Slack's HTTP 429 is honoured: the update is tried again after Retry-After, not before", async () => {
  slack = workspace();
  slack.rateLimit("usergroups.users.update", 30);
  const clock = createManualClock(Date.parse("2026-11-23T07:59:00Z"));
  await start(clock);
  await to(clock, "2026-11-23T08:00:00Z");
  await waitFor(() => slack!.refused.includes("usergroups.users.update: HTTP 429"), { what: "the 429", timeoutMs: 30_000 });
  await to(clock, "2026-11-23T08:00:29Z");
  expect(updates()).toHaveLength(0);
  await to(clock, "2026-11-23T08:00:30Z");
  await waitFor(() => updates().length === 1, { what: "the update after Retry-After", timeoutMs: 30_000 });
  expect(updates()[0]!.args.users).toBe("U0BO22");
}, 90_000);

test("a refused token is logged and shown by GET /v4/oncall with what to do, and the token never is", async () => {
  slack = workspace();
  const lines: string[] = [];
  const clock = createManualClock(Date.parse("2026-11-24T09:00:00Z"));
  await start(clock, { token: "xoxb-revoked-secret", lines });
  const said = () => lines.map((l) => JSON.parse(l) as { msg: string; problem?: string; fix?: string }).find((l) => l.msg.includes("Slack user group"));
  await waitFor(() => said() !== undefined, { what: "the error in the log", timeoutMs: 30_000 });
  // bo is looked up by his mail address first: the first call Slack refuses.
  expect(said()!.problem).toBe("Slack users.lookupByEmail answered invalid_auth");
  expect(said()!.fix).toContain("Bot User OAuth Token (xoxb-…)");
  expect(lines.join("\n")).not.toContain("xoxb-revoked-secret");
  expect(updates()).toHaveLength(0);
  // GET /v4/oncall (the dashboard's rota, the assistant) says it too.
  const duty = (await (await running!.request("/v4/oncall")).json()) as { schedules: Array<{ slackUserGroup?: unknown }> };
  expect(duty.schedules[0]!.slackUserGroup).toEqual({ id: GROUP, problem: "Slack users.lookupByEmail answered invalid_auth", fix: said()!.fix });
}, 90_000);

test("a bot without usergroups:write is told it needs that scope", async () => {
  slack = workspace(["usergroups:read", "users:read.email"]);
  const lines: string[] = [];
  const clock = createManualClock(Date.parse("2026-11-24T09:00:00Z"));
  await start(clock, { lines });
  const said = () => lines.map((l) => JSON.parse(l) as { msg: string; fix?: string }).find((l) => l.fix !== undefined);
  await waitFor(() => said() !== undefined, { what: "the error in the log", timeoutMs: 30_000 });
  expect(said()!.fix).toContain("The bot needs the usergroups:write scope");
}, 90_000);
