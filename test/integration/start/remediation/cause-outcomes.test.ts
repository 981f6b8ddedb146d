// An action's outcome reaches the channels that carried the page it was taken from, also when the task's own
// messages are symptoms of a cause: two loads fail on one data source (one cause, paged on Teams, mail and a webhook;
// the second load comes as the cause's update). A person presses Retry (the real link, confirmed with a POST) on the
// first load's page (Teams) and on the second's update (mail): the first heals, the second fails again. Each run's
// message, a symptom held before, goes where the cause's page went carrying the action's line (the failed one saying
// it failed, with the run's error), once per channel; the closing message does not repeat them. Before, of the two
// outcomes, the healed one reached no channel and the failed one only the closing message.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import { waitFor } from "../../../helpers/wait-for";
import type { Harness } from "../../hear/intake/harness";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver } from "../../tell/notify/receivers";

const IDS = {
  crm: "7e3c0000-0000-4000-8000-000000000001",
  erp: "7e3c0000-0000-4000-8000-000000000002",
};
const CONNECTION = "Cannot connect to the data source crm-db.corp.example:1433: connection refused";
const SITE = `
site: { name: Told outcomes site }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson, email: anna@corp.example }
apps:
  - { name: CRM, owner: CORP\\anna }
  - { name: ERP, owner: CORP\\anna }
tasks:
  - { id: ${IDS.crm}, name: Reload CRM, type: reload, app: CRM, maxRetries: 0, scriptError: "${CONNECTION}" }
  - { id: ${IDS.erp}, name: Reload ERP, type: reload, app: ERP, maxRetries: 0, outcome: fail, scriptError: "${CONNECTION}" }
`;
const BASE = "https://steward.corp.example:8443";
const MAIL_LINK = /https:\/\/steward\.corp\.example:8443(\/act\/(?:incident|cause)\/\d+\?[^\s"<>]+)/g;
const HEALED = "Retried by Per Olsson (channel:teams) (from the alert's link) at ";
const FAILED = "Retried by anna@corp.example (from the alert's link) at ";

let smtp: SmtpReceiver;
let rx: HttpReceiver;
let pd: OnCallReceiver<PagerDutyEvent>;
let h: Harness;
let m: MailedHarness | undefined;

const fail = async (taskId: string) => (await h.eventFor(await h.runWhenIdle(taskId, "fail"), 15_000)) as TaskEvent;
const teamsCards = () => rx.requests.filter((r) => r.path === "/teams").map((r) => r.body);
/** A Teams card's text blocks as a person reads them (the card's markdown escapes taken off). */
const cardText = (body: string): string =>
  (JSON.parse(body).attachments[0].content.body as Array<{ type: string; text?: string }>)
    .filter((b) => b.type === "TextBlock")
    .map((b) => b.text!.replace(/\\(.)/g, "$1"))
    .join("\n");
const teamsPosts = () => teamsCards().map(cardText);
const mailTexts = () => smtp.mails.map((x) => x.mail.text ?? "");
/** The webhook's JSON bodies' remediationLines, one text per body. */
const hookLines = () =>
  rx.requests.filter((r) => r.path === "/hook").map((r) => ((JSON.parse(r.body) as { remediationLines?: string[] }).remediationLines ?? []).join("\n"));
const confirm = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});
const actionsOf = async (id: number) =>
  ((await (await h.t.request(`/v4/incidents/${id}/actions`)).json()) as { actions: Array<{ status: string; outcome: string | null }> }).actions;
/** Teams' Action.OpenUrl buttons of a card: [title, url]. */
function teamsButtons(body: string): Array<[string, string]> {
  const card = (JSON.parse(body).attachments as Array<{ content: { actions: Array<{ type: string; title: string; url: string }> } }>)[0]!.content;
  return card.actions.filter((a) => a.type === "Action.OpenUrl").map((a) => [a.title, a.url]);
}
const count = (texts: string[], line: string) => texts.filter((t) => t.includes(line)).length;

beforeAll(async () => {
  rx = startHttpReceiver();
  pd = startPagerDutyReceiver();
  m = await startMailedHarness("steward-told-outcomes-", {
    site: SITE,
    to: ["anna@corp.example"],
    extraYaml: (mail) => `
channels:
${mail}
  teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  hook: { type: webhook, url: "${rx.url}/hook" }
  pd: { type: pagerduty, routingKey: "A0123456789abcdef0123456789abcde", url: "${pd.url}/v2/enqueue" }
routes:
  - { on: [task.failed, task.recovered], to: [mail, teams, hook, pd], renotify: every }
grouping: { updates: { every: 1s } }
actionLinks: { publicBaseUrl: "${BASE}" }
remediation: { pollInterval: 1s }
`,
  });
  ({ h, smtp } = m);
}, 60_000);
afterAll(async () => {
  await m?.close();
  await rx?.stop();
  await pd?.stop();
});

