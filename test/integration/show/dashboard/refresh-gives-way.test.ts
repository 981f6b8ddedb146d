// The dashboard's auto-refresh (every 5 s) fetches the page and replaces its main part, only when it changed: a mail's
// frame in the demo inbox was loaded again every 5 s (a link in it was being clicked as the frame went: demo-rerun-link
// failed so in Firefox), an opened detail closed, the scroll went back. And a person who begins choosing while that
// fetch is on its way (the bulk tag picker in focus) keeps the page they are choosing on: the refresh looks again
// before it replaces anything (a snooze time picked during the fetch went back to the default: browser-loop failed so
// once in Firefox). Chromium, on the Schedules page; the page's own refresh is held on its way by the test.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Route } from "playwright-core";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { launchChromium, type TestBrowser } from "./chromium";

const TASK = "7552d9fc-d1bb-4975-9a38-18357de531eb";
let t: TestApp;
let browser: TestBrowser | undefined;
let url = "";

beforeAll(async () => {
  t = createTestApp("");
  await t.app.start();
  url = `${t.app.server!.url().replace(/\/$/, "")}/ui/schedules`;
  await addSchedule("Nightly sales");
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function addSchedule(name: string): Promise<void> {
  const res = await t.request("/v4/schedules", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, cronSchedule: "0 2 * * *", qlikSenseTaskId: TASK, tags: ["sales"] }),
  });
  expect(res.status).toBe(201);
}

/** Marks the page's main part, to tell later whether a refresh replaced it. */
const markMain = () =>
  browser!.page.evaluate(() => {
    (window as unknown as { marked?: Element | null }).marked = document.querySelector("main");
  });
const sameMain = () => browser!.page.evaluate(() => document.querySelector("main") === (window as unknown as { marked?: Element }).marked);
const replaced = () =>
  browser!.page.waitForFunction(() => document.querySelector("main") !== (window as unknown as { marked?: Element }).marked, undefined, {
    timeout: 30_000,
  });
const refreshAnswered = () => browser!.page.waitForResponse((r) => r.url() === url && r.request().resourceType() === "fetch", { timeout: 30_000 });

test("a refresh that brings the same page leaves it as it is; one that brings a change replaces it", async () => {
  const page = browser!.page;
  await page.goto(url);
  await page.waitForSelector("#bulk-tag");
  await markMain();
  await refreshAnswered();
  await refreshAnswered();
  // Two refreshes answered with the same page: still the page first shown.
  expect(await sameMain()).toBe(true);
  await addSchedule("Finance close");
  await replaced();
  expect(await page.locator("main").textContent()).toContain("Finance close");
}, 90_000);

test("a person who began choosing while the refresh fetched keeps the page; once they stop, the next refresh replaces it", async () => {
  const page = browser!.page;
  await page.goto(url);
  await page.waitForSelector("#bulk-tag");
  await markMain();
  // The page's own refresh (a fetch of this page) is held until the person is choosing and the page has changed.
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
  await page.focus("#bulk-tag");
  await addSchedule("Finance ledger");
  const answered = refreshAnswered();
  letThrough();
  await answered;
  // The answer is parsed and judged in a few milliseconds; two seconds later the page is still the one being chosen on.
  await page.waitForTimeout(2_000);
  expect(await sameMain()).toBe(true);
  // The person is done: the next refresh brings the change.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await replaced();
  expect(await page.locator("main").textContent()).toContain("Finance ledger");
}, 90_000);
