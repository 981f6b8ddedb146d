// Issue 88: a Slack or Teams route with recipients.onCall mentions whoever is on duty. The real notifier on a manual
// clock posts to local HTTP receivers, and the bodies they got are read: before Monday's 09:00 handover Slack's post
// mentions anna by her member id (<@U0ANNA1>) and Teams' card mentions her by her user principal name (an
// msteams.entities mention with <at>Anna Berg</at> in a TextBlock); after it, bo. carl, who covers a day and has no
// ids in oncall.people, is named in plain text and pinged by neither. A route without recipients.onCall mentions
// nobody.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestApp } from "../../../helpers/app";
import { type RotaSite, startRotaSite } from "../../../helpers/rota-site";
import { waitFor } from "../../../helpers/wait-for";
import { type HttpReceiver, startHttpReceiver } from "../notify/receivers";

let rx: HttpReceiver;
let site: RotaSite;

interface TeamsCard {
  body: Array<{ type: string; text?: string; wrap?: boolean }>;
  msteams?: { entities?: Array<{ type: string; text: string; mentioned: { id: string; name: string } }> };
}
interface SlackPost {
  text?: string;
  blocks?: Array<{ type: string; text?: { type: string; text: string } }>;
}

beforeAll(async () => {
  rx = startHttpReceiver();
  site = await startRotaSite(
    `channels:
  slack: { type: slack, webhookUrl: "${rx.url}/slack" }
  teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  plain: { type: slack, webhookUrl: "${rx.url}/plain" }
routes:
  - { on: [task.failed], to: [slack, teams], recipients: { onCall: primary } }
  - { on: [task.failed], to: [plain] }
`,
    `    anna@corp.example: { name: Anna Berg, slack: U0ANNA1, teams: anna.berg@corp.example }
    bo@corp.example: { name: Bo Ek, slack: U0BO22, teams: 6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b }
`,
  );
});

afterAll(async () => {
  await site?.stop();
  await rx?.stop();
});

/** The posts about `taskName` each receiver got (one each). */
async function postsAbout(taskName: string) {
  const about = (path: string) => rx.requests.filter((r) => r.path === path && r.body.includes(taskName));
  await waitFor(() => ["/slack", "/teams", "/plain"].every((p) => about(p).length === 1), { what: `the posts about ${taskName}`, timeoutMs: 30_000 });
  const teams = JSON.parse(about("/teams")[0]!.body) as { attachments: Array<{ content: TeamsCard }> };
  return {
    slack: JSON.parse(about("/slack")[0]!.body) as SlackPost,
    card: teams.attachments[0]!.content,
    plain: JSON.parse(about("/plain")[0]!.body) as SlackPost,
  };
}

test("Slack and Teams mention the week's person, the next one after the handover, and name the override's", async () => {
  await site.failAt("2026-11-23T07:50:00Z", "Sales load"); // Monday 08:50: anna's week
  let p = await postsAbout("Sales load");
  expect(p.slack.text).toStartWith("On duty: <@U0ANNA1>");
  expect(p.slack.blocks?.[0]).toEqual({ type: "section", text: { type: "mrkdwn", text: "On duty: <@U0ANNA1>" } });
  expect(p.card.body[0]).toEqual({ type: "TextBlock", text: "On duty: <at>Anna Berg</at>", wrap: true });
  expect(p.card.msteams?.entities).toEqual([{ type: "mention", text: "<at>Anna Berg</at>", mentioned: { id: "anna.berg@corp.example", name: "Anna Berg" } }]);
  // The route without recipients.onCall mentions nobody.
  expect(JSON.stringify(p.plain)).not.toContain("On duty");

  await site.failAt("2026-11-23T08:10:00Z", "Stock load"); // Monday 09:10: bo's week
  p = await postsAbout("Stock load");
  expect(p.slack.blocks?.[0]?.text?.text).toBe("On duty: <@U0BO22>");
  expect(p.card.body[0]?.text).toBe("On duty: <at>Bo Ek</at>");
  expect(p.card.msteams?.entities).toEqual([
    { type: "mention", text: "<at>Bo Ek</at>", mentioned: { id: "6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b", name: "Bo Ek" } },
  ]);

  await site.failAt("2026-11-25T02:00:00Z", "Budget load"); // Wednesday: carl covers, with no chat ids
  p = await postsAbout("Budget load");
  expect(p.slack.blocks?.[0]?.text?.text).toBe("On duty: carl@corp.example");
  expect(p.card.body[0]?.text).toBe("On duty: carl@corp.example");
  expect(p.card.msteams?.entities ?? []).toEqual([]);

  // The preview shows the post as it would go now (Thursday: bo again, the override over).
  await site.clock.advance(Date.parse("2026-11-26T02:00:00Z") - site.clock.now());
  const res = await site.t.request("/v4/alerts/preview", { method: "POST", body: JSON.stringify({ kind: "task.failed", taskName: "Preview load" }) });
  expect(res.status).toBe(200);
  const preview = (await res.json()) as { deliveries: Array<{ channel: string; rendered?: { body?: SlackPost } }> };
  expect(preview.deliveries.find((d) => d.channel === "slack")?.rendered?.body?.blocks?.[0]?.text?.text).toBe("On duty: <@U0BO22>");
}, 90_000);

test("oncall.people is validated: a Slack member id, a Teams UPN or object id, keys that are mail addresses", () => {
  const withPeople = (people: string) =>
    createTestApp(`oncall:
  people:
${people}
  primary: { people: [anna@corp.example], firstWeek: "2026-11-02" }
`);
  expect(() => withPeople("    anna@corp.example: { slack: anna }")).toThrow(/oncall\.people\.anna@corp\.example\.slack.*Slack member id/s);
  expect(() => withPeople("    anna@corp.example: { teams: not-an-id }")).toThrow(
    /oncall\.people\.anna@corp\.example\.teams: a user principal name .* or a Microsoft Entra object id/s,
  );
  expect(() => withPeople("    anna: { slack: U0ANNA1 }")).toThrow(/oncall\.people\.anna: a person is named by the mail address/);
});
