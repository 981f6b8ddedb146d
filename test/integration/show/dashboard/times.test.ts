// Times on the dashboard in the viewer's zone, labelled, with the site's zone (notify.timeZone) and UTC to choose
// from: a browser in New York looking at a site in Tokyo.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { launchChromium, type TestBrowser } from "./chromium";

let t: TestApp;
let browser: TestBrowser | undefined;
let page: Page;

beforeAll(async () => {
  t = createTestApp("notify: { timeZone: Asia/Tokyo }");
  await t.app.start();
  await t.app.bus.emit("task.failed", syntheticTaskEvent({ outcome: "failed", taskName: "Nightly load" }));
  browser = await launchChromium({ timezoneId: "America/New_York" });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** What a time shows in `zone`: HH:MM:SS today (in that zone), else YYYY-MM-DD HH:MM. */
function expected(iso: string, zone: string): string {
  const f = (d: Date) => {
    const o = Object.fromEntries(
      new Intl.DateTimeFormat("en-CA", {
        timeZone: zone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
      })
        .formatToParts(d)
        .map((p) => [p.type, p.value]),
    );
    return { date: `${o.year}-${o.month}-${o.day}`, hms: `${o.hour}:${o.minute}:${o.second}`, hm: `${o.hour}:${o.minute}` };
  };
  const p = f(new Date(iso));
  return p.date === f(new Date()).date ? p.hms : `${p.date} ${p.hm}`;
}

async function shown(): Promise<Array<{ iso: string; text: string }>> {
  return page.locator("time[datetime]").evaluateAll((ts) => ts.map((x) => ({ iso: x.getAttribute("datetime")!, text: x.textContent!.trim() })));
}

test("times show in the viewer's zone by default, and in the site's or UTC on request; the choice is labelled and kept", { timeout: 60_000 }, async () => {
  await page.goto(`${t.app.server!.url()}/ui/events`);
  const zones: Array<[string, string]> = [
    ["viewer", "America/New_York"],
    ["site", "Asia/Tokyo"],
    ["UTC", "UTC"],
  ];
  for (const [choice, zone] of zones) {
    if (choice !== "viewer") await page.selectOption("#tz", choice);
    expect(await page.locator("#tz").inputValue()).toBe(choice);
    const times = await shown();
    expect(times.length).toBeGreaterThan(0);
    for (const x of times) expect(x.text).toBe(expected(x.iso, zone));
  }
  expect(await page.locator("#tz option[value=site]").textContent()).toBe("site: Asia/Tokyo");
  // The choice is kept across pages.
  await page.goto(`${t.app.server!.url()}/ui`);
  expect(await page.locator("#tz").inputValue()).toBe("UTC");
  await page.selectOption("#tz", "viewer");
});
