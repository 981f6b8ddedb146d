// The two incident actions besides the retry, end to end against the simulator (its QRS, Scheduler and Engine):
// "Reload the app" reloads the failed task's app through the Engine as the task would (a partial reload here), the
// app's last reload time moves in the simulator's QRS, and the incident's next message says what the Engine answered;
// "Restart the chain" starts a task of the incident's three-deep chain and the simulator's triggers run the rest. Both
// are offered as signed links in the real outgoing bodies of mail, Slack (Block Kit url buttons), Teams (Adaptive Card
// Action.OpenUrl) and PagerDuty (Events API v2 links, checked by the PagerDuty stand-in); pressing one (GET, then the
// confirming POST) acts. Over REST a read key cannot act, a task outside the chain is refused naming the field.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import type { PagerDutyEvent } from "../../../helpers/pagerduty-receiver";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import { waitFor } from "../../../helpers/wait-for";
import type { Harness } from "../../hear/intake/harness";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver } from "../../tell/notify/receivers";

const IDS = {
  crm: "7e3b0000-0000-4000-8000-000000000001",
  crmApp: "7e3b0000-0000-4000-8000-0000000000a1",
  extract: "7e3b0000-0000-4000-8000-000000000011",
  transform: "7e3b0000-0000-4000-8000-000000000012",
  load: "7e3b0000-0000-4000-8000-000000000013",
};
const CONNECTION = "Cannot connect to the data source crm-db.corp.example:1433: connection refused";
const after = (up: string) => `[{ type: composite, name: After ${up}, rules: [{ task: ${up}, state: success }] }]`;
const SITE = `
site: { name: Remediation actions site }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson, email: anna@corp.example }
apps:
  - { id: ${IDS.crmApp}, name: CRM, owner: CORP\\anna, lastReloadTime: "2026-01-01T00:00:00.000Z" }
  - { name: Orders extract, owner: CORP\\anna }
  - { name: Orders model, owner: CORP\\anna }
  - { name: Orders dashboard, owner: CORP\\anna }
tasks:
  - { id: ${IDS.crm}, name: Reload CRM, type: reload, app: CRM, partial: true, maxRetries: 0, scriptError: "${CONNECTION}" }
  - { id: ${IDS.extract}, name: Extract orders, type: reload, app: Orders extract, maxRetries: 0 }
  - { id: ${IDS.transform}, name: Transform orders, type: reload, app: Orders model, maxRetries: 0, scriptError: "Field 'OrderKey' not found", triggers: ${after("Extract orders")} }
  - { id: ${IDS.load}, name: Load orders, type: reload, app: Orders dashboard, maxRetries: 0, triggers: ${after("Transform orders")} }
`;
const BASE = "https://steward.corp.example:8443";
const ROUTING_KEY = "A0123456789abcdef0123456789abcde";
const KEYS = { ops: generateApiKey(), reader: generateApiKey(), admin: generateApiKey() };

let smtp: SmtpReceiver;
let rx: HttpReceiver;
let pd: OnCallReceiver<PagerDutyEvent>;
let h: Harness;
let m: MailedHarness | undefined;
const as = (key: string, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), "x-api-key": key } });
const json = async <T>(path: string) => (await (await h.t.request(path, as(KEYS.admin))).json()) as T;
const postJson = (path: string, key: string, body: unknown) =>
  h.t.request(path, as(key, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));
const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});
/** The path and query of a signed link (the tests reach Steward on its own address, not the public one). */
const local = (url: string) => url.slice(BASE.length);
const actionOf = (url: string) => new URLSearchParams(url.split("?")[1]).get("a");
const fail = async (taskId: string) => (await h.eventFor(await h.runWhenIdle(taskId, "fail"), 15_000)) as TaskEvent;
const mailsAbout = (taskName: string) => smtp.mails.filter((m) => (m.mail.subject ?? "").includes(taskName));
const bodiesTo = (path: string, taskName: string) =>
  rx.requests.filter((r) => r.path === path && r.body.includes(taskName)).map((r) => JSON.parse(r.body) as Record<string, unknown>);
const actions = async (id: number) =>
  (
    await json<{
      actions: Array<{
        id: number;
        kind: string;
        status: string;
        outcome: string | null;
        qlikAnswer: string | null;
        executionId: string | null;
        taskId: string;
        requestedBy: string;
      }>;
    }>(`/v4/incidents/${id}/actions`)
  ).actions;
const audit = async (action: string) => {
  await h.t.app.audit.flush();
  return (
    await json<{ entries: Array<{ actor: { kind: string; name: string }; result: string; target: string; details: Record<string, unknown> }> }>(
      `/v4/audit?action=${action}&limit=50`,
    )
  ).entries;
};

