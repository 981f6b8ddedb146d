// The dashboard's auto-refresh (every 5 s) fetches the page and replaces its main part. A person who begins choosing
// while that fetch is on its way (here: the rehearsal's window picker in focus) keeps the page they are choosing on:
// the refresh looks again before it replaces anything. Before, it looked only before the fetch, and a snooze time
// picked during the fetch went back to the default (browser-loop failed once so in Firefox). Chromium, the page's own
// refresh held on its way by the test, then let through.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Route } from "playwright-core";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { launchChromium, type TestBrowser } from "./chromium";

let t: TestApp;
let browser: TestBrowser | undefined;

beforeAll(async () => {
  t = createTestApp("");
  await t.app.start();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** Whether the page's main part is still the one marked before. */
const sameMain = () => browser!.page.evaluate(() => document.querySelector("main") === (window as unknown as { marked?: Element }).marked);

test("a person who began choosing while the refresh fetched keeps the page; once they stop, the next refresh replaces it", async () => {
  const page = browser!.page;
  const url = `${t.app.server!.url().replace(/\/$/, "")}/ui/noise`;
  await page.goto(url);
  await page.waitForSelector("#rehearse-form");
  await page.evaluate(() => {
    (window as unknown as { marked?: Element | null }).marked = document.querySelector("main");
  });
  // The page's own refresh (a fetch of this page) is held until the person is choosing; the rest goes through.
  let fetched!: () => void;
  const refreshSeen = new Promise<void>((r) => (fetched = r));
  let letThrough!: () => void;
  const held = new Promise<void>((r) => (letThrough = r));
  await page.route(url, async (route: Route) => {
    if (route.request().resourceType() === "fetch") {
      fetched();
      await held;
    }
    await route.continue();
  });
  await refreshSeen;
  await page.focus("#rehearse-since");
  const answered = page.waitForResponse((r) => r.url() === url && r.request().resourceType() === "fetch");
  letThrough();
  await answered;
  // The answer is parsed and judged in a few milliseconds; two seconds later the page is still the one being chosen on.
  await page.waitForTimeout(2_000);
  expect(await sameMain()).toBe(true);
  // The person is done: a later refresh replaces the page again (the refresh still works).
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.waitForFunction(() => document.querySelector("main") !== (window as unknown as { marked?: Element }).marked, undefined, { timeout: 30_000 });
}, 90_000);
