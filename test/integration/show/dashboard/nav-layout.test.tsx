/** @jsxImportSource hono/jsx */
// The dashboard's header in Chromium at a laptop's 1366 px and at 800 px, with every page of the navigation (and
// the demo's inbox): no link is clipped or hidden under the page, at 1366 px all fit on one row.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Layout } from "../../../../src/show/dashboard/layout";
import { launchChromium, type TestBrowser } from "./chromium";

let browser: TestBrowser;
let html = "";

beforeAll(async () => {
  browser = await launchChromium();
  const el = (
    <Layout title="Overview" nav={{ active: "overview", inbox: true, clock: { zone: "Europe/Stockholm", nowMs: Date.now() } }}>
      <p>content</p>
    </Layout>
  );
  html = String(await el.toString());
}, 60_000);
afterAll(() => browser?.close());

async function linkBoxes(width: number) {
  await browser.page.setViewportSize({ width, height: 600 });
  await browser.page.setContent(html);
  return browser.page.evaluate(() => {
    const header = document.querySelector("header")!.getBoundingClientRect();
    const nav = document.querySelector("header nav")!;
    return {
      header: { top: header.top, bottom: header.bottom },
      navScrollable: nav.scrollWidth > nav.clientWidth,
      links: [...nav.querySelectorAll("a")].map((a) => {
        const r = a.getBoundingClientRect();
        return { text: a.textContent!.trim(), top: r.top, bottom: r.bottom, right: r.right };
      }),
    };
  });
}

test("at 1366 px every link shows, on one row, inside the header", async () => {
  const { header, links, navScrollable } = await linkBoxes(1366);
  expect(links.map((l) => l.text)).toContain("Help");
  expect(navScrollable).toBe(false);
  expect(new Set(links.map((l) => Math.round(l.top))).size).toBe(1);
  for (const l of links) {
    expect({ l: l.text, inside: l.top >= header.top && l.bottom <= header.bottom && l.right <= 1366 }).toEqual({ l: l.text, inside: true });
  }
});

test("at 800 px the links stay inside the header's height (the row scrolls sideways instead of being cut off)", async () => {
  const { header, links } = await linkBoxes(800);
  for (const l of links) expect({ l: l.text, inside: l.top >= header.top && l.bottom <= header.bottom }).toEqual({ l: l.text, inside: true });
});
