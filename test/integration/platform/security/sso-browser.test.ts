// Single sign-on as people do it, in two real browsers, against the simulator and a real OpenID Provider on loopback.
// In Chromium Anna opens her alert mail's Acknowledge link: the link asks her to sign in (security.sso.
// requireForActions); she signs in at the directory (its own login and consent pages) and comes back to the link,
// acknowledges as her directory identity, asks for a two-person retry from the next mail, is refused as the second
// person from the mail to her other address, and signs out (at the directory too). In Firefox Bob signs in from his
// mail's retry link and confirms the retry: the task starts once, asked by Anna's identity and confirmed by Bob's.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { freeTcpPort } from "../../../helpers/free-port";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import { startOidcDirectory, type OidcDirectory } from "../../../helpers/oidc-directory";
import { waitFor } from "../../../helpers/wait-for";
import type { Harness } from "../../hear/intake/harness";
import { launchChromium, type TestBrowser } from "../../show/dashboard/chromium";
import { type FirefoxPage, launchFirefox } from "../../show/dashboard/firefox";
import type { SmtpReceiver } from "../../tell/notify/receivers";

const IDS = { crm: "7e3d0000-0000-4000-8000-000000000001", erp: "7e3d0000-0000-4000-8000-000000000002" };
const CONNECTION = "Cannot connect to the data source crm-db.corp.example:1433: connection refused";
const SITE = `
site: { name: SSO browser site }
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
`;
const ADMIN = generateApiKey();
const ANNA = "Anna Svensson <anna@corp.example> (sso:anna)";
const BOB = "Bob Berg <bob@corp.example> (sso:bob)";

let dir: OidcDirectory;
let m: MailedHarness | undefined;
let h: Harness;
let smtp: SmtpReceiver;
let chromium: TestBrowser | undefined;
let firefox: FirefoxPage | undefined;
let base: string;
/** The incident of the CRM failure whose retry Anna asks for and Bob confirms. */
let crmIncident: number;

const json = async <T>(path: string) => (await (await h.t.request(path, { headers: { "x-api-key": ADMIN } })).json()) as T;
const fail = async (taskId: string) => (await h.eventFor(await h.runWhenIdle(taskId, "fail"), 15_000)) as TaskEvent;
const starts = (taskId: string) =>
  h.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${taskId}/start`)).length;
const linkOf = (taskName: string, who: string, action: string) =>
  waitFor(
    () => {
      const link = new RegExp(`${base.replace(/[.:/]/g, "\\$&")}/act/incident/\\d+\\?[^\\s"<>]+`, "g");
      return smtp.mails
        .filter((x) => (x.mail.subject ?? "").includes(taskName) && x.envelopeTo.includes(who))
        .flatMap((x) => [...(x.mail.text ?? "").matchAll(link)].map((l) => l[0]))
        .find((l) => new URL(l).searchParams.get("a") === action);
    },
    { what: `the ${action} link of ${taskName} to ${who}`, timeoutMs: 15_000 },
  );

beforeAll(async () => {
  const port = await freeTcpPort();
  base = `http://127.0.0.1:${port}`;
  dir = await startOidcDirectory({
    clientId: "steward",
    clientSecret: "directory-secret",
    redirectUris: [`${base}/auth/callback`],
    postLogoutRedirectUris: [`${base}/auth/signed-out`],
    people: {
      anna: { name: "Anna Svensson", email: "anna@corp.example", groups: ["qlik-ops"] },
      bob: { name: "Bob Berg", email: "bob@corp.example", groups: ["qlik-ops"] },
    },
  });
  m = await startMailedHarness("steward-sso-browser-", {
    site: SITE,
    to: ["anna@corp.example", "anna.svensson@corp.example", "bob@corp.example"],
    extraYaml: (mail) => `
http: { host: 127.0.0.1, port: ${port}, publicUrl: "${base}" }
channels:
${mail}
routes:
  - { on: [task.failed, task.recovered], to: [mail], renotify: every }
grouping: { enabled: false }
remediation:
  pollInterval: 1s
  approval: { retry: two-person }
security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(ADMIN)}", scopes: [admin] }
  sso:
    issuer: ${dir.issuer}
    clientId: steward
    clientSecret: directory-secret
    scopes: [openid, profile, email, groups]
    requireForActions: true
    roles: [{ group: qlik-ops, scopes: [admin] }]
`,
  });
  ({ h, smtp } = m);
  chromium = await launchChromium();
  firefox = await launchFirefox();
}, 120_000);
afterAll(async () => {
  await chromium?.close();
  await firefox?.close();
  await m?.close();
  await dir?.stop();
});

