// The dashboard's Retry under the two-person rule (remediation.approval.retry: two-person) in Chromium, against the
// simulator: key-ops1's press is recorded and the page says it waits for a second person (nothing starts); the same
// viewer pressing again is told why not (403); key-ops2's press confirms it, the page says so, the task starts once.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { startHarness, type Harness } from "../../hear/intake/harness";
import { launchChromium, type TestBrowser } from "./chromium";
import { connectionErrorSite } from "../../../helpers/connection-error-site";

const TASK = "d3b20000-0000-4000-8000-000000000001";
const SITE = connectionErrorSite("Two people from the dashboard", TASK);
const KEYS = { one: generateApiKey(), two: generateApiKey() };
const BUTTON = 'button[data-action="retry-incident"]';

let dir: TempDir;
let h: Harness;
let browser: TestBrowser | undefined;

beforeAll(async () => {
  dir = createTempDir("steward-remedy-dashboard-two-");
  h = await startHarness({
    dir: dir.path,
    site: SITE,
    extraYaml: `
remediation: { pollInterval: 1s, approval: { retry: two-person } }
security:
  apiKeys:
    - { name: key-ops1, hash: "${hashApiKey(KEYS.one)}", scopes: [tasks, read] }
    - { name: key-ops2, hash: "${hashApiKey(KEYS.two)}", scopes: [tasks, read] }
`,
  });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
  dir?.remove();
});

async function signIn(key: string): Promise<void> {
  const page = browser!.page;
  await page.context().clearCookies();
  await page.goto(`${h.t.app.server!.url().replace(/\/$/, "")}/ui/login?next=${encodeURIComponent(`/ui/tasks/${TASK}`)}`);
  await page.fill("#api-key", key);
  await page.click("#login button[type=submit]");
  await page.waitForSelector("#task-incident");
}

async function press(): Promise<string> {
  const page = browser!.page;
  page.once("dialog", (d) => void d.accept());
  await page.evaluate(() => {
    const t = document.getElementById("toast");
    if (t) t.textContent = "";
  });
  await page.click(BUTTON);
  return waitFor(async () => (await page.textContent("#toast")) || undefined, { what: "the page's answer" });
}

test("the first viewer's Retry waits for a second person; the same viewer is refused; a second viewer confirms: one start", { timeout: 90_000 }, async () => {
  const e = await h.eventFor(await h.runWhenIdle(TASK, "fail"), 15_000);
  const starts = () => h.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${TASK}/start`)).length;
  const before = starts();
  const actions = async () =>
    (
      (await (await h.t.request(`/v4/incidents/${e.incident!.id}/actions`, { headers: { "x-api-key": KEYS.one } })).json()) as {
        actions: Array<Record<string, unknown>>;
      }
    ).actions;

  await signIn(KEYS.one);
  expect(await press()).toContain("waits for a second person");
  expect((await actions())[0]).toMatchObject({ status: "awaiting", requestedBy: "key-ops1" });
  const refused = await press();
  expect(refused).toContain("needs a second, different person to confirm it");
  expect(refused).toContain("HTTP 403");
  expect(starts()).toBe(before);

  await signIn(KEYS.two);
  expect(await press()).toContain("Confirmed what key-ops1 asked for");
  await waitFor(async () => (await actions())[0]?.status === "ended", { what: "the retry's run to end", timeoutMs: 30_000 });
  expect((await actions())[0]).toMatchObject({ requestedBy: "key-ops1", confirmedBy: "key-ops2", outcome: "succeeded" });
  expect(starts()).toBe(before + 1);
});
