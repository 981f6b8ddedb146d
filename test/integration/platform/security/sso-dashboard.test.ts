// The dashboard's own buttons for a person signed in with the company directory, in Chromium against the simulator
// and a real OpenID Provider on loopback: Anna (a group mapped to admin) opens the dashboard, is sent to the
// directory, signs in there and acknowledges and snoozes incidents with the dashboard's buttons; the incident, its
// silence and the audit name her directory identity. Bob (a group mapped to read only) sees his presses refused with
// the 403's message naming the scope he lacks. A page of another origin on the same host (same site, so the
// SameSite=Lax cookie goes with its post) is refused by the browser guard. On the Sessions page Anna ends Bob's session.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { freeTcpPort } from "../../../helpers/free-port";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import { startOidcDirectory, type OidcDirectory } from "../../../helpers/oidc-directory";
import { waitFor } from "../../../helpers/wait-for";
import type { Harness } from "../../hear/intake/harness";
import { launchChromium, type TestBrowser } from "../../show/dashboard/chromium";

const IDS = {
  crm: "7e3d0000-0000-4000-8000-000000000011",
  erp: "7e3d0000-0000-4000-8000-000000000012",
  hr: "7e3d0000-0000-4000-8000-000000000013",
  fin: "7e3d0000-0000-4000-8000-000000000014",
};
const CONNECTION = "Cannot connect to the data source crm-db.corp.example:1433: connection refused";
const SITE = `
site: { name: SSO dashboard site }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { name: CRM, owner: INTERNAL\\sa_scheduler }
  - { name: ERP, owner: INTERNAL\\sa_scheduler }
  - { name: HR, owner: INTERNAL\\sa_scheduler }
  - { name: FIN, owner: INTERNAL\\sa_scheduler }
tasks:
  - { id: ${IDS.crm}, name: Reload CRM, type: reload, app: CRM, maxRetries: 0, scriptError: "${CONNECTION}" }
  - { id: ${IDS.erp}, name: Reload ERP, type: reload, app: ERP, maxRetries: 0, scriptError: "${CONNECTION}" }
  - { id: ${IDS.hr}, name: Reload HR, type: reload, app: HR, maxRetries: 0, scriptError: "${CONNECTION}" }
  - { id: ${IDS.fin}, name: Reload FIN, type: reload, app: FIN, maxRetries: 0, scriptError: "${CONNECTION}" }
`;
const ADMIN = generateApiKey();
const ANNA = "Anna Svensson <anna@corp.example> (sso:anna)";

let dir: OidcDirectory;
let m: MailedHarness | undefined;
let h: Harness;
let anna: TestBrowser | undefined;
let bob: TestBrowser | undefined;
let base: string;

const json = async <T>(path: string) => (await (await h.t.request(path, { headers: { "x-api-key": ADMIN } })).json()) as T;
const fail = async (taskId: string) => ((await h.eventFor(await h.runWhenIdle(taskId, "fail"), 15_000)) as TaskEvent).incident!.id;

/** Opens the incidents page in `b`: the dashboard sends the person to the directory, where they sign in as `login`. */
async function signInAt(b: TestBrowser, login: string): Promise<void> {
  const page = b.page;
  await page.goto(`${base}/ui/incidents`);
  // The key page offers the directory first.
  if (!page.url().startsWith(dir.issuer)) await page.click("text=Sign in with your company account");
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', "any");
  await page.click('button[type="submit"]');
  await page.click('button[type="submit"]');
  await page.waitForURL(`${base}/ui/incidents`);
}

/** Presses a dashboard button and answers the question it asks (a prompt or a confirm): the question. */
async function press(b: TestBrowser, selector: string, answer?: string): Promise<string> {
  const asked = new Promise<string>((resolve) =>
    b.page.once("dialog", (d) => {
      resolve(d.message());
      void d.accept(answer);
    }),
  );
  await b.page.click(selector);
  return asked;
}

