// Issue 105: the Noise page's "Rehearse a config" in Chromium, against the simulator. Reload CRM fails on a refused
// connection and pages the on-call route by mail; its incident stays open (a fault). An admin signed in on the
// dashboard pastes a new config whose only route (bi) sends task.failed to a BI mailbox, picks the last week and
// presses Rehearse: the page shows the on-call route's page gone from ops mail and one from bi on the BI mail, and
// names Reload CRM as a fault the on-call route would no longer page, as POST /v4/config/rehearse says. A read key's
// rehearsal is refused (admin scope).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { connectionErrorSite } from "../../../helpers/connection-error-site";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import { waitFor } from "../../../helpers/wait-for";
import { launchChromium, type TestBrowser } from "../dashboard/chromium";

const TASK = "d3b20000-0000-4000-8000-000000000001";
const KEYS = { admin: generateApiKey(), reader: generateApiKey() };
const NEW_CONFIG = `channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: 2525, security: none }, from: steward@corp.example, to: [ops@corp.example] }
  bi-mail: { type: email, smtp: { host: 127.0.0.1, port: 2525, security: none }, from: steward@corp.example, to: [bi@corp.example] }
routes:
  - { name: bi, on: [task.failed], to: [bi-mail] }
`;

let m: MailedHarness | undefined;
let browser: TestBrowser | undefined;
const seen = { summary: "", rows: [] as string[][], unpaged: [] as string[], dirty: "" };
let rest: { channels: unknown[]; unpagedFaults: Array<{ taskName: string }> } | undefined;
let readerStatus = 0;

beforeAll(async () => {
  m = await startMailedHarness("steward-rehearse-dashboard-", {
    site: connectionErrorSite("Rehearsed from the dashboard", TASK),
    extraYaml: (mail) => `channels:
${mail.replace("  mail:", "  ops-mail:")}
routes:
  - { name: on-call, on: [task.failed], to: [ops-mail] }
security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(KEYS.admin)}", scopes: [admin, read] }
    - { name: key-read, hash: "${hashApiKey(KEYS.reader)}", scopes: [read] }
`,
  });
  const { h } = m;
  await h.eventFor(await h.runWhenIdle(TASK, "fail"), 15_000);
  await waitFor(() => m!.smtp.mails.length > 0 || undefined, { what: "the on-call page", timeoutMs: 30_000 });
  browser = await launchChromium();
  const page = browser.page;
  await page.goto(`${h.t.app.server!.url().replace(/\/$/, "")}/ui/login?next=${encodeURIComponent("/ui/noise")}`);
  await page.fill("#api-key", KEYS.admin);
  await page.click("#login button[type=submit]");
  await page.waitForSelector("#rehearse-form");
  await page.fill("#rehearse-config", NEW_CONFIG);
  await page.selectOption("#rehearse-since", "1w");
  await page.click('button[data-action="rehearse"]');
  await page.waitForSelector('#rehearse-result [data-role="rehearse-channels"]', { timeout: 60_000 });
  // The dashboard's auto-refresh (every 5 s) leaves a page with a dirty form alone: the answer stays to be read.
  seen.dirty = (await page.getAttribute("#rehearse-form", "data-dirty")) ?? "";
  seen.summary = (await page.locator('[data-role="rehearse-summary"]').textContent()) ?? "";
  for (const tr of await page.locator('[data-role="rehearse-channels"] tr[data-route]').all()) seen.rows.push(await tr.locator("td").allInnerTexts());
  seen.unpaged = await page.locator('[data-role="rehearse-unpaged"] li').allInnerTexts();
  const ask = (key: string) =>
    h.t.request("/v4/config/rehearse", {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({ config: NEW_CONFIG, since: "1w" }),
    });
  rest = (await (await ask(KEYS.admin)).json()) as typeof rest;
  readerStatus = (await ask(KEYS.reader)).status;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await m?.close();
});

test("the rehearsal's table: the on-call route's page is gone from ops mail, and the new bi route pages BI mail", () => {
  expect(seen.summary).toContain("1 pages with the config in force, 1 with the new one");
  expect(seen.dirty).toBe("1");
  expect(seen.rows).toEqual([
    ["bi", "bi-mail", "0", "1", "+1"],
    ["on-call", "ops-mail", "1", "0", "-1"],
  ]);
});

test("the page names the fault the on-call route would no longer page (its incident still open), as REST does", () => {
  expect(seen.unpaged).toHaveLength(1);
  expect(seen.unpaged[0]).toMatch(/^Reload CRM \(incident #\d+, route on-call, first paged [^)]+\): still open$/);
  expect(rest?.unpagedFaults.map((f) => f.taskName)).toEqual(["Reload CRM"]);
  expect(rest?.channels).toHaveLength(2);
});

test("a read key's rehearsal is refused: admin scope", () => {
  expect(readerStatus).toBe(403);
});