test("Anna in Chromium: signs in from her mail's link, acknowledges and asks for a retry as herself, signs out", { timeout: 120_000 }, async () => {
  const page = chromium!.page;
  const erp = await fail(IDS.erp);
  await page.goto(await linkOf("Reload ERP", "anna.svensson@corp.example", "ack"));
  expect(await page.textContent("h1")).toBe("Sign in to use this link");
  await page.click("text=Sign in with your company account");
  // The directory's own pages: its login form, then its consent.
  await page.fill('input[name="login"]', "anna");
  await page.fill('input[name="password"]', "any");
  await page.click('button[type="submit"]');
  await page.click('button[type="submit"]');
  await page.waitForURL((u) => u.href.startsWith(`${base}/act/incident/`));
  expect(await page.textContent("h1")).toBe("Acknowledge this incident?");
  await page.click('button[value="ack"]');
  await page.waitForSelector("text=is acknowledged by");
  expect(await page.textContent("main")).toContain(`is acknowledged by ${ANNA}`);
  expect((await json<{ acknowledgedBy: string }>(`/v4/incidents/${erp.incident!.id}`)).acknowledgedBy).toBe(ANNA);

  crmIncident = (await fail(IDS.crm)).incident!.id;
  const before = starts(IDS.crm);
  await page.goto(await linkOf("Reload CRM", "anna@corp.example", "retry"));
  expect(await page.textContent("h1")).toBe("Start this task again?");
  await page.click('button[name="retry"][value="0"]');
  await page.waitForSelector("text=Waiting for a second person");
  // Her other address's mail: the same person, refused as the second one.
  await page.goto(await linkOf("Reload CRM", "anna.svensson@corp.example", "retry"));
  await page.click('button[name="retry"][value="0"]');
  await page.waitForSelector("text=needs a second, different person");
  expect(starts(IDS.crm)).toBe(before);

  // Signing out ends the session at Steward and, after its question, at the directory.
  await page.goto(`${base}/auth/logout`);
  await page.click('button[name="logout"]');
  await page.waitForURL(`${base}/auth/signed-out`);
  expect(await page.textContent("h1")).toBe("Signed out");
  await page.goto(`${base}/auth/session`);
  expect(JSON.parse((await page.textContent("body")) ?? "{}")).toEqual({ signedIn: false });
});

test("Bob in Firefox: signs in from his mail's retry link and confirms Anna's retry: the task starts once", { timeout: 120_000 }, async () => {
  const ff = firefox!;
  const before = starts(IDS.crm);
  await ff.goto(await linkOf("Reload CRM", "bob@corp.example", "retry"));
  expect(await ff.text()).toContain("Sign in to use this link");
  await ff.click("main a");
  await waitFor(async () => ((await ff.evaluate<boolean>('document.querySelector("input[name=login]") !== null').catch(() => false)) ? true : undefined), {
    what: "the directory's login form in Firefox",
    timeoutMs: 30_000,
  });
  // The directory's forms are submitted from the page (a click at a point of a page still laying out its web font
  // could miss the button); Steward's own buttons are clicked as a person would.
  await ff
    .evaluate(
      '(document.querySelector("input[name=login]").value = "bob", document.querySelector("input[name=password]").value = "any", document.querySelector("form").requestSubmit(), true)',
    )
    .catch(() => undefined); // the page may be leaving as it answers
  await waitFor(
    async () =>
      (await ff
        .evaluate<boolean>('document.readyState === "complete" && document.querySelector("input[name=prompt][value=consent]") !== null')
        .catch(() => false))
        ? true
        : undefined,
    { what: "the directory's consent in Firefox", timeoutMs: 30_000 },
  );
  await ff.evaluate('(document.querySelector("form").requestSubmit(), true)').catch(() => undefined);
  await waitFor(async () => ((await ff.text().catch(() => "")).includes("Start this task again?") ? true : undefined), {
    what: "the link's page again, signed in",
    timeoutMs: 30_000,
  }).catch(async (err: Error) => {
    throw new Error(`${err.message}; Firefox shows ${await ff.evaluate<string>("location.href")}: ${(await ff.text()).slice(0, 400)}`);
  });
  await ff.click('button[name="retry"][value="0"]');
  const done = await waitFor(
    async () => {
      const text = await ff.text().catch(() => "");
      return /asked by .* will be started again/.test(text) ? text : undefined;
    },
    { what: "Bob's confirmation in Firefox", timeoutMs: 30_000 },
  );
  expect(done).toContain(`asked by ${ANNA}`);
  await waitFor(() => (starts(IDS.crm) === before + 1 ? true : undefined), { what: "the retry's one start", timeoutMs: 30_000 });
  const [action] = (await json<{ actions: Array<Record<string, unknown>> }>(`/v4/incidents/${crmIncident}/actions`)).actions;
  expect(action).toMatchObject({ requestedBy: ANNA, confirmedBy: BOB, confirmedFrom: "link" });
});
