// Issue 106: the hand-off notice where the rota reaches people in Slack and Teams. The schedule's route posts to a
// Slack and a Teams channel (local HTTP receivers) and mails nobody: a quarter of an hour before Monday's 09:00
// handover, each channel gets the notice once, beginning with a mention of bo by the ids oncall.people gives him
// (Slack's <@member id>; Teams' msteams.entities mention), on the real app and a manual clock.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type RotaSite, startRotaSite } from "../../../helpers/rota-site";
import { waitFor } from "../../../helpers/wait-for";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";

let rx: HttpReceiver;
let site: RotaSite;

beforeAll(async () => {
  rx = startHttpReceiver();
  site = await startRotaSite(
    `channels:
  slack: { type: slack, webhookUrl: "${rx.url}/slack" }
  teams: { type: teams, webhookUrl: "${rx.url}/teams" }
routes:
  - { on: [task.failed], to: [slack, teams], recipients: { onCall: primary } }
`,
    `    bo@corp.example: { name: Bo Ek, slack: U0BO22, teams: 6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b }
`,
  );
});

afterAll(async () => {
  await site?.stop();
  await rx?.stop();
});

const notices = (path: string) => rx.requests.filter((r) => r.path === path && r.body.includes("On duty from Mon 23 Nov 09:00"));

test("bo's hand-off notice is posted to the schedule's Slack and Teams channels once, mentioning him", async () => {
  await site.clock.advance(Date.parse("2026-11-23T07:44:00Z") - site.clock.now()); // 08:44 in Stockholm
  expect(notices("/slack")).toHaveLength(0);
  await site.clock.advance(Date.parse("2026-11-23T07:46:00Z") - site.clock.now()); // within the quarter hour
  await waitFor(() => notices("/slack").length === 1 && notices("/teams").length === 1, { what: "the notice in Slack and Teams", timeoutMs: 30_000 });

  const slack = JSON.parse(notices("/slack")[0]!.body) as { text: string; blocks: Array<{ type: string; text?: { type: string; text: string } }> };
  expect(slack.text).toBe("On duty: <@U0BO22> · On duty from Mon 23 Nov 09:00 (primary): anna@corp.example hands over to you");
  expect(slack.blocks[0]).toEqual({ type: "section", text: { type: "mrkdwn", text: "On duty: <@U0BO22>" } });
  expect(slack.blocks.map((b) => b.text?.text ?? "").join("\n")).toContain("You are on duty (primary) from Mon 23 Nov 09:00 (Europe/Stockholm)");

  const teams = JSON.parse(notices("/teams")[0]!.body) as {
    attachments: Array<{
      content: { body: Array<{ text: string }>; msteams: { entities: Array<{ type: string; text: string; mentioned: { id: string; name: string } }> } };
    }>;
  };
  const card = teams.attachments[0]!.content;
  expect(card.body[0]!.text).toBe("On duty: <at>Bo Ek</at>");
  expect(card.msteams.entities).toEqual([
    { type: "mention", text: "<at>Bo Ek</at>", mentioned: { id: "6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b", name: "Bo Ek" } },
  ]);
  expect(card.body.map((b) => b.text).join("\n")).toContain("anna@corp.example hands over to you");

  // Once: later looks and the handover itself post nothing more.
  await site.clock.advance(Date.parse("2026-11-23T08:30:00Z") - site.clock.now());
  expect([notices("/slack").length, notices("/teams").length]).toEqual([1, 1]);
}, 90_000);
