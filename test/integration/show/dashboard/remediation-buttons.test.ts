// The dashboard's Retry (issue 87) in Chromium, against the simulator: a connection error's incident on the task page
// offers "Retry the task" to a viewer signed in with a tasks key; confirmed, it goes through POST
// /v4/incidents/{id}/retry with that key, the task is started once, heals, and the incident's card lists the action
// (who asked, from where, how it ended). A viewer signed in with a read key sees the card without the button, and the
// same call forced with that key answers 403. Its Reload the app asks with the reload's preview (issue 105).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { startHarness, type Harness } from "../../hear/intake/harness";
import { launchChromium, type TestBrowser } from "./chromium";
import { connectionErrorSite } from "../../../helpers/connection-error-site";

const TASK = "d3b10000-0000-4000-8000-000000000001";
const SITE = connectionErrorSite("Retry from the dashboard", TASK);
const KEYS = { ops: generateApiKey(), reader: generateApiKey() };

let dir: TempDir;
let h: Harness;
let browser: TestBrowser | undefined;

beforeAll(async () => {
  dir = createTempDir("steward-remedy-dashboard-");
  h = await startHarness({
    dir: dir.path,
    site: SITE,
    engine: true,
    extraYaml: `
remediation: { pollInterval: 1s }
security:
  apiKeys:
    - { name: key-ops, hash: "${hashApiKey(KEYS.ops)}", scopes: [tasks, read] }
    - { name: key-read, hash: "${hashApiKey(KEYS.reader)}", scopes: [read] }
`,
  });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
  dir?.remove();
});

const BUTTON = 'button[data-action="retry-incident"]';
const RELOAD = 'button[data-action="reload-app"]';

async function signIn(key: string, next: string): Promise<void> {
  const page = browser!.page;
  await page.context().clearCookies();
  await page.goto(`${h.t.app.server!.url().replace(/\/$/, "")}/ui/login?next=${encodeURIComponent(next)}`);
  await page.fill("#api-key", key);
  await page.click("#login button[type=submit]");
  await page.waitForSelector("#task-incident");
}

test("a read key sees the incident without Retry, and the forced call is refused", { timeout: 60_000 }, async () => {
  const e = await h.eventFor(await h.runWhenIdle(TASK, "fail"), 15_000);
  expect(e.errorClass).toBe("connection");
  await signIn(KEYS.reader, `/ui/tasks/${TASK}`);
  expect(await browser!.page.locator(BUTTON).count()).toBe(0);
  expect(await browser!.page.locator(RELOAD).count()).toBe(0);
  const forced = await h.t.request(`/v4/incidents/${e.incident!.id}/retry`, {
    method: "POST",
    headers: { "x-api-key": KEYS.reader, "content-type": "application/json" },
    body: "{}",
  });
  expect(forced.status).toBe(403);
  expect(
    ((await (await h.t.request(`/v4/incidents/${e.incident!.id}/actions`, { headers: { "x-api-key": KEYS.reader } })).json()) as { actions: unknown[] })
      .actions,
  ).toEqual([]);
});

test("a tasks key's Retry asks first, starts the task once, and the card shows the action and how it ended", { timeout: 60_000 }, async () => {
  const page = browser!.page;
  await signIn(KEYS.ops, `/ui/tasks/${TASK}`);
  const incidentId = Number(await page.getAttribute("#task-incident", "data-incident"));
  const asked: string[] = [];
  page.once("dialog", (d) => {
    asked.push(d.message());
    void d.dismiss();
  });
  await page.click(BUTTON);
  await waitFor(() => asked[0], { what: "the question" });
  expect(asked[0]).toContain("Retry Reload CRM now?");
  const actions = async () =>
    (
      (await (await h.t.request(`/v4/incidents/${incidentId}/actions`, { headers: { "x-api-key": KEYS.ops } })).json()) as {
        actions: Array<Record<string, unknown>>;
      }
    ).actions;
  expect(await actions()).toEqual([]);

  page.once("dialog", (d) => void d.accept());
  await page.click(BUTTON);
  await waitFor(async () => (await actions())[0]?.status === "ended", { what: "the retry's run to end", timeoutMs: 30_000 });
  expect((await actions())[0]).toMatchObject({ requestedBy: "key-ops", requestedFrom: "rest", outcome: "succeeded" });
  expect(h.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${TASK}/start`))).toHaveLength(1);
  // The page made again (signed in anew: the key is kept in the tab's script, not across a reload).
  await signIn(KEYS.ops, `/ui/tasks/${TASK}`);
  const row = page.locator('#task-incident table[data-role="actions"] tr[data-action-id]');
  await row.first().waitFor({ state: "attached" });
  const text = await row.first().textContent();
  expect(text).toContain("Retry #");
  expect(text).toContain("key-ops");
  expect(text).toContain("ended: succeeded");
  expect(text).toContain("Qlik started the task");
  // The incident recovered: no Retry any more.
  expect(await page.locator(BUTTON).count()).toBe(0);
});

test("a tasks key's Reload the app asks first, reloads the app once through the Engine, and the card lists it", { timeout: 60_000 }, async () => {
  const e = await h.eventFor(await h.runWhenIdle(TASK, "fail"), 15_000);
  const page = browser!.page;
  await signIn(KEYS.ops, `/ui/tasks/${TASK}`);
  const incidentId = Number(await page.getAttribute("#task-incident", "data-incident"));
  expect(incidentId).toBe(e.incident!.id);
  const asked: string[] = [];
  page.once("dialog", (d) => {
    asked.push(d.message());
    void d.accept();
  });
  await page.click(RELOAD);
  const actions = async () =>
    (
      (await (await h.t.request(`/v4/incidents/${incidentId}/actions`, { headers: { "x-api-key": KEYS.ops } })).json()) as {
        actions: Array<Record<string, unknown>>;
      }
    ).actions;
  await waitFor(async () => (await actions())[0]?.status === "ended", { what: "the Engine reload to end", timeoutMs: 30_000 });
  expect(asked[0]).toContain("Reload the app of Reload CRM through the Engine now");
  // Its dry run's preview (issue 105), asked before the question: what the reload does and when.
  expect(asked[0]).toMatch(
    /If you confirm now:\n.+: reloaded now through the Engine \(a (full|partial) reload[^)]*\), without waiting for the Scheduler's queue/,
  );
  expect((await actions())[0]).toMatchObject({ kind: "reload", requestedBy: "key-ops", outcome: "succeeded" });
  expect(h.sim.engine.reloads.filter((r) => r.appId === e.app!.id).map((r) => r.status)).toEqual(["succeeded"]);
  await signIn(KEYS.ops, `/ui/tasks/${TASK}`);
  const row = page.locator('#task-incident table[data-role="actions"] tr[data-action-id]');
  await row.first().waitFor({ state: "attached" });
  expect(await row.first().textContent()).toContain("Engine reload");
  expect(await row.first().textContent()).toContain("the Engine reloaded the app and saved it");
});