const toast = (b: TestBrowser, re: RegExp) =>
  waitFor(
    async () => {
      const t = (await b.page.textContent("#toast").catch(() => null)) ?? "";
      return re.test(t) ? t : undefined;
    },
    { what: `a toast matching ${re}` },
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
      bob: { name: "Bob Berg", email: "bob@corp.example", groups: ["qlik-readers"] },
      dora: { name: "Dora Dahl", email: "dora@corp.example", groups: ["qlik-ops"] },
    },
  });
  m = await startMailedHarness("steward-sso-dashboard-", {
    site: SITE,
    extraYaml: (mail) => `
http: { host: 127.0.0.1, port: ${port}, publicUrl: "${base}" }
channels:
${mail}
routes:
  - { on: [task.failed], to: [mail] }
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
    roles:
      - { group: qlik-ops, scopes: [admin] }
      - { group: qlik-readers, scopes: [read] }
`,
  });
  ({ h } = m);
  anna = await launchChromium();
  bob = await launchChromium();
}, 120_000);
afterAll(async () => {
  await anna?.close();
  await bob?.close();
  await m?.close();
  await dir?.stop();
});

test("Anna signs in from the dashboard, acknowledges and snoozes with its buttons: the incident, the silence and the audit name her", {
  timeout: 120_000,
}, async () => {
  const erp = await fail(IDS.erp);
  const crm = await fail(IDS.crm);
  await signInAt(anna!, "anna");

  const question = await press(anna!, `tr[data-incident="${erp}"] button[data-action="ack-incident"]`, "on it");
  expect(question).toContain("Acknowledge the incident of");
  await toast(anna!, /^Acknowledged /);
  const acked = await json<{ acknowledgedBy: string; timeline?: Array<Record<string, unknown>> }>(`/v4/incidents/${erp}`);
  expect(acked.acknowledgedBy).toBe(ANNA);
  await anna!.page.waitForSelector(`tr[data-incident="${erp}"] td[data-role="ack"] b`);
  expect(await anna!.page.textContent(`tr[data-incident="${erp}"] td[data-role="ack"] b`)).toBe(ANNA);

  expect(await press(anna!, `tr[data-incident="${crm}"] button[data-action="snooze"]`)).toMatch(/^Snooze .+\? Its further alerts are held/);
  await toast(anna!, /^Snoozed /);
  const { silences } = await json<{ silences: Array<{ author: string; matcher: { incidentIds?: number[] } }> }>("/v4/silences");
  expect(silences.find((s) => s.matcher.incidentIds?.includes(crm))?.author).toBe(ANNA);

  await waitFor(
    async () => {
      const { entries } = await json<{ entries: Array<{ action: string; actor: { kind: string; name: string }; details?: { route?: string } }> }>(
        "/v4/audit?action=api.write&limit=200",
      );
      const mine = entries.filter((e) => e.actor.kind === "sso" && e.actor.name === ANNA).map((e) => e.details?.route ?? "");
      return mine.some((r) => r.includes("/acknowledge")) && mine.some((r) => r.includes("/v4/silences")) ? mine : undefined;
    },
    { what: "Anna's acknowledgement and snooze in the audit, under her directory identity" },
  );
});

test("Bob, whose group maps to read only, sees the dashboard but his presses are refused with the scope he lacks", { timeout: 120_000 }, async () => {
  const hr = await fail(IDS.hr);
  await signInAt(bob!, "bob");
  await press(bob!, `tr[data-incident="${hr}"] button[data-action="ack-incident"]`, "");
  const refused = await toast(bob!, /HTTP 403/);
  expect(refused).toContain('Bob Berg <bob@corp.example> (sso:bob) lacks scope "admin"');
  expect((await json<{ acknowledgedBy: string | null }>(`/v4/incidents/${hr}`)).acknowledgedBy ?? null).toBeNull();
});

