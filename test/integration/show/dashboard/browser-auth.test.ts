// The dashboard when Steward requires API keys: pages answer 401 without a key, a browser user signs in on
// /ui/login, and every page read and action then carries the key (the audit log names the key's owner).
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";
import { launchChromium, type TestBrowser } from "./chromium";

const TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const TIMEOUT = 60_000;
const adminKey = generateApiKey();
const readerKey = generateApiKey();

let t: TestApp;
let base: string;
let browser: TestBrowser | undefined;
let page: Page;
let scheduleId = "";

const call = (path: string, key?: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}), ...init.headers } });

beforeAll(async () => {
  t = createTestApp(
    [
      "security:",
      "  apiKeys:",
      `    - { name: ops-admin, hash: "${hashApiKey(adminKey)}", scopes: [admin] }`,
      `    - { name: kv-reader, hash: "${hashApiKey(readerKey)}", scopes: [kv.read] }`,
    ].join("\n"),
  );
  await t.app.start();
  base = t.app.server!.url();
  const res = await call("/v4/schedules", adminKey, {
    method: "POST",
    body: JSON.stringify({ name: "Nightly sales", cronSchedule: "0 2 * * *", qlikSenseTaskId: TASK }),
  });
  expect(res.status).toBe(201);
  scheduleId = ((await res.json()) as { id: string }).id;
  browser = await launchChromium();
  page = browser.page;
}, TIMEOUT);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

test("pages follow the API's access control", async () => {
  expect((await call("/ui")).status).toBe(401);
  expect((await call("/ui", adminKey)).status).toBe(200);
  expect((await call("/ui/kv", readerKey)).status).toBe(200);
  expect((await call("/ui/schedules", readerKey)).status).toBe(403);
  expect((await call("/ui/login")).status).toBe(200);
});

test("a browser without credentials is sent to sign in and back; API clients keep the JSON 401", async () => {
  const res = await fetch(`${base}/ui/schedules?x=1`, { headers: { accept: "text/html,application/xhtml+xml" }, redirect: "manual" });
  expect(res.status).toBe(303);
  expect(res.headers.get("location")).toBe(`/ui/login?next=${encodeURIComponent("/ui/schedules?x=1")}`);
  const api = await fetch(`${base}/ui/schedules`, { headers: { accept: "application/json" }, redirect: "manual" });
  expect(api.status).toBe(401);
  expect(((await api.json()) as { code: string }).code).toBe("UNAUTHORIZED");
  // A wrong scope is not a sign-in question: still 403.
  expect((await fetch(`${base}/ui/schedules`, { headers: { accept: "text/html", "x-api-key": readerKey }, redirect: "manual" })).status).toBe(403);
  // In the browser: the page it asked for opens after signing in.
  await page.goto(`${base}/ui/schedules`);
  await page.waitForURL("**/ui/login?next=*");
  await page.fill("#api-key", adminKey);
  await page.click("#login button[type=submit]");
  await page.waitForSelector(`tr[data-schedule="${scheduleId}"]`);
  await page.evaluate(() => sessionStorage.clear());
});

test("a browser user signs in with a key, navigates and toggles a schedule as that key", async () => {
  await page.goto(`${base}/ui/login?next=/ui/schedules`);
  await page.fill("#api-key", adminKey);
  await page.click("#login button[type=submit]");
  await page.waitForSelector(`tr[data-schedule="${scheduleId}"]`);
  expect(await page.title()).toBe("Schedules · Steward");

  await page.locator(`tr[data-schedule="${scheduleId}"] label.switch`).click();
  const state = async () => ((await (await call(`/v4/schedules?id=${scheduleId}`, adminKey)).json()) as Array<{ lastKnownState: string }>)[0]!.lastKnownState;
  await waitFor(async () => (await state()) === "stopped", { what: "schedule stopped from the signed-in page", timeoutMs: 10_000 });
  const audit = (await (await call("/v4/audit?action=schedule.*", adminKey)).json()) as { entries: Array<{ action: string; actor: { name: string } }> };
  expect(audit.entries.find((e) => e.action !== "schedule.create")?.actor.name).toBe("ops-admin");

  // Links are followed with the key too: the Admin section, then its Audit log page.
  await page.click("header nav.sections >> text=Admin");
  await page.waitForSelector("header nav.pages a.active[data-page=kv]");
  await page.click("header nav.pages >> text=Audit log");
  await page.waitForSelector("#audit");
  expect(page.url()).toBe(`${base}/ui/audit`);
});

test(
  "a key without the page's scope is told so",
  async () => {
    await page.click("#signout");
    await page.waitForSelector("#api-key");
    await page.fill("#api-key", readerKey);
    await page.click("#login button[type=submit]");
    await page.waitForSelector("#toast.error");
    expect(await page.textContent("#toast")).toMatch(/403|scope|not allowed|forbidden/i);
    await page.goto(`${base}/ui/login?next=/ui/kv`);
    await page.fill("#api-key", readerKey);
    await page.click("#login button[type=submit]");
    await page.waitForSelector("#kv-namespaces, .empty");
    expect(await page.title()).toBe("Key-value store · Steward");
  },
  TIMEOUT,
);
