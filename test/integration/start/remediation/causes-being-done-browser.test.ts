// Issue 101 in Chromium: the dashboard's Causes page says what is being done about a cause, and the action's outcome
// replaces it on the open page. The DWH site (four reloads on one source that refuses connections from 01:55 to
// 02:12, the documented retry rule) on the simulator and a stepped clock shared with Steward: at 02:10 a person signed
// in with a read-only key opens the Causes page and reads the rule's retry 2 held and due, the three other tasks
// waiting for it, and retry 1's failure. The source comes back, the retry heals the cause, and the open page's own
// refresh (no reload) moves the cause to Recovered with each retry's outcome and nothing left being done.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { closeAll, type TestApp } from "../../../helpers/app";
import { dwhSite, dwhSteward, MIN, setOutcome, START } from "../../../helpers/dwh-source-site";
import { freeTcpPort } from "../../../helpers/free-port";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { launchChromium, type TestBrowser } from "../../show/dashboard/chromium";
import { startSmtpReceiver, type SmtpReceiver } from "../../tell/notify/receivers";

const VIEWER = generateApiKey();
const dir = createTempDir("steward-causes-being-done-browser-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let smtp: SmtpReceiver | undefined;
let browser: TestBrowser | undefined;
let page: Page;
let port = 0;

const texts = (selector: string) => page.locator(selector).allInnerTexts();
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical findings on the page as it is now, in the light and the dark theme (as accessibility.test.ts). */
async function seriousViolations(): Promise<string[]> {
  const out: string[] = [];
  // The page's auto-refresh paused meanwhile (the box alone, not the viewer's saved choice): axe reads a page that stays.
  const autoRefresh = (on: boolean) =>
    page.evaluate((v) => {
      const box = document.getElementById("autorefresh") as HTMLInputElement | null;
      if (box) box.checked = v;
    }, on);
  await autoRefresh(false);
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await page.evaluate(AXE);
    const found = (await page.evaluate(async () => {
      const r = await (window as unknown as { axe: { run(o: unknown): Promise<{ violations: unknown[] }> } }).axe.run({ resultTypes: ["violations"] });
      return r.violations;
    })) as Array<{ id: string; impact: string | null }>;
    out.push(...found.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${colorScheme}: ${v.id}`));
  }
  await autoRefresh(true);
  return out;
}

beforeAll(async () => {
  port = await freeTcpPort();
  s = await startSteppedSite(dir.path, START, dwhSite());
  smtp = await startSmtpReceiver();
  t = dwhSteward(
    s,
    dir.path,
    smtp,
    `http: { host: 127.0.0.1, port: ${port} }
security:
  apiKeys:
    - { name: key-viewer, hash: "${hashApiKey(VIEWER)}", scopes: [read] }
`,
  );
  const starting = t.app.start();
  await s.clock.runUntil(START);
  await starting;
  await s.clock.runUntil(START + 5 * MIN);
  await setOutcome(s, "fail");
  await s.clock.runUntil(START + 20 * MIN);
  browser = await launchChromium({ timezoneId: "UTC" });
  page = browser.page;
  await page.goto(`http://127.0.0.1:${port}/ui/login?next=${encodeURIComponent("/ui/causes")}`);
  await page.fill("#api-key", VIEWER);
  await page.click("#login button[type=submit]");
  await page.waitForSelector('li[data-role="doing"]');
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await closeAll(t, s?.sim, dir);
  await smtp?.stop();
});

test("02:10: the open cause says the rule's retry 2 is due and when, what the other three wait for, and that retry 1 failed", async () => {
  const doing = await texts('li[data-role="doing"]');
  expect(doing).toHaveLength(4);
  expect(doing[0]).toMatch(/^Load 0\d: retry 2 due at 2026-03-10 02:2\d UTC \(rule connection-retries, attempt 2 of 2\)$/);
  for (const w of doing.slice(1)) expect(w).toMatch(/^Load 0\d: waiting for the retry of Load 0\d \(same cause\): retried once it succeeds/);
  const done = await texts('li[data-role="done"]');
  expect(done).toHaveLength(1);
  expect(done[0]).toMatch(/^failed Load 0\d: Retried by rule:connection-retries .*; the retry failed\. Its failing line: Connection refused/);
  // Both are under the open cause, in its own row.
  expect(await page.locator('section:has(h2:text-is("Open")) tr[data-role="being-done"]').count()).toBe(1);
  expect(await seriousViolations()).toEqual([]);
});

test("the source back, the retries' outcomes replace the hold on the open page, the cause recovered", { timeout: 120_000 }, async () => {
  await s!.clock.runUntil(START + 22 * MIN);
  await setOutcome(s!, "succeed");
  await s!.clock.runUntil(START + 60 * MIN);
  // The page's own auto-refresh (every 5 s) draws it anew: no reload here.
  await page.waitForSelector('section:has(h2:text-is("Recovered")) li[data-role="done"]', { timeout: 60_000 });
  expect(await page.locator('li[data-role="doing"]').count()).toBe(0);
  const done = await texts('section:has(h2:text-is("Recovered")) li[data-role="done"]');
  expect(done.filter((l) => l.startsWith("succeeded ") && l.endsWith("the retry succeeded."))).toHaveLength(4);
  expect(done.filter((l) => l.startsWith("failed "))).toHaveLength(1);
  expect(await page.locator('section:has(h2:text-is("Open")) tr[data-role="being-done"]').count()).toBe(0);
  expect(await seriousViolations()).toEqual([]);
});