/** Slack's url buttons: [text, url] of each actions block element. */
function slackButtons(body: Record<string, unknown>): Array<[string, string]> {
  const blocks = body.blocks as Array<{ type: string; elements?: Array<{ type: string; text: { text: string }; url: string }> }>;
  return blocks.filter((b) => b.type === "actions").flatMap((b) => b.elements!.map((e) => [e.text.text, e.url] as [string, string]));
}
/** Teams' Action.OpenUrl: [title, url]. */
function teamsButtons(body: Record<string, unknown>): Array<[string, string]> {
  const card = (body.attachments as Array<{ content: { actions: Array<{ type: string; title: string; url: string }> } }>)[0]!.content;
  return card.actions.filter((a) => a.type === "Action.OpenUrl").map((a) => [a.title, a.url]);
}

beforeAll(async () => {
  rx = startHttpReceiver();
  pd = startPagerDutyReceiver();
  m = await startMailedHarness("steward-remedy-actions-", {
    site: SITE,
    engine: true,
    schedules: true,
    to: ["anna@corp.example"],
    extraYaml: (mail) => `
channels:
${mail}
  chat: { type: slack, webhookUrl: "${rx.url}/slack" }
  teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue" }
routes:
  - { on: [task.failed, task.recovered], to: [mail, chat, teams, pd], renotify: every }
actionLinks: { publicBaseUrl: "${BASE}" }
remediation: { pollInterval: 1s, links: [retry, reload, chain] }
watchdog: { interval: 2s }
security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(KEYS.admin)}", scopes: [admin] }
    - { name: key-ops, hash: "${hashApiKey(KEYS.ops)}", scopes: [tasks] }
    - { name: key-read, hash: "${hashApiKey(KEYS.reader)}", scopes: [read] }
`,
  });
  ({ h, smtp } = m);
}, 60_000);
afterAll(async () => {
  await m?.close();
  await rx?.stop();
  await pd?.stop();
});

