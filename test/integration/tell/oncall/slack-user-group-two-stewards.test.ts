// Issue 106: two Stewards of one store (each with its own clock at the same instant, as two Qlik nodes sharing one
// PostgreSQL) both look each minute across Monday's 08:00 UTC handover; the look is claimed in the store, so Slack's
// user group is updated once, not twice, and the second Steward asks Slack nothing about a change the first saw to.
// On both back ends (SQLite file, PostgreSQL), against the local Slack Web API.
import { afterAll, describe, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { OnCallSchema } from "../../../../src/tell/oncall/config";
import { onCallMigrations } from "../../../../src/tell/oncall/migrations";
import { createSlackGroupStore } from "../../../../src/tell/oncall/slack-group-store";
import { createSlackGroupSync } from "../../../../src/tell/oncall/slack-group-sync";
import { startSlackWebApiReceiver } from "../../../helpers/slack-web-api-receiver";
import { bothBackends } from "../../../helpers/sql-backends";

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

const TOKEN = "xoxb-two-stewards";

function steward(db: SqlDb, name: string, baseUrl: string) {
  const clock = createManualClock(Date.parse("2026-11-23T07:55:00Z")); // Monday 08:55 in Stockholm, anna's last minutes
  const oncall = OnCallSchema.parse({
    people: { "anna@corp.example": { slack: "U0ANNA1" }, "bo@corp.example": { slack: "U0BO22" } },
    primary: {
      timeZone: "Europe/Stockholm",
      people: ["anna@corp.example", "bo@corp.example"],
      firstWeek: "2026-11-02",
      slackUserGroup: { id: "S0ONCALL1", token: TOKEN, baseUrl },
    },
  });
  const sync = createSlackGroupSync({ oncall: () => oncall, store: createSlackGroupStore(db), clock, log: createSilentLogger(), instanceId: name });
  return { clock, sync };
}

for (const backend of backends) {
  describe(`the Slack user group on ${backend.name}`, () => {
    test("two Stewards of one store update it once at the handover", async () => {
      const slack = startSlackWebApiReceiver({
        token: TOKEN,
        members: { "anna@corp.example": "U0ANNA1", "bo@corp.example": "U0BO22" },
        groups: { S0ONCALL1: ["U0ANNA1"] },
      });
      const db = await backend.open([onCallMigrations]);
      const a = steward(db, "node-a", slack.url);
      const b = steward(db, "node-b", slack.url);
      try {
        a.sync.start();
        b.sync.start();
        await Promise.all([a.sync.look(), b.sync.look()]);
        // At start only one of them reads the group (anna is in it already).
        expect(slack.calls.map((c) => c.method)).toEqual(["usergroups.users.list"]);
        for (let minute = 0; minute < 10; minute++) await Promise.all([a.clock.advance(60_000), b.clock.advance(60_000)]);
        await Promise.all([a.sync.look(), b.sync.look()]);
        const updates = slack.calls.filter((c) => c.method === "usergroups.users.update");
        expect(updates.map((c) => c.args)).toEqual([{ usergroup: "S0ONCALL1", users: "U0BO22" }]);
        expect(slack.calls.filter((c) => c.method === "usergroups.users.list")).toHaveLength(2);
        expect(slack.groups.get("S0ONCALL1")).toEqual(["U0BO22"]);
      } finally {
        await a.sync.stop();
        await b.sync.stop();
        await slack.stop();
      }
    }, 120_000);
  });
}
