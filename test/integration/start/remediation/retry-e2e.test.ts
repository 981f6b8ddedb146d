// Retry from the page, end to end against the simulator: a connection error's mail carries a "Retry the task" link
// (a file error's does not); confirming it starts the task once through QRS, the run heals and the recovery mail says
// who retried it and how it ended; the action is on the incident and in the audit; a replayed or altered retry link is
// refused and audited (altered ones once a minute, naming nobody). Over REST, a read key and a status key cannot act, a tasks key can; a retry that fails again is
// told in the next failure's mail with its failing line. A file error is not offered a retry (409).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import { waitFor } from "../../../helpers/wait-for";
import type { Harness } from "../../hear/intake/harness";
import type { SmtpReceiver } from "../../tell/notify/receivers";

const IDS = {
  crm: "7e3a0000-0000-4000-8000-000000000001",
  erp: "7e3a0000-0000-4000-8000-000000000002",
  files: "7e3a0000-0000-4000-8000-000000000003",
};
const CONNECTION = "Cannot connect to the data source crm-db.corp.example:1433: connection refused";
const SITE = `
site: { name: Remediation site }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson, email: anna@corp.example }
apps:
  - { name: CRM, owner: CORP\\anna }
  - { name: ERP, owner: CORP\\anna, script: "SET ThousandSep=' ';" }
tasks:
  - { id: ${IDS.crm}, name: Reload CRM, type: reload, app: CRM, maxRetries: 0, scriptError: "${CONNECTION}" }
  - { id: ${IDS.erp}, name: Reload ERP, type: reload, app: ERP, maxRetries: 0, outcome: fail, scriptError: "${CONNECTION}" }
  - { id: ${IDS.files}, name: Reload files, type: reload, app: CRM, maxRetries: 0, scriptError: "Cannot open file: 'lib://Data/orders.qvd'" }
`;
const BASE = "https://steward.corp.example:8443";
const LINK = /https:\/\/steward\.corp\.example:8443(\/act\/(?:incident|cause)\/\d+\?[^\s"<>]+)/g;
const KEYS = { admin: generateApiKey(), ops: generateApiKey(), reader: generateApiKey(), business: generateApiKey() };

let smtp: SmtpReceiver;
let h: Harness;
let m: MailedHarness | undefined;
const as = (key: string, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), "x-api-key": key } });
const json = async <T>(path: string) => (await (await h.t.request(path, as(KEYS.admin))).json()) as T;
const mailsAbout = (taskName: string) => smtp.mails.filter((m) => (m.mail.subject ?? "").includes(taskName));
const linksIn = (text: string) => [...text.matchAll(LINK)].map((m) => m[1]!);
const post = (form: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(form).toString(),
});
const fail = async (taskId: string) => (await h.eventFor(await h.runWhenIdle(taskId, "fail"), 15_000)) as TaskEvent;
const audit = async (action: string) => {
  await h.t.app.audit.flush();
  return (
    await json<{ entries: Array<{ actor: { kind: string; name: string }; result: string; target: string; details: Record<string, unknown> }> }>(
      `/v4/audit?action=${action}&limit=50`,
    )
  ).entries;
};

beforeAll(async () => {
  m = await startMailedHarness("steward-remedy-e2e-", {
    site: SITE,
    to: ["anna@corp.example"],
    extraYaml: (mail) => `
channels:
${mail}
routes:
  - { on: [task.failed, task.recovered], to: [mail], renotify: every }
actionLinks: { publicBaseUrl: "${BASE}" }
remediation: { pollInterval: 1s }
security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(KEYS.admin)}", scopes: [admin] }
    - { name: key-ops, hash: "${hashApiKey(KEYS.ops)}", scopes: [tasks] }
    - { name: key-read, hash: "${hashApiKey(KEYS.reader)}", scopes: [read] }
    - { name: key-business, hash: "${hashApiKey(KEYS.business)}", scopes: [status] }
`,
  });
  ({ h, smtp } = m);
}, 60_000);
afterAll(async () => {
  await m?.close();
});

