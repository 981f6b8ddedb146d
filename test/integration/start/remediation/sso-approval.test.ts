// Alert links with single sign-on (security.sso) against the simulator and a real OpenID Provider: Anna, who gets
// every alert at two mail addresses, signs in with the directory; an acknowledgement from her mail's link is recorded
// as her directory identity; a retry under the two-person rule asks her to sign in first (the link stays unused), then
// waits for a second person; her other address's link is refused (one subject, one person), and Bob, signed in as
// himself, confirms it: the task starts once, and the audit, the actions and the recovery mail name both identities.
// Issue 104: a key the config says is Anna's (by mail address or by directory subject) is Anna too: her key asks over
// REST, and neither her session (REST or her mail's link) nor her second key confirms it; a script's key of no person does.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import { startOidcDirectory, type OidcDirectory } from "../../../helpers/oidc-directory";
import { waitFor } from "../../../helpers/wait-for";
import type { Harness } from "../../hear/intake/harness";
import type { SmtpReceiver } from "../../tell/notify/receivers";

const IDS = {
  crm: "7e3c0000-0000-4000-8000-000000000001",
  erp: "7e3c0000-0000-4000-8000-000000000002",
  hr: "7e3c0000-0000-4000-8000-000000000003",
};
const CONNECTION = "Cannot connect to the data source crm-db.corp.example:1433: connection refused";
const SITE = `
site: { name: SSO site }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { name: CRM, owner: INTERNAL\\sa_scheduler }
  - { name: ERP, owner: INTERNAL\\sa_scheduler }
tasks:
  - { id: ${IDS.crm}, name: Reload CRM, type: reload, app: CRM, maxRetries: 0, scriptError: "${CONNECTION}" }
  - { id: ${IDS.erp}, name: Reload ERP, type: reload, app: ERP, maxRetries: 0, scriptError: "${CONNECTION}" }
  - { id: ${IDS.hr}, name: Reload HR, type: reload, app: ERP, maxRetries: 0, scriptError: "${CONNECTION}" }
`;
const BASE = "https://steward.corp.example:8443";
const LINK = /https:\/\/steward\.corp\.example:8443(\/act\/incident\/\d+\?[^\s"<>]+)/g;
const ADMIN = generateApiKey();
const KEYS = { annaLaptop: generateApiKey(), annaCli: generateApiKey(), ciBot: generateApiKey() };
const ANNA = "Anna Svensson <anna@corp.example> (sso:anna)";
const BOB = "Bob Berg <bob@corp.example> (sso:bob)";

let dir: OidcDirectory;
let m: MailedHarness | undefined;
let h: Harness;
let smtp: SmtpReceiver;

const post = (form: Record<string, string>, cookie?: string) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
  body: new URLSearchParams(form).toString(),
});
const json = async <T>(path: string) => (await (await h.t.request(path, { headers: { "x-api-key": ADMIN } })).json()) as T;
const fail = async (taskId: string) => (await h.eventFor(await h.runWhenIdle(taskId, "fail"), 15_000)) as TaskEvent;
const starts = (taskId: string) =>
  h.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${taskId}/start`)).length;
const linksOf = (taskName: string, who: string, action: string) =>
  smtp.mails
    .filter((x) => (x.mail.subject ?? "").includes(taskName) && x.envelopeTo.includes(who))
    .flatMap((x) => [...(x.mail.text ?? "").matchAll(LINK)].map((l) => l[1]!).filter((l) => new URLSearchParams(l.split("?")[1]).get("a") === action));

/** Signs `login` in with the directory through Steward's own routes: the session cookie. */
async function signIn(login: string): Promise<string> {
  const start = await h.t.request("/auth/login?next=/ui");
  expect(start.status).toBe(303);
  const callback = new URL(await dir.signIn(start.headers.get("location")!, login));
  const back = await h.t.request(callback.pathname + callback.search);
  expect(back.status).toBe(303);
  const cookie = back.headers.get("set-cookie")!;
  // Reached over HTTPS (http.publicUrl): the __Host- cookie, Secure.
  expect(cookie).toStartWith("__Host-steward_session=");
  expect(cookie).toContain("; Secure");
  return cookie.split(";")[0]!;
}

beforeAll(async () => {
  dir = await startOidcDirectory({
    clientId: "steward",
    clientSecret: "directory-secret",
    redirectUris: [`${BASE}/auth/callback`],
    people: {
      anna: { name: "Anna Svensson", email: "anna@corp.example", groups: ["qlik-ops"] },
      bob: { name: "Bob Berg", email: "bob@corp.example", groups: ["qlik-ops"] },
    },
  });
  m = await startMailedHarness("steward-sso-approval-", {
    site: SITE,
    to: ["anna@corp.example", "anna.svensson@corp.example", "bob@corp.example"],
    extraYaml: (mail) => `
