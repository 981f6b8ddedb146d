// /ui/silences in Chromium: a silence made with the page's form holds a matching alert (listed on the page as held),
// and "End now" (after asking) ends it, so the held alert is sent and the page says so. Both writes are API writes
// in the audit log.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "../../tell/notify/receivers";
import { launchChromium, type TestBrowser } from "./chromium";

let t: TestApp;
let rx: HttpReceiver;
let browser: TestBrowser | undefined;

beforeAll(async () => {
  rx = startHttpReceiver();
  t = createTestApp(
    `http:\n  host: 127.0.0.1\n  port: 0\nchannels:\n  hook: { type: webhook, url: "${rx.url}/hook" }\nroutes:\n  - { on: [task.failed], to: [hook] }\n`,
  );
  await t.app.start();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await rx?.stop();
});

test("create a silence with the form, see the alert it holds, end it and see the alert sent", { timeout: 60_000 }, async () => {
  const page = browser!.page;
  await page.goto(`${t.app.server!.url()}/ui/silences`);
  await page.fill('input[name="matcher.taskNames"]', "Finance*, Budget*");
  await page.fill('input[name="matcher.kinds"]', "task.failed");
  await page.fill('input[name="duration"]', "3h");
  await page.fill('input[name="author"]', "bob@corp.example");
  await page.fill('input[name="reason"]', "month-end close");
  await page.click('#new-silence button[type="submit"]');
  await page.waitForSelector("#toast:has-text('Silence created')");
  await page.waitForSelector("table.silences td:has-text('task names Finance*, Budget*; kinds task.failed')");

  const e = syntheticTaskEvent({ outcome: "failed", taskName: "Finance load" });
  await t.app.bus.emit(e.kind, e);
  await page.reload();
  await page.waitForSelector("table.holds td:has-text('Finance load')");
  expect(await page.locator("table.holds .badge").first().textContent()).toBe("held");
  expect(rx.requests).toHaveLength(0);

  let asked = "";
  page.once("dialog", (d) => {
    asked = d.message();
    void d.accept();
  });
  await page.click('button[data-action="end-silence"]');
  await page.waitForSelector("#toast:has-text('ended')");
  expect(asked).toContain("End silence #1 now?");
  await waitFor(() => rx.requests.length === 1 || undefined, { what: "the held alert, sent" });
  await page.reload();
  expect(await page.locator("table.holds .badge").first().textContent()).toBe("sent when it ended");

  const audit = (await (await t.request("/v4/audit?action=api.write&limit=10")).json()) as { entries: Array<{ target: string; result: string }> };
  const targets = audit.entries.map((x) => `${x.target} ${x.result}`);
  expect(targets).toContain("POST /v4/silences ok");
  expect(targets).toContain("DELETE /v4/silences/1 ok");
});