describe("reload the app through the Engine", () => {
  let incidentId = 0;
  let pdReload = "";

  test("the failure's mail, Slack, Teams and PagerDuty bodies carry the signed Reload link; no chain link outside a chain", { timeout: 60_000 }, async () => {
    const e = await fail(IDS.crm);
    incidentId = e.incident!.id;
    const mail = await waitFor(() => mailsAbout("Reload CRM")[0], { what: "the failure's mail", timeoutMs: 15_000 });
    expect(mail.mail.text).toContain(`Reload the app: ${BASE}/act/incident/${incidentId}?`);
    const slack = await waitFor(() => bodiesTo("/slack", "Reload CRM")[0], { what: "the Slack message", timeoutMs: 15_000 });
    const slackLinks = slackButtons(slack).filter(([, u]) => u.startsWith(`${BASE}/act/`));
    expect(slackLinks.map(([t, u]) => [t, actionOf(u)])).toEqual([
      ["Acknowledge", "ack"],
      ["Snooze", "snooze"],
      ["Retry the task", "retry"],
      ["Reload the app", "reload"],
    ]);
    // The approval links do not push out the others.
    expect(slackButtons(slack).map(([t]) => t)).toContain("Open QMC");
    const teams = await waitFor(() => bodiesTo("/teams", "Reload CRM")[0], { what: "the Teams card", timeoutMs: 15_000 });
    expect(teamsButtons(teams).find(([t]) => t === "Reload the app")?.[1]).toStartWith(`${BASE}/act/incident/${incidentId}?`);
    const trigger = await waitFor(() => pd.accepted.find((r) => r.body.event_action === "trigger" && JSON.stringify(r.body).includes("Reload CRM")), {
      what: "PagerDuty's trigger",
      timeoutMs: 15_000,
    });
    expect(pd.rejected).toEqual([]);
    const links = trigger.body.event_action === "trigger" ? (trigger.body.links ?? []) : [];
    // PagerDuty acknowledges itself: only the actions that need Steward are linked.
    expect(links.filter((l) => l.href.startsWith(`${BASE}/act/`)).map((l) => actionOf(l.href))).toEqual(["retry", "reload"]);
    pdReload = links.find((l) => actionOf(l.href) === "reload")!.href;
  });

  test("pressing PagerDuty's link: the GET only asks; the confirmation reloads the app partially through the Engine, once", { timeout: 60_000 }, async () => {
    const before = h.sim.repo.findApp(IDS.crmApp)!.lastReloadMs;
    const page = await h.t.request(local(pdReload));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Reload this app through the Engine?");
    expect(h.sim.engine.reloads.filter((r) => r.appId === IDS.crmApp)).toHaveLength(0);
    const res = await h.t.request(local(pdReload), form({ name: "Per Olsson" }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("will be reloaded through the Engine now");
    await waitFor(async () => (await actions(incidentId))[0]?.status === "ended", { what: "the reload action to end", timeoutMs: 30_000 });
    const [a] = await actions(incidentId);
    expect(a).toMatchObject({ kind: "reload", outcome: "succeeded", requestedBy: "Per Olsson (channel:pd)" });
    expect(a!.qlikAnswer).toContain("the Engine reloaded the app and saved it (reload job ");
    const reloads = h.sim.engine.reloads.filter((r) => r.appId === IDS.crmApp);
    expect(reloads.map((r) => [r.partial, r.status])).toEqual([[true, "succeeded"]]);
    expect(h.sim.repo.findApp(IDS.crmApp)!.lastReloadMs).toBeGreaterThan(before);
    // The Scheduler was not asked: the task itself did not run.
    expect(h.sim.requests.list({ source: "qrs", method: "POST", pathContains: `task/${IDS.crm}/start` })).toHaveLength(0);
    expect((await audit("incident.reload"))[0]).toMatchObject({ actor: { kind: "link", name: "Per Olsson (channel:pd)" }, result: "ok" });
    expect((await audit("remediation.reload")).map((r) => [r.result, r.details.ended ?? "started"])).toEqual([
      ["ok", "succeeded"],
      ["ok", "started"],
    ]);
    expect((await audit("app.reload"))[0]).toMatchObject({ actor: { kind: "remediation", name: "Per Olsson (channel:pd)" }, target: IDS.crmApp, result: "ok" });
    // Pressed again: the link acts once. Altered (made for another channel): refused. Both audited, as it would act on Qlik.
    expect((await h.t.request(local(pdReload), form({ name: "Per Olsson" }))).status).toBe(409);
    const altered = new URL(pdReload);
    altered.searchParams.set("r", "channel:chat");
    expect((await h.t.request(local(altered.toString()), form({ name: "Mallory" }))).status).toBe(403);
    expect((await audit("incident.link")).map((r) => [r.actor.name, r.details.status])).toEqual([
      ["unsigned link", 403], // the sender chose the recipient: the row names nobody
      ["channel:pd", 409],
    ]);
    expect(h.sim.engine.reloads.filter((r) => r.appId === IDS.crmApp)).toHaveLength(1);
  });

  test("over REST: a read key cannot act; a tasks key can", { timeout: 60_000 }, async () => {
    const read = await postJson(`/v4/incidents/${incidentId}/reload-app`, KEYS.reader, {});
    expect(read.status).toBe(403);
    // Asked twice at once: one reload, the second ask joins the first.
    const [ok, again] = await Promise.all([
      postJson(`/v4/incidents/${incidentId}/reload-app`, KEYS.ops, {}),
      postJson(`/v4/incidents/${incidentId}/reload-app`, KEYS.ops, {}),
    ]);
    expect([ok.status, again.status]).toEqual([202, 202]);
    const answers = [(await ok.json()) as { added: boolean; action: { id: number } }, (await again.json()) as { added: boolean; action: { id: number } }];
    expect(answers.map((x) => x.added).sort()).toEqual([false, true]);
    expect(answers[0]!.action.id).toBe(answers[1]!.action.id);
    await waitFor(async () => (await actions(incidentId)).filter((a) => a.status === "ended").length === 2, {
      what: "the second reload to end",
      timeoutMs: 30_000,
    });
    expect(h.sim.engine.reloads.filter((r) => r.appId === IDS.crmApp)).toHaveLength(2);
    // Not a reload task's incident is refused naming the field: the chain's tasks are, but an unknown incident is 404.
    const none = await postJson("/v4/incidents/999999/reload-app", KEYS.ops, {});
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ details: { field: "id" } });
  });
  test("the incident's next message (here its recovery) says what was done and what the Engine answered", { timeout: 60_000 }, async () => {
    // A failure while the data source's cause is open is listed on the cause, not sent: the recovery is the next message.
    await h.eventFor(await h.runWhenIdle(IDS.crm, "succeed"), 15_000);
    const next = await waitFor(() => mailsAbout("Reload CRM").find((m) => /recovered/i.test(m.mail.subject ?? "")), {
      what: "the recovery mail",
      timeoutMs: 15_000,
    });
    expect(next.mail.text).toContain("App reloaded through the Engine, asked by Per Olsson (channel:pd) (from the alert's link) at ");
    expect(next.mail.text).toContain("App reloaded through the Engine, asked by key-ops (from REST) at ");
    expect(next.mail.text).toContain("the Engine reloaded the app and saved it (reload job ");
    const slack = await waitFor(() => bodiesTo("/slack", "Reload CRM").find((b) => JSON.stringify(b).includes("App reloaded through the Engine")), {
      what: "the recovery in Slack",
      timeoutMs: 15_000,
    });
    expect(JSON.stringify(slack)).toContain("asked by key-ops");
  });
});

