// /ui/silences in Chromium: a silence made with the page's form holds a matching alert (listed on the page as held),
// and "End now" (after asking) ends it, so the held alert is sent and the page says so. Both writes are API writes
// in the audit log. A maintenance window tonight is set with a start and an end on the site's clock (Stockholm),
// whatever zone the browser is in (New York). Steward's clock reads Thursday 26 November 2026, 15:00 in Stockholm.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Request } from "playwright-core";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { offsetClock, systemClock } from "../../../../src/platform/core/clock";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "../../tell/notify/receivers";
import { launchChromium, type TestBrowser } from "./chromium";
import { wallLimit } from "../../../helpers/time-limit";

let t: TestApp;
let rx: HttpReceiver;
let browser: TestBrowser | undefined;
const SITE_ZONE = "Europe/Stockholm";
const NOW = Date.parse("2026-11-26T14:00:00Z");
const offset = NOW - Date.now();

beforeAll(async () => {
  rx = startHttpReceiver();
  t = createTestApp(
    `http:\n  host: 127.0.0.1\n  port: 0\nnotify: { timeZone: ${SITE_ZONE} }\nchannels:\n  hook: { type: webhook, url: "${rx.url}/hook" }\nroutes:\n  - { on: [task.failed], to: [hook] }\n`,
    { clock: offsetClock(systemClock, () => offset) },
  );
  await t.app.start();
  browser = await launchChromium({ timezoneId: "America/New_York" });
}, wallLimit(60_000));

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await rx?.stop();
});

test("create a silence with the form, see the alert it holds, end it and see the alert sent", { timeout: wallLimit(60_000) }, async () => {
  const page = browser!.page;
  await page.goto(`${t.app.server!.url()}/ui/silences`);
  await page.fill('input[name="matcher.taskNames"]', "Finance*, Budget*");
  await page.fill('input[name="matcher.kinds"]', "task.failed");
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

test("a maintenance window tonight, 22:00 to 23:30 in Stockholm, set with the form's start and end", { timeout: wallLimit(60_000) }, async () => {
  const page = browser!.page;
  await page.goto(`${t.app.server!.url()}/ui/silences`);
  // The form says which zone its times are in; its end defaults to two hours from now on the site's clock.
  expect(await page.locator("#silence-when legend").textContent()).toBe("When, in Europe/Stockholm (CET)");
  expect(await page.inputValue('input[name="endsAt"]')).toBe("2026-11-26T17:00");
  await page.fill('input[name="matcher.nodes"]', "qlik2");
  await page.fill('input[name="startsAt"]', "2026-11-26T22:00");
  await page.fill('input[name="endsAt"]', "2026-11-26T23:30");
  await page.fill('input[name="reason"]', "patching qlik2 tonight");
  await page.click('#new-silence button[type="submit"]');
  await page.waitForSelector("#toast:has-text('Silence created')");
  await page.waitForSelector("table.silences td:has-text('nodes qlik2')");

  const { silences } = (await (await t.request("/v4/silences?state=pending")).json()) as {
    silences: Array<{ matches: string; startsAt: string; endsAt: string; reason: string }>;
  };
  expect(silences).toEqual([
    expect.objectContaining({
      matches: "nodes qlik2",
      startsAt: "2026-11-26T21:00:00.000Z",
      endsAt: "2026-11-26T22:30:00.000Z",
      reason: "patching qlik2 tonight",
    }),
  ]);
  // The page lists it as coming, its start and end on the site's clock.
  const row = page.locator("table.silences tr", { hasText: "nodes qlik2" });
  expect(await row.locator("time").allTextContents()).toEqual(["22:00:00", "23:30:00"]);
  expect(await row.textContent()).toContain("starts later");
});

test("a start the form cannot have sent is refused, naming the field", async () => {
  const res = await t.request("/v4/silences", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ matcher: { nodes: ["qlik2"] }, reason: "r", startsAt: "2026-11-26T25:00", endsAt: "2026-11-26T23:30" }),
  });
  expect(res.status).toBe(400);
  expect(JSON.stringify(await res.json())).toContain("startsAt");
  // An end before the start, both on the site's clock: the end is named.
  const back = await t.request("/v4/silences", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ matcher: { nodes: ["qlik2"] }, reason: "r", startsAt: "2026-11-26T22:00", endsAt: "2026-11-26T21:30" }),
  });
  expect(back.status).toBe(400);
  expect(((await back.json()) as { error: string }).error).toMatch(/^endsAt: the silence would end before it begins/);
});

test("what was typed in the form outlives auto-refresh, which redraws the page every 5 s", { timeout: wallLimit(60_000) }, async () => {
  const page = browser!.page;
  // The page's timers run on Playwright's clock: its 5 s ticks come when the test moves that clock, not 6.5 s of a
  // worker's wall time later (a tick surely came, which a wall-time sleep beside busy loops did not promise).
  await page.clock.install();
  await page.goto(`${t.app.server!.url()}/ui/silences`);
  await page.fill('input[name="reason"]', "half typed");
  // Out of the field (a focused field already held the refresh back): the page would be redrawn at the next tick.
  await page.click("main h1");
  await page.evaluate(() => document.querySelector("main")!.setAttribute("data-drawn", "first"));
  // A redraw the tick began is a request to Steward: each one started is waited for, then the moment it takes to draw.
  const started: Request[] = [];
  const onRequest = (r: Request) => void started.push(r);
  page.on("request", onRequest);
  await page.clock.runFor(6_500);
  page.off("request", onRequest);
  for (const r of started) await r.response();
  await Bun.sleep(200);
  expect(await page.inputValue('input[name="reason"]')).toBe("half typed");
  expect(await page.getAttribute("main", "data-drawn")).toBe("first");
  // Another page without a form being filled is redrawn when it changed (the mark is gone with the old <main>); an
  // unchanged page is left as it is (refresh-gives-way.test.ts).
  await page.goto(`${t.app.server!.url()}/ui/silences`);
  await page.evaluate(() => document.querySelector("main")!.setAttribute("data-drawn", "first"));
  const added = await t.request("/v4/silences", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ matcher: { nodes: ["qlik3"] }, reason: "a change to show", startsAt: "2026-11-26T22:00", endsAt: "2026-11-26T23:30" }),
  });
  expect(added.status).toBe(201);
  await page.clock.runFor(5_000);
  await page.waitForSelector("main:not([data-drawn])", { timeout: 15_000 });
});