test("each retry's outcome reaches Teams, mail and the webhook where the cause's page went, the failed one saying so, once per channel", {
  timeout: 120_000,
}, async () => {
  const crm = await fail(IDS.crm);
  expect(crm.errorClass).toBe("connection");
  const page = await waitFor(() => teamsCards().find((b) => b.includes("Reload CRM")), { what: "the cause's page on Teams", timeoutMs: 15_000 });
  const pagedAt = Date.now();
  await waitFor(() => mailTexts().find((t) => t.includes("Reload CRM")), { what: "the cause's page by mail", timeoutMs: 15_000 });
  const crmRetry = teamsButtons(page)
    .find(([t]) => t === "Retry the task")![1]
    .slice(BASE.length);
  expect(crmRetry.startsWith(`/act/incident/${crm.incident!.id}?`)).toBe(true);

  // The second load on the same source is the cause's update (grouping.updates.every: 1s since the page).
  await waitFor(() => Date.now() - pagedAt > 1_100, { what: "the update's interval to pass" });
  const erp = await fail(IDS.erp);
  expect(erp.incident!.id).not.toBe(crm.incident!.id);
  const update = await waitFor(() => smtp.mails.find((x) => /Update: cause #/.test(x.mail.text ?? "") && (x.mail.text ?? "").includes("Reload ERP")), {
    what: "the cause's update by mail",
    timeoutMs: 15_000,
  });
  const erpRetry = [...(update.mail.text ?? "").matchAll(MAIL_LINK)].map((x) => x[1]!).find((l) => new URLSearchParams(l.split("?")[1]).get("a") === "retry")!;
  expect(erpRetry.startsWith(`/act/incident/${erp.incident!.id}?`)).toBe(true);

  // Reload CRM's retry heals: its recovery, a symptom of the cause, goes where the cause's page went, telling it.
  const texts = () => ({ teams: teamsPosts(), mail: mailTexts(), hook: hookLines() });
  const onEach = (line: string) => Object.values(texts()).every((t) => t.some((x) => x.includes(line)));
  expect((await h.t.request(crmRetry, confirm({ retry: "0", name: "Per Olsson" }))).status).toBe(200);
  await waitFor(async () => (await actionsOf(crm.incident!.id))[0]?.outcome === "succeeded", { what: "the CRM retry to heal", timeoutMs: 30_000 });
  await waitFor(() => onEach(HEALED), { what: "the healed retry told on Teams, mail and the webhook", timeoutMs: 15_000 });
  const healed = teamsPosts().find((t) => t.includes(HEALED))!;
  expect(healed).toContain("Reload task recovered: Reload CRM");
  expect(healed).toContain("Open: cause #");
  expect(healed).toContain("the retry succeeded.");

  // Reload ERP's retry fails again: its failure is told there too, saying the retry failed.
  expect((await h.t.request(erpRetry, confirm({ retry: "0" }))).status).toBe(200);
  await waitFor(async () => (await actionsOf(erp.incident!.id))[0]?.outcome === "failed", { what: "the ERP retry to fail", timeoutMs: 30_000 });
  await waitFor(() => onEach(FAILED), { what: "the failed retry told on Teams, mail and the webhook", timeoutMs: 15_000 });
  const failed = mailTexts().find((t) => t.includes(FAILED))!;
  expect(failed).toContain("the retry failed.");
  expect(failed).toContain("connection refused");

  // PagerDuty keeps the cause's alert: no symptom's recovery resolved it while the cause was open.
  expect(pd.accepted.filter((r) => r.body.event_action === "resolve")).toEqual([]);

  // The source is back: Reload ERP's next run succeeds and closes the cause; the closing message does not repeat them.
  await h.eventFor(await h.runWhenIdle(IDS.erp, "succeed"), 15_000);
  await waitFor(() => teamsPosts().some((b) => b.includes("Recovered: cause #")), { what: "the cause's closing card", timeoutMs: 15_000 });
  await waitFor(() => mailTexts().some((t) => t.includes("Recovered: cause #")), { what: "the cause's closing mail", timeoutMs: 15_000 });
  await waitFor(() => hookLines().length === 5, { what: "the webhook's closing body", timeoutMs: 15_000 });
  for (const [channel, sent] of Object.entries(texts())) {
    expect([channel, sent.length, count(sent, HEALED), count(sent, FAILED)]).toEqual([channel, 5, 1, 1]);
  }
  expect(teamsPosts()[4]).not.toContain("Retried by");
  await waitFor(() => pd.accepted.some((r) => r.body.event_action === "resolve"), { what: "PagerDuty's resolve at the cause's end", timeoutMs: 15_000 });
  expect(pd.rejected).toEqual([]);
});
