// The two-person rule (remediation.approval.retry: two-person) against the simulator. From the alert's links: Anna's
// confirmation is recorded as waiting for a second person and starts nothing; Anna again (a later mail's link) is
// refused with 403; Bob's link confirms it and the task starts once. Over REST: the key that asked cannot confirm
// (403 with a JSON body naming why, by asking again or by the action's id), a second key confirms it and it runs once.
// Each step is audited: who, when, from where. Two people are two verified identities (issue 103): the same person's
// name typed on the Slack and on the Teams link of one alert is refused, and so is a call without a key
// (security.anonymous lets this server's own callers start tasks) as one of the two.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import { waitFor } from "../../../helpers/wait-for";
import type { Harness } from "../../hear/intake/harness";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver } from "../../tell/notify/receivers";

const IDS = {
  crm: "7e3b0000-0000-4000-8000-000000000001",
  erp: "7e3b0000-0000-4000-8000-000000000002",
  hr: "7e3b0000-0000-4000-8000-000000000003",
  wms: "7e3b0000-0000-4000-8000-000000000004",
  dwh: "7e3b0000-0000-4000-8000-000000000005",
  dwhApp: "7e3b0000-0000-4000-8000-0000000000a5",
};
const CONNECTION = "Cannot connect to the data source crm-db.corp.example:1433: connection refused";
const SITE = `
site: { name: Two-person site }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { name: CRM, owner: INTERNAL\\sa_scheduler }
  - { name: ERP, owner: INTERNAL\\sa_scheduler }
  - { name: HR, owner: INTERNAL\\sa_scheduler }
  - { name: WMS, owner: INTERNAL\\sa_scheduler }
  - { id: ${IDS.dwhApp}, name: DWH, owner: INTERNAL\\sa_scheduler }
tasks:
  - { id: ${IDS.crm}, name: Reload CRM, type: reload, app: CRM, maxRetries: 0, scriptError: "${CONNECTION}" }
  - { id: ${IDS.erp}, name: Reload ERP, type: reload, app: ERP, maxRetries: 0, scriptError: "${CONNECTION}" }
  - { id: ${IDS.hr}, name: Reload HR, type: reload, app: HR, maxRetries: 0, scriptError: "${CONNECTION}" }
  - { id: ${IDS.wms}, name: Reload WMS, type: reload, app: WMS, maxRetries: 0, scriptError: "${CONNECTION}" }
  - { id: ${IDS.dwh}, name: Reload DWH, type: reload, app: DWH, maxRetries: 0, scriptError: "${CONNECTION}" }
`;
const BASE = "https://steward.corp.example:8443";
const LINK = /https:\/\/steward\.corp\.example:8443(\/act\/incident\/\d+\?[^\s"<>]+)/g;
const KEYS = { admin: generateApiKey(), first: generateApiKey(), second: generateApiKey() };

let smtp: SmtpReceiver;
let rx: HttpReceiver;
let h: Harness;
let m: MailedHarness | undefined;
const as = (key: string, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), "x-api-key": key } });
const json = async <T>(path: string) => (await (await h.t.request(path, as(KEYS.admin))).json()) as T;
const post = (form: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(form).toString(),
});
const fail = async (taskId: string) => (await h.eventFor(await h.runWhenIdle(taskId, "fail"), 15_000)) as TaskEvent;
const starts = (taskId: string) =>
  h.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${taskId}/start`)).length;
/** The retry link of each mail about the task sent to `who`, oldest first. */
const retryLinks = (taskName: string, who: string) =>
  smtp.mails
    .filter((m) => (m.mail.subject ?? "").includes(taskName) && m.envelopeTo.includes(who))
    .flatMap((m) => [...(m.mail.text ?? "").matchAll(LINK)].map((x) => x[1]!).filter((l) => new URLSearchParams(l.split("?")[1]).get("a") === "retry"));
const audit = async (action: string) => {
  await h.t.app.audit.flush();
  return (
    await json<{ entries: Array<{ actor: { kind: string; name: string; ip?: string }; result: string; target: string; details: Record<string, unknown> }> }>(
      `/v4/audit?action=${action}&limit=50`,
    )
  ).entries.reverse();
};
type Action = {
  id: number;
  status: string;
  requestedBy: string;
  requestedFrom: string;
  confirmedBy: string | null;
  confirmedFrom: string | null;
  outcome: string | null;
};

/** The retry link of the first Slack message or Teams card about the task. */
const chatRetryLink = (path: "/slack" | "/teams", taskName: string) =>
  rx.requests
    .filter((r) => r.path === path && r.body.includes(taskName))
    .flatMap((r) => [...r.body.matchAll(LINK)].map((x) => x[1]!))
    .find((l) => new URLSearchParams(l.split("?")[1]).get("a") === "retry");

beforeAll(async () => {
  rx = startHttpReceiver();
  m = await startMailedHarness("steward-remedy-two-", {
    site: SITE,
    engine: true,
    to: ["anna@corp.example", "bob@corp.example"],
    extraYaml: (mail) => `