http: { port: 0, publicUrl: "${BASE}" }
channels:
${mail}
routes:
  - { on: [task.failed, task.recovered], to: [mail], renotify: every }
actionLinks: { publicBaseUrl: "${BASE}" }
grouping: { enabled: false }
remediation:
  pollInterval: 1s
  approval: { retry: two-person }
security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(ADMIN)}", scopes: [admin] }
    - { name: anna-laptop, hash: "${hashApiKey(KEYS.annaLaptop)}", scopes: [read, tasks], person: anna@corp.example }
    - { name: anna-cli, hash: "${hashApiKey(KEYS.annaCli)}", scopes: [tasks], person: Anna@Corp.example }
    - { name: ci-bot, hash: "${hashApiKey(KEYS.ciBot)}", scopes: [tasks] }
  sso:
    issuer: ${dir.issuer}
    clientId: steward
    clientSecret: directory-secret
    scopes: [openid, profile, email, groups]
    roles: [{ group: qlik-ops, scopes: [read, tasks] }]
`,
  });
  ({ h, smtp } = m);
}, 60_000);
afterAll(async () => {
  await m?.close();
  await dir?.stop();
});

describe("alert links and the company directory", () => {
  let anna: string;
  let bob: string;

  test("an acknowledgement from Anna's mail while signed in is recorded as her directory identity", { timeout: 60_000 }, async () => {
    const e = await fail(IDS.erp);
    const ack = await waitFor(() => linksOf("Reload ERP", "anna.svensson@corp.example", "ack")[0], { what: "the failure's mail", timeoutMs: 15_000 });
    anna = await signIn("anna");
    const page = await h.t.request(ack, { headers: { cookie: anna } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`As ${ANNA.replace(/</g, "&#60;").replace(/>/g, "&#62;")}`);
    const done = await h.t.request(ack, post({ confirm: "ack" }, anna));
    expect(done.status).toBe(200);
    expect(await done.text()).toContain(`is acknowledged by ${ANNA.replace(/</g, "&#60;").replace(/>/g, "&#62;")}`);
    const incident = await json<{ acknowledgedBy: string }>(`/v4/incidents/${e.incident!.id}`);
    expect(incident.acknowledgedBy).toBe(ANNA);
    await h.t.app.audit.flush();
    const rows = await json<{ entries: Array<{ actor: { kind: string; name: string }; details: { link?: string } }> }>("/v4/audit?action=incident.acknowledge");
    expect(rows.entries[0]).toMatchObject({ actor: { kind: "sso", name: ANNA }, details: { link: "anna.svensson@corp.example" } });
  });

  test("a two-person retry asks to sign in first; Anna's two addresses are one person; Bob confirms: one start", { timeout: 90_000 }, async () => {
    const e = await fail(IDS.crm);
    const id = e.incident!.id;
    const [annaLink, annaOther, bobLink] = (await waitFor(
      () => {
        const l = [
          linksOf("Reload CRM", "anna@corp.example", "retry")[0],
          linksOf("Reload CRM", "anna.svensson@corp.example", "retry")[0],
          linksOf("Reload CRM", "bob@corp.example", "retry")[0],
        ];
        return l.every(Boolean) ? (l as string[]) : undefined;
      },
      { what: "the failure's three mails", timeoutMs: 15_000 },
    )) as [string, string, string];
    const before = starts(IDS.crm);

    // Without a session the link's page and its confirmation ask to sign in, and the link stays unused.
    const ask = await h.t.request(annaLink);
    expect(ask.status).toBe(401);
    const askPage = await ask.text();
    expect(askPage).toContain("Sign in to use this link");
    expect(askPage).toContain(`/auth/login?next=${encodeURIComponent(annaLink).replace(/&/g, "&#38;")}`);
    expect((await h.t.request(annaLink, post({ retry: "0" }))).status).toBe(401);

    const first = await h.t.request(annaLink, post({ retry: "0" }, anna));
    expect(first.status).toBe(200);
    expect(await first.text()).toContain("Waiting for a second person");

    // Her other address's link, signed in as herself: one subject, one person.
    const again = await h.t.request(annaOther, post({ retry: "0" }, anna));
    expect(again.status).toBe(403);
    expect(await again.text()).toContain("needs a second, different person to confirm it");
    expect(starts(IDS.crm)).toBe(before);

    bob = await signIn("bob");
    const second = await h.t.request(bobLink, post({ retry: "0" }, bob));
    expect(second.status).toBe(200);
    await waitFor(async () => (await json<{ actions: Array<{ status: string }> }>(`/v4/incidents/${id}/actions`)).actions[0]?.status === "ended", {
      what: "the confirmed retry to end",
      timeoutMs: 30_000,
    });
    const [done] = (await json<{ actions: Array<Record<string, unknown>> }>(`/v4/incidents/${id}/actions`)).actions;
    expect(done).toMatchObject({ requestedBy: ANNA, confirmedBy: BOB, confirmedFrom: "link", outcome: "succeeded" });
    expect(starts(IDS.crm)).toBe(before + 1);
    const recovery = await waitFor(() => smtp.mails.find((x) => /recovered/i.test(x.mail.subject ?? "") && (x.mail.subject ?? "").includes("Reload CRM")), {
      what: "the recovery mail",
      timeoutMs: 30_000,
    });
    expect(recovery.mail.text).toContain(`Retried by ${ANNA} (from the alert's link), confirmed by ${BOB} (from the alert's link)`);
  });

  test("Anna's key asks over REST; her session (REST and her mail's link) and her other key are her too; a script's key confirms", {
    timeout: 90_000,
  }, async () => {
    const e = await fail(IDS.hr);
    const id = e.incident!.id;
    const annaLink = await waitFor(() => linksOf("Reload HR", "anna@corp.example", "retry")[0], { what: "the failure's mail", timeoutMs: 15_000 });
    const before = starts(IDS.hr);
    const rest = (path: string, auth: Record<string, string>) =>
      h.t.request(path, { method: "POST", headers: { "content-type": "application/json", ...auth }, body: "{}" });

    const asked = await rest(`/v4/incidents/${id}/retry`, { "x-api-key": KEYS.annaLaptop });
    expect(asked.status).toBe(202);
    const { action } = (await asked.json()) as { action: { id: number; status: string; requestedBy: string } };
    expect(action).toMatchObject({ status: "awaiting", requestedBy: "anna-laptop (person:anna@corp.example)" });

    const session = await signIn("anna");
    const bySession = await rest(`/v4/remediation/actions/${action.id}/confirm`, { cookie: session });
    expect(bySession.status).toBe(403);
    expect(((await bySession.json()) as { error: string }).error).toContain("needs a second, different person");
    const byLink = await h.t.request(annaLink, post({ retry: "0" }, session));
    expect(byLink.status).toBe(403);
    // Her other key (the address written in other letters).
    expect((await rest(`/v4/remediation/actions/${action.id}/confirm`, { "x-api-key": KEYS.annaCli })).status).toBe(403);
    expect(starts(IDS.hr)).toBe(before);
    expect((await json<{ actions: Array<{ status: string }> }>(`/v4/incidents/${id}/actions`)).actions.map((a) => a.status)).toEqual(["awaiting"]);

    // A key of no person is a person of its own (docs/security.md): it confirms.
    expect((await rest(`/v4/remediation/actions/${action.id}/confirm`, { "x-api-key": KEYS.ciBot })).status).toBe(202);
    await waitFor(async () => (await json<{ actions: Array<{ status: string }> }>(`/v4/incidents/${id}/actions`)).actions[0]?.status === "ended", {
      what: "the confirmed retry to end",
      timeoutMs: 30_000,
    });
    const [done] = (await json<{ actions: Array<Record<string, unknown>> }>(`/v4/incidents/${id}/actions`)).actions;
    expect(done).toMatchObject({ requestedBy: "anna-laptop (person:anna@corp.example)", confirmedBy: "ci-bot" });
    expect(starts(IDS.hr)).toBe(before + 1);
  });
});
