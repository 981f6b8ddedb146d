// /ui/noise in Chromium: after three nights of two tasks that fail and recover by themselves, the page shows the route's
// pages, the task as the noisiest, the budget line and the proposed pageAfter with its path and YAML; "Apply" (after
// asking) writes it to the config file and reloads, and the page then no longer proposes it. The menu leads there.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { type NoisyNights, startNoisyNights } from "../../../helpers/noisy-nights";
import { createTempDir } from "../../../helpers/temp-dir";
import { launchChromium, type TestBrowser } from "./chromium";

const dir = createTempDir("steward-noise-page-");
let n: NoisyNights | undefined;
let browser: TestBrowser | undefined;

beforeAll(async () => {
  n = await startNoisyNights(dir.path);
  await n.nights(0, 3, false, true);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await n?.close();
  dir.remove();
});

test("the noise page shows the pages and the proposal, and Apply writes it to the config file", { timeout: 60_000 }, async () => {
  const page = browser!.page;
  await page.goto(`${n!.app.server!.url()}/ui/deliveries`);
  await page.click('nav a[data-page="noise"]');
  await page.waitForSelector("#noise-budget");
  expect(await page.locator("#noise-budget h2").textContent()).toBe("6 pages, 0 held");
  expect(await page.locator("#noise-budget p").first().textContent()).toContain("6 pages a week against a budget of 8; 0 % acted on (goal 30 %)");
  expect(await page.locator("#noise-routes tbody tr").first().locator("td").allTextContents()).toEqual([
    "on-call",
    "task.failed",
    "6",
    "0",
    "0 %",
    "–",
    "100 %",
  ]);
  expect(await page.locator("#noise-tasks tbody tr").first().locator("td").first().textContent()).toBe("Reload Sales dashboard");
  const proposal = page.locator('article[data-proposal^="page-after-route-on-call-"]');
  const id = (await proposal.getAttribute("data-proposal"))!;
  expect(await proposal.locator("code").first().textContent()).toBe("routes[0].pageAfter");
  expect(await proposal.locator("pre").textContent()).toBe("# in routes[0]\npageAfter:\n  failures: 2\n  within: 12h");

  let asked = "";
  page.once("dialog", (d) => {
    asked = d.message();
    void d.accept();
  });
  await proposal.locator('button[data-action="apply-proposal"]').click();
  await page.waitForSelector(`#toast:has-text('Applied ${id}')`);
  expect(asked).toContain(`Write proposal ${id} to the config file`);
  expect(readFileSync(n!.file, "utf8")).toContain("    to: [mail] # the shared mailbox\n    pageAfter: { failures: 2, within: 12h }\n");
  await page.waitForFunction((id) => !document.querySelector(`article[data-proposal="${id}"]`), id);
});