test("a page of another origin on the same host cannot act with Anna's session: the browser guard refuses its post", { timeout: 60_000 }, async () => {
  const hr = await fail(IDS.hr);
  const port = await freeTcpPort();
  const action = `${base}/v4/incidents/${hr}/acknowledge`;
  // Same site as Steward (127.0.0.1, another port): the browser sends the SameSite=Lax cookie with this post.
  const evil = Bun.serve({
    hostname: "127.0.0.1",
    port,
    fetch: () =>
      new Response(
        `<!doctype html><form method="post" action="${action}" enctype="text/plain"><input name='{"note":"x","y":"' value='"}'><button id="go" type="submit">Win a prize</button></form>`,
        { headers: { "content-type": "text/html" } },
      ),
  });
  try {
    const page = anna!.page;
    await page.goto(`http://127.0.0.1:${port}/`);
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url() === action), page.click("#go")]);
    expect(answer.request().headers().cookie ?? (await answer.request().allHeaders()).cookie).toContain("steward_session=");
    expect(answer.status()).toBe(403);
    expect(await answer.text()).toContain(`cross-origin POST from http://127.0.0.1:${port} refused`);
    expect((await json<{ acknowledgedBy: string | null }>(`/v4/incidents/${hr}`)).acknowledgedBy ?? null).toBeNull();
  } finally {
    await evil.stop(true);
  }
});

test("Anna ends Bob's session from the dashboard's Sessions page: his browser is signed out", { timeout: 60_000 }, async () => {
  const page = anna!.page;
  await page.goto(`${base}/ui/sessions`);
  const row = `tr[data-subject="bob"]`;
  await page.waitForSelector(row);
  expect(await page.textContent(`${row} td`)).toContain("Bob Berg <bob@corp.example>");
  expect(await page.textContent(`${row} td:nth-child(6)`)).toContain("127.0.0.1");
  expect(await press(anna!, `${row} button[data-action="end-session"]`)).toContain("End this session of Bob Berg <bob@corp.example>?");
  await toast(anna!, /^Ended a session of Bob Berg/);
  await waitFor(async () => ((await page.$(row)) === null ? true : undefined), { what: "Bob's row to leave the page" });
  await bob!.page.goto(`${base}/auth/session`);
  expect(JSON.parse((await bob!.page.textContent("body")) ?? "{}")).toEqual({ signedIn: false });
  const { entries } = await json<{ entries: Array<{ actor: { name: string }; details: { op?: string; object?: string } }> }>(
    "/v4/audit?action=api.write&limit=50",
  );
  expect(entries.find((e) => e.details.op === "sso.session.revoke")).toMatchObject({
    actor: { name: ANNA },
    details: { object: "Bob Berg <bob@corp.example> (sso:bob)" },
  });
});

test("the two-person rule from the dashboard counts directory identities: Anna asks, Anna again is refused, Dora confirms", { timeout: 120_000 }, async () => {
  const incident = await fail(IDS.fin);
  const starts = () => h.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${IDS.fin}/start`)).length;
  const before = starts();
  const retry = 'button[data-action="retry-incident"]';
  const pressRetry = async (b: TestBrowser) => {
    await b.page.evaluate(() => {
      const t = document.getElementById("toast");
      if (t) t.textContent = "";
    });
    // The dry run's preview, then the question itself: both accepted.
    b.page.on("dialog", (d) => void d.accept());
    try {
      await b.page.click(retry);
      return await waitFor(async () => (await b.page.textContent("#toast")) || undefined, { what: "the page's answer" });
    } finally {
      b.page.removeAllListeners("dialog");
    }
  };
  await anna!.page.goto(`${base}/ui/tasks/${IDS.fin}`);
  expect(await pressRetry(anna!)).toContain("waits for a second person");
  const refused = await pressRetry(anna!);
  expect(refused).toContain("needs a second, different person");
  expect(refused).toContain("HTTP 403");
  expect(starts()).toBe(before);

  // Bob's browser, its cookies gone (at the directory too), signed in as Dora.
  await bob!.ctx.clearCookies();
  await signInAt(bob!, "dora");
  await bob!.page.goto(`${base}/ui/tasks/${IDS.fin}`);
  expect(await pressRetry(bob!)).toContain(`Confirmed what ${ANNA} asked for`);
  await waitFor(() => (starts() === before + 1 ? true : undefined), { what: "the retry's one start", timeoutMs: 30_000 });
  const [action] = (await json<{ actions: Array<Record<string, unknown>> }>(`/v4/incidents/${incident}/actions`)).actions;
  expect(action).toMatchObject({ requestedBy: ANNA, confirmedBy: "Dora Dahl <dora@corp.example> (sso:dora)" });
});