describe("start the chain again from a task", () => {
  let incidentId = 0;

  test("the chain's middle task fails: its links offer the chain; the chain's three tasks are listed", { timeout: 60_000 }, async () => {
    // The chain is the one the watchdog read from QRS's triggers.
    await waitFor(async () => (await json<{ tasks: unknown[] }>("/v4/watchdog")).tasks?.length > 0, { what: "the watchdog's first look", timeoutMs: 20_000 });
    const e = await fail(IDS.transform);
    incidentId = e.incident!.id;
    const { tasks } = await json<{ tasks: Array<{ id: string; name: string; depth: number }> }>(`/v4/incidents/${incidentId}/chain`);
    expect(tasks.map((t) => [t.name, t.depth])).toEqual([
      ["Extract orders", 0],
      ["Transform orders", 1],
      ["Load orders", 2],
    ]);
    const teams = await waitFor(() => bodiesTo("/teams", "Transform orders")[0], { what: "the Teams card", timeoutMs: 15_000 });
    expect(teamsButtons(teams).find(([t]) => t === "Restart the chain")?.[1]).toStartWith(`${BASE}/act/incident/${incidentId}?`);
  });

  test("over REST: a read key cannot act; a task outside the chain is refused naming taskId", async () => {
    expect((await postJson(`/v4/incidents/${incidentId}/restart-chain`, KEYS.reader, { taskId: IDS.extract })).status).toBe(403);
    const outside = await postJson(`/v4/incidents/${incidentId}/restart-chain`, KEYS.ops, { taskId: IDS.crm });
    expect(outside.status).toBe(400);
    expect(await outside.json()).toMatchObject({ details: { field: "taskId" } });
    const missing = await postJson(`/v4/incidents/${incidentId}/restart-chain`, KEYS.ops, {});
    expect(missing.status).toBe(400);
    expect(JSON.stringify(await missing.json())).toContain("taskId");
    expect(await actions(incidentId)).toEqual([]);
  });

  test("pressing Teams' link: the page offers the chain's tasks; starting from the head runs all three in order, once each", { timeout: 90_000 }, async () => {
    const teams = bodiesTo("/teams", "Transform orders")[0]!;
    const link = local(teamsButtons(teams).find(([t]) => t === "Restart the chain")![1]);
    const page = await (await h.t.request(link)).text();
    expect(page).toContain("Start the chain again?");
    expect(page).toContain(`name="task" value="${IDS.extract}">Start from Extract orders</button>`);
    // A task outside the chain is refused and the link stays usable.
    const wrong = await h.t.request(link, form({ name: "Per Olsson", task: IDS.crm }));
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("Field task");
    const since = Date.now();
    const res = await h.t.request(link, form({ name: "Per Olsson", task: IDS.extract }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Extract orders will be started now");
    const recovered = await waitFor(() => h.events.find((x) => x.kind === "task.recovered" && x.task.id === IDS.transform), {
      what: "Transform orders to recover through the chain",
      timeoutMs: 45_000,
    });
    expect(recovered.incident?.id).toBe(incidentId);
    await waitFor(() => h.events.find((x) => x.kind === "task.succeeded" && x.task.id === IDS.load && Date.parse(x.receivedAt) >= since), {
      what: "Load orders to run after it",
      timeoutMs: 30_000,
    });
    // Steward started the head only; the simulator's triggers ran the others.
    const starts = (id: string) => h.sim.requests.list({ source: "qrs", method: "POST", pathContains: `task/${id}/start` }).length;
    expect([starts(IDS.extract), starts(IDS.transform), starts(IDS.load)]).toEqual([1, 0, 0]);
    const [a] = await actions(incidentId);
    expect(a).toMatchObject({ kind: "chain", taskId: IDS.extract, requestedBy: "Per Olsson (channel:teams)" });
    await waitFor(async () => (await actions(incidentId))[0]?.status === "ended", { what: "the chain action to end" });
    const recovery = await waitFor(() => mailsAbout("Transform orders").find((m) => /recovered/i.test(m.mail.subject ?? "")), {
      what: "the recovery mail",
      timeoutMs: 15_000,
    });
    expect(recovery.mail.text).toContain("Chain started again, asked by Per Olsson (channel:teams) (from the alert's link) from Extract orders");
    expect((await audit("remediation.chain"))[0]).toMatchObject({ result: "ok", target: IDS.extract });
    expect((await audit("incident.chain"))[0]).toMatchObject({ actor: { kind: "link" }, details: { taskId: IDS.extract } });
  });
});