channels:
${mail}
  slack: { type: slack, webhookUrl: "${rx.url}/slack" }
  teams: { type: teams, webhookUrl: "${rx.url}/teams" }
routes:
  - { on: [task.failed, task.recovered], to: [mail, slack, teams], renotify: every }
actionLinks: { publicBaseUrl: "${BASE}" }
# Each failure its own page (not one cause's): Anna's second mail carries a second retry link.
grouping: { enabled: false }
remediation:
  pollInterval: 1s
  approval: { retry: two-person, reload: two-person }
security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(KEYS.admin)}", scopes: [admin] }
    - { name: key-first, hash: "${hashApiKey(KEYS.first)}", scopes: [tasks] }
    - { name: key-second, hash: "${hashApiKey(KEYS.second)}", scopes: [tasks] }
`,
  });
  ({ h, smtp } = m);
}, 60_000);
afterAll(async () => {
  await m?.close();
  await rx?.stop();
});

describe("from the alert's links", () => {
  test("Anna's press waits for a second person, Anna again is refused, Bob's confirms it: one start", { timeout: 90_000 }, async () => {
    const e = await fail(IDS.crm);
    const id = e.incident!.id;
    await waitFor(() => retryLinks("Reload CRM", "bob@corp.example")[0], { what: "the failure's mails", timeoutMs: 15_000 });
    const before = starts(IDS.crm);
    const anna = await h.t.request(retryLinks("Reload CRM", "anna@corp.example")[0]!, post({ retry: "0" }));
    const annaPage = await anna.text();
    expect(anna.status).toBe(200);
    expect(annaPage).toContain("Waiting for a second person");
    expect(annaPage).toContain("waits for a second person");
    const [waiting] = (await json<{ actions: Action[] }>(`/v4/incidents/${id}/actions`)).actions;
    expect(waiting).toMatchObject({ status: "awaiting", requestedBy: "anna@corp.example", requestedFrom: "link", confirmedBy: null });

    // A later failure's mail gives Anna a new link: she cannot be her own second person.
    await fail(IDS.crm);
    const annaLater = await waitFor(() => retryLinks("Reload CRM", "anna@corp.example")[1], { what: "the second failure's mail", timeoutMs: 15_000 });
    const again = await h.t.request(annaLater, post({ retry: "0" }));
    expect(again.status).toBe(403);
    expect(await again.text()).toContain("needs a second, different person to confirm it");
    expect(starts(IDS.crm)).toBe(before);
    expect((await json<{ actions: Action[] }>(`/v4/incidents/${id}/actions`)).actions.map((a) => a.status)).toEqual(["awaiting"]);

    const bob = await h.t.request(retryLinks("Reload CRM", "bob@corp.example")[0]!, post({ retry: "0" }));
    expect(bob.status).toBe(200);
    expect(await bob.text()).toContain("Reload CRM, asked by anna@corp.example, will be started again now");
    await waitFor(async () => (await json<{ actions: Action[] }>(`/v4/incidents/${id}/actions`)).actions[0]?.status === "ended", {
      what: "the confirmed retry to end",
      timeoutMs: 30_000,
    });
    const [done] = (await json<{ actions: Action[] }>(`/v4/incidents/${id}/actions`)).actions;
    expect(done).toMatchObject({
      id: waiting!.id,
      requestedBy: "anna@corp.example",
      confirmedBy: "bob@corp.example",
      confirmedFrom: "link",
      outcome: "succeeded",
    });
    expect(starts(IDS.crm)).toBe(before + 1);
    const confirms = await audit("remediation.confirm");
    expect(confirms.map((c) => [c.actor.kind, c.actor.name, c.result])).toEqual([
      ["link", "anna@corp.example", "denied"],
      ["link", "bob@corp.example", "ok"],
    ]);
    expect(confirms[1]!.details).toMatchObject({ requestedBy: "anna@corp.example", requestedFrom: "link", from: "link" });
    const recovery = await waitFor(() => smtp.mails.find((m) => /recovered/i.test(m.mail.subject ?? "") && (m.mail.subject ?? "").includes("Reload CRM")), {
      what: "the recovery mail",
      timeoutMs: 30_000,
    });
    expect(recovery.mail.text).toContain("Retried by anna@corp.example (from the alert's link), confirmed by bob@corp.example (from the alert's link) at ");
  });
});

describe("over REST", () => {
  test("the key that asked cannot confirm (403, JSON naming why); a second key confirms it and it runs once", { timeout: 90_000 }, async () => {
    const e = await fail(IDS.erp);
    const id = e.incident!.id;
    const before = starts(IDS.erp);
    const retry = (key: string) =>
      h.t.request(`/v4/incidents/${id}/retry`, as(key, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }));
    const first = await retry(KEYS.first);
    expect(first.status).toBe(202);
    const asked = (await first.json()) as { added: boolean; awaiting: boolean; action: Action };
    expect(asked).toMatchObject({ added: true, awaiting: true, action: { status: "awaiting", requestedBy: "key-first", requestedFrom: "rest" } });

    const same = await retry(KEYS.first);
    expect(same.status).toBe(403);
    const why = (await same.json()) as { code: string; message: string; details: { field: string } };
    expect(why).toMatchObject({ code: "FORBIDDEN", details: { field: "approval" } });
    expect(why.message).toContain("key-first asked for this at ");
    expect(why.message).toContain("remediation.approval.retry");
    const sameById = await h.t.request(`/v4/remediation/actions/${asked.action.id}/confirm`, as(KEYS.first, { method: "POST" }));
    expect(sameById.status).toBe(403);
    expect(((await sameById.json()) as { code: string }).code).toBe("FORBIDDEN");
    expect(starts(IDS.erp)).toBe(before);

    const second = await h.t.request(`/v4/remediation/actions/${asked.action.id}/confirm`, as(KEYS.second, { method: "POST" }));
    expect(second.status).toBe(202);
    expect(await second.json()).toMatchObject({
      confirmed: { firstBy: "key-first", already: false },
      actions: [{ id: asked.action.id, confirmedBy: "key-second" }],
    });
    // A third press after the confirmation joins the confirmed action: still one start.
    const late = await retry(KEYS.second);
    expect(late.status).toBe(202);
    expect(((await late.json()) as { action: { id: number } }).action.id).toBe(asked.action.id);
    await waitFor(async () => (await json<{ actions: Action[] }>(`/v4/incidents/${id}/actions`)).actions[0]?.status === "ended", {
      what: "the confirmed retry to end",
      timeoutMs: 30_000,
    });
    expect(starts(IDS.erp)).toBe(before + 1);
    expect((await json<{ actions: Action[] }>(`/v4/incidents/${id}/actions`)).actions).toHaveLength(1);
    const confirms = (await audit("remediation.confirm")).filter((c) => c.target === IDS.erp);
    expect(confirms.map((c) => [c.actor.name, c.result, c.details.from])).toEqual([
      ["key-first", "denied", undefined],
      ["key-first", "denied", undefined],
      ["key-second", "ok", "rest"],
    ]);
  });
});

describe("only verified people count", () => {
  test("a name typed on the Slack and on the Teams link of one alert is no person: refused, nothing waits or starts", { timeout: 90_000 }, async () => {
    const e = await fail(IDS.hr);
    const id = e.incident!.id;
    const slack = await waitFor(() => chatRetryLink("/slack", "Reload HR"), { what: "the Slack message's retry link", timeoutMs: 15_000 });
    const teams = await waitFor(() => chatRetryLink("/teams", "Reload HR"), { what: "the Teams card's retry link", timeoutMs: 15_000 });
    const before = starts(IDS.hr);
    for (const link of [slack, teams]) {
      const page = await h.t.request(link, post({ retry: "0", name: "Anna" }));
      const text = await page.text();
      expect(page.status).toBe(403);
      expect(text).toContain("counts verified people only");
      expect(text).toContain("remediation.approval.retry");
    }
    expect((await json<{ actions: Action[] }>(`/v4/incidents/${id}/actions`)).actions).toEqual([]);
    expect(starts(IDS.hr)).toBe(before);
    const refused = (await audit("remediation.confirm")).filter((c) => c.target === `retry:incident:${id}`);
    expect(refused.map((c) => [c.actor.kind, c.actor.name, c.result, c.details.reason])).toEqual([
      ["link", "Anna (channel:slack)", "denied", "not a verified identity"],
      ["link", "Anna (channel:teams)", "denied", "not a verified identity"],
    ]);
    // A verified person still asks and a second one confirms: the rule is not closed, only to labels.
    const mailed = await waitFor(() => retryLinks("Reload HR", "anna@corp.example")[0], { what: "Anna's mail's retry link", timeoutMs: 15_000 });
    const anna = await h.t.request(mailed, post({ retry: "0" }));
    expect(await anna.text()).toContain("Waiting for a second person");
  });

  test("a call without a key (security.anonymous) is nobody: it neither asks first nor confirms a key holder's ask", { timeout: 90_000 }, async () => {
    const e = await fail(IDS.wms);
    const id = e.incident!.id;
    const before = starts(IDS.wms);
    const retry = (init: RequestInit) =>
      h.t.request(`/v4/incidents/${id}/retry`, {
        method: "POST",
        ...init,
        headers: { "content-type": "application/json", ...(init.headers as Record<string, string>) },
        body: "{}",
      });
    // This server's own callers may start tasks without a key (the load scripts' grant) ...
    const keyless = await retry({});
    expect(keyless.status).toBe(403);
    const why = (await keyless.json()) as { code: string; message: string; details: { field: string } };
    expect(why).toMatchObject({ code: "FORBIDDEN", details: { field: "approval" } });
    expect(why.message).toContain("a call without an API key (security.anonymous) is not a verified person");
    // ... but never as one of the two people.
    const first = await retry(as(KEYS.first));
    expect(first.status).toBe(202);
    const asked = (await first.json()) as { action: Action };
    const byId = await h.t.request(`/v4/remediation/actions/${asked.action.id}/confirm`, { method: "POST" });
    expect(byId.status).toBe(403);
    expect((await retry({})).status).toBe(403);
    expect((await json<{ actions: Action[] }>(`/v4/incidents/${id}/actions`)).actions.map((a) => [a.status, a.confirmedBy])).toEqual([["awaiting", null]]);
    expect(starts(IDS.wms)).toBe(before);
  });
});

describe("every action that starts something", () => {
  test("an Engine reload under remediation.approval.reload waits for a second key and then reloads the app once", { timeout: 90_000 }, async () => {
    const e = await fail(IDS.dwh);
    const id = e.incident!.id;
    const reloads = () => h.sim.engine.reloads.filter((r) => r.appId === IDS.dwhApp).length;
    const reload = (key: string) =>
      h.t.request(`/v4/incidents/${id}/reload-app`, as(key, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }));
    const first = await reload(KEYS.first);
    expect(first.status).toBe(202);
    const asked = (await first.json()) as { awaiting: boolean; action: Action };
    expect(asked).toMatchObject({ awaiting: true, action: { status: "awaiting", requestedBy: "key-first" } });
    const same = await reload(KEYS.first);
    expect(same.status).toBe(403);
    expect(((await same.json()) as { message: string }).message).toContain("remediation.approval.reload");
    await h.t.app.remediation?.lookNow();
    expect(reloads()).toBe(0);
    const second = await reload(KEYS.second);
    expect(second.status).toBe(202);
    expect(await second.json()).toMatchObject({ confirmed: { firstBy: "key-first" }, action: { id: asked.action.id, confirmedBy: "key-second" } });
    await waitFor(async () => (await json<{ actions: Action[] }>(`/v4/incidents/${id}/actions`)).actions[0]?.status === "ended", {
      what: "the confirmed reload to end",
      timeoutMs: 30_000,
    });
    expect(reloads()).toBe(1);
  });
});
