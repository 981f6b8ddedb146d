// Issue 106: `steward doctor` reads each schedule's Slack user group with its bot token and says what to do when Slack
// refuses: a revoked token, a group that is not there, a bot without usergroups:write (Slack lists the token's scopes
// in X-OAuth-Scopes). Against the local Slack Web API (slack-web-api-receiver.ts).
import { afterEach, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { doctorProbes } from "../../../../src/show/doctor/from-config";
import { type SlackWebApiReceiver, startSlackWebApiReceiver } from "../../../helpers/slack-web-api-receiver";

let slack: SlackWebApiReceiver | undefined;
afterEach(async () => {
  await slack?.stop();
  slack = undefined;
});

async function line(o: { scopes?: string[]; token?: string; group?: string }) {
  slack = startSlackWebApiReceiver({
    token: "xoxb-good",
    ...(o.scopes ? { scopes: o.scopes } : {}),
    members: { "anna@corp.example": "U0ANNA1" },
    groups: { S0ONCALL1: ["U0ANNA1"] },
  });
  const yaml = `udp: { enabled: false }
oncall:
  primary:
    people: [anna@corp.example, bo@corp.example]
    firstWeek: "2026-11-02"
    slackUserGroup: { id: ${o.group ?? "S0ONCALL1"}, token: ${o.token ?? "xoxb-good"}, baseUrl: "${slack.url}" }
`;
  const { probes, close } = doctorProbes(parseConfigText(yaml, "doctor.yaml", "/").config, "/", createSilentLogger());
  try {
    const p = probes.find((p) => p.check === "oncall primary slack user group");
    return { check: p?.check, ...(await p!.run()) };
  } finally {
    close();
  }
}

test("a token that reads the group and holds every scope passes, listing the members", async () => {
  expect(await line({})).toEqual({
    check: "oncall primary slack user group",
    ok: true,
    detail: "S0ONCALL1 is read with the bot token (members: U0ANNA1); the token may change it",
  });
});

test("a refused token fails with where to copy the right one from", async () => {
  const r = await line({ token: "xoxb-revoked" });
  expect(r.ok).toBe(false);
  expect(r.detail).toBe("S0ONCALL1: Slack usergroups.users.list answered invalid_auth");
  expect(r.fix).toContain("copy the Bot User OAuth Token (xoxb-…) from the Slack app's OAuth & Permissions page");
});

test("a bot without usergroups:write fails: it needs that scope", async () => {
  const r = await line({ scopes: ["usergroups:read", "users:read.email"] });
  expect(r.ok).toBe(false);
  expect(r.fix).toStartWith("The bot needs the usergroups:write scope: add it under the Slack app's OAuth & Permissions");
});

test("a group the workspace does not have fails with how to find its id", async () => {
  const r = await line({ group: "S0NOTHERE" });
  expect(r).toMatchObject({ ok: false, detail: "S0NOTHERE: Slack usergroups.users.list answered no_such_subteam" });
  expect(r.fix).toContain("Copy group ID");
});
