// Issue 106: an override's notices reach the people it moves where the rota reaches them in Slack and Teams, not by
// mail alone. The schedule's route posts to a Slack and a Teams channel (local HTTP receivers) and mails nobody: an
// override made over REST posts carl's notice and bo's to each channel once, each mentioning its own person by the ids
// oncall.people gives them; cancelling it posts the two cancellation notices, on the real app and a manual clock.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type RotaSite, startRotaSite } from "../../../helpers/rota-site";
import { waitFor } from "../../../helpers/wait-for";
import { type HttpReceiver, startHttpReceiver } from "../notify/receivers";

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
    carl@corp.example: { name: Carl Dahl, slack: U0CARL3 }
`,
  );
});

afterAll(async () => {
  await site?.stop();
  await rx?.stop();
});

const post = (body: unknown) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
type SlackPost = { text: string; blocks: Array<{ text?: { text: string } }> };
type TeamsPost = {
  attachments: Array<{ content: { body: Array<{ text: string }>; msteams?: { entities: Array<{ text: string; mentioned: { id: string } }> } } }>;
};
const slackPosts = (about: string) => rx.requests.filter((r) => r.path === "/slack" && r.body.includes(about)).map((r) => JSON.parse(r.body) as SlackPost);
const teamsPosts = (about: string) => rx.requests.filter((r) => r.path === "/teams" && r.body.includes(about)).map((r) => JSON.parse(r.body) as TeamsPost);

test("an override made and cancelled is posted to the rota's Slack and Teams channels, each notice mentioning its person", async () => {
  // Bo's week (from Monday 23 Nov 09:00); carl takes his Thursday.
  const made = await site.t.request(
    "/v4/oncall/overrides",
    post({ schedule: "primary", person: "carl@corp.example", from: "2026-11-26T00:00:00+01:00", until: "2026-11-27T00:00:00+01:00" }),
  );
  expect(made.status).toBe(201);
  const { id } = (await made.json()) as { id: number };
  await waitFor(
    () =>
      slackPosts("covers your duty").length + slackPosts("You are on duty").length >= 2 &&
      teamsPosts("covers your duty").length + teamsPosts("You are on duty").length >= 2,
    {
      what: "the override's notices in Slack and Teams",
      timeoutMs: 30_000,
    },
  );

  const [toCarl] = slackPosts("You are on duty (primary)");
  const [toBo] = slackPosts("carl@corp.example covers your duty");
  expect(toCarl!.text).toBe("For: <@U0CARL3> · You are on duty (primary) from Thu 26 Nov 00:00 until Fri 27 Nov 00:00 (Europe/Stockholm)");
  expect(toBo!.text).toBe("For: <@U0BO22> · carl@corp.example covers your duty (primary) from Thu 26 Nov 00:00 until Fri 27 Nov 00:00 (Europe/Stockholm)");
  expect(toCarl!.blocks.map((b) => b.text?.text ?? "").join("\n")).toContain("in place of bo@corp.example");

  // Teams: bo is mentioned by his Entra id; carl has none for Teams, so he is named in plain text.
  const boCard = teamsPosts("carl@corp.example covers your duty")[0]!.attachments[0]!.content;
  expect(boCard.body[0]!.text).toBe("For: <at>Bo Ek</at>");
  expect(boCard.msteams!.entities.map((e) => e.mentioned.id)).toEqual(["6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b"]);
  const carlCard = teamsPosts("You are on duty (primary)")[0]!.attachments[0]!.content;
  expect(carlCard.body[0]!.text).toBe("For: Carl Dahl");
  expect(carlCard.msteams).toBeUndefined();

  const cancelled = await site.t.request(`/v4/oncall/overrides/${id}`, { method: "DELETE" });
  expect(cancelled.status).toBe(200);
  await waitFor(() => slackPosts("Override cancelled").length >= 2 && teamsPosts("Override cancelled").length >= 2, {
    what: "the cancellation notices",
    timeoutMs: 30_000,
  });
  expect(slackPosts("you are on duty again")[0]!.text.startsWith("For: <@U0BO22> · Override cancelled: you are on duty again (primary)")).toBe(true);

  // Each notice once on each channel: later looks post nothing more.
  await site.clock.advance(5 * 60_000);
  expect(slackPosts("(primary) from Thu 26 Nov").length).toBe(4);
  expect(teamsPosts("(primary) from Thu 26 Nov").length).toBe(4);
}, 90_000);