describe("retry from the alert's link", () => {
  let incidentId: number;
  let retryLink: string;

  test("a connection error's mail offers a retry; the page asks when; a GET does not act", { timeout: 60_000 }, async () => {
    const e = await fail(IDS.crm);
    expect(e.errorClass).toBe("connection");
    incidentId = e.incident!.id;
    const mail = await waitFor(() => mailsAbout("Reload CRM")[0], { what: "the failure's mail", timeoutMs: 15_000 });
    const links = linksIn(mail.mail.text ?? "");
    expect(links.map((l) => new URLSearchParams(l.split("?")[1]).get("a"))).toEqual(["ack", "snooze", "retry"]);
    expect(mail.mail.text).toContain("Retry the task: https://steward.corp.example:8443/act/incident/");
    // The page is the cause's (the DWH connection): acknowledge and snooze name the cause, the retry this task's incident.
    expect(links[0]!.startsWith("/act/cause/")).toBe(true);
    retryLink = links[2]!;
    expect(retryLink.startsWith(`/act/incident/${incidentId}?`)).toBe(true);
    const page = await (await h.t.request(retryLink)).text();
    expect(page).toContain("Start this task again?");
    expect(page).toContain('name="retry" value="0">Retry now</button>');
    expect(page).toContain('name="retry" value="300">Retry in 5 min</button>');
    expect(await json<{ actions: unknown[] }>(`/v4/incidents/${incidentId}/actions`)).toEqual({ actions: [] });
  });

  test("confirming starts the task once; it heals and the recovery mail says who retried it and how it ended", { timeout: 60_000 }, async () => {
    const res = await h.t.request(retryLink, post({ retry: "0" }));
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toContain("Reload CRM will be started again now");
    const recovery = await waitFor(() => mailsAbout("Reload CRM").find((m) => /recovered/i.test(m.mail.subject ?? "")), {
      what: "the recovery mail",
      timeoutMs: 30_000,
    });
    expect(recovery.mail.text).toContain("Retried by anna@corp.example (from the alert's link) at ");
    expect(recovery.mail.text).toContain(": Qlik started the task (execution session ");
    expect(recovery.mail.text).toContain("the retry succeeded.");
    expect(recovery.mail.html).toContain("Retried by anna@corp.example");
    const starts = h.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${IDS.crm}/start`));
    expect(starts).toHaveLength(1);
    const { actions } = await json<{ actions: Array<Record<string, unknown>> }>(`/v4/incidents/${incidentId}/actions`);
    await waitFor(async () => (await json<{ actions: Array<{ status: string }> }>(`/v4/incidents/${incidentId}/actions`)).actions[0]?.status === "ended", {
      what: "the action to end",
    });
    expect(actions[0]).toMatchObject({ kind: "retry", requestedBy: "anna@corp.example", requestedFrom: "link", claims: 1 });
    const ended = (await json<{ actions: Array<Record<string, unknown>> }>(`/v4/incidents/${incidentId}/actions`)).actions[0]!;
    expect(ended).toMatchObject({ status: "ended", outcome: "succeeded" });
    expect((await json<{ status: string }>(`/v4/incidents/${incidentId}`)).status).toBe("closed");
    expect((await audit("incident.retry"))[0]).toMatchObject({ actor: { kind: "link", name: "anna@corp.example" }, result: "ok" });
    expect((await audit("remediation.request"))[0]).toMatchObject({ actor: { kind: "link", name: "anna@corp.example" }, target: IDS.crm });
    expect((await audit("remediation.retry"))[0]).toMatchObject({ result: "ok", target: IDS.crm });
  });

  test("the link replayed, altered or for another person is refused and audited", async () => {
    expect((await h.t.request(retryLink, post({ retry: "0" }))).status).toBe(409);
    const [path, qs] = retryLink.split("?") as [string, string];
    const q = new URLSearchParams(qs);
    q.set("r", "mallory@corp.example");
    expect((await h.t.request(`${path}?${q}`, post({ retry: "0" }))).status).toBe(403);
    // Issue 103: a flood of altered links writes one row a minute, naming no person the sender chose.
    for (let i = 0; i < 200; i++) {
      q.set("r", `forger-${i}@corp.example`);
      expect((await h.t.request(`${path}?${q}`, post({ retry: "0" }))).status).toBe(403);
    }
    const refused = await audit("incident.link");
    expect(refused.map((r) => [r.actor.name, r.details.status])).toEqual([
      ["unsigned link", 403],
      ["anna@corp.example", 409],
    ]);
    expect(JSON.stringify(refused)).not.toContain("forger-");
    expect(h.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${IDS.crm}/start`))).toHaveLength(1);
  });
});

describe("retry over REST", () => {
  test("a read key and a status key cannot act; a tasks key retries; a failing retry is told with its line in the next failure's mail", {
    timeout: 60_000,
  }, async () => {
    const e = await fail(IDS.erp);
    const id = e.incident!.id;
    await waitFor(() => mailsAbout("Reload ERP")[0], { what: "the first failure's mail", timeoutMs: 15_000 });
    const retry = (key: string) =>
      h.t.request(`/v4/incidents/${id}/retry`, as(key, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }));
    expect((await retry(KEYS.reader)).status).toBe(403);
    expect((await retry(KEYS.business)).status).toBe(403);
    const res = await retry(KEYS.ops);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ added: true, action: { status: expect.stringMatching(/^(pending|claimed|started)$/), requestedBy: "key-ops" } });
    const second = await waitFor(() => mailsAbout("Reload ERP")[1], { what: "the retry's failure mail", timeoutMs: 30_000 });
    expect(second.mail.text).toContain("Retried by key-ops (from REST) at ");
    expect(second.mail.text).toContain("the retry failed.");
    await waitFor(async () => (await json<{ actions: Array<{ status: string }> }>(`/v4/incidents/${id}/actions`)).actions[0]?.status === "ended", {
      what: "the action to end",
    });
    const [a] = (await json<{ actions: Array<Record<string, unknown>> }>(`/v4/incidents/${id}/actions`)).actions;
    expect(a).toMatchObject({ outcome: "failed", requestedFrom: "rest" });
    expect(String(a!.outcomeLine)).toContain("connection refused");
    // Told once: a third failure's mail does not repeat it.
    await fail(IDS.erp);
    const third = await waitFor(() => mailsAbout("Reload ERP")[2], { what: "the third failure's mail", timeoutMs: 15_000 });
    expect(third.mail.text).not.toContain("Retried by");
  });

  test("a file error is not offered a retry: no link, and 409 naming the class", { timeout: 60_000 }, async () => {
    const e = await fail(IDS.files);
    expect(e.errorClass).toBe("file");
    const mail = await waitFor(() => mailsAbout("Reload files")[0], { what: "the failure's mail", timeoutMs: 15_000 });
    expect(linksIn(mail.mail.text ?? "").map((l) => new URLSearchParams(l.split("?")[1]).get("a"))).toEqual(["ack", "snooze"]);
    const res = await h.t.request(
      `/v4/incidents/${e.incident!.id}/retry`,
      as(KEYS.ops, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
    );
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toContain("error class is file");
  });
});
