/** @jsxImportSource hono/jsx */
// The dashboard's header in Chromium at a laptop's 1366 px and at 800 px, on a page of the Admin group with the
// demo's inbox attached (the most sections there can be: 8): no link is clipped or hidden under the page; at 1366 px
// the sections fit on one row and the group's pages on the row below.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Layout } from "../../../../src/show/dashboard/layout";
import { launchChromium, type TestBrowser } from "./chromium";

let browser: TestBrowser;
let html = "";

beforeAll(async () => {
  browser = await launchChromium();
  const el = (
    <Layout title="Audit log" nav={{ active: "audit", inbox: true, clock: { zone: "Europe/Stockholm", nowMs: Date.now() } }}>
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
    const box = (sel: string) =>
      [...document.querySelectorAll(`${sel} a`)].map((a) => {
        const r = a.getBoundingClientRect();
        return { text: a.textContent!.trim(), top: r.top, bottom: r.bottom, right: r.right };
      });
    const sections = document.querySelector("header nav.sections")!;
    return {
      header: { top: header.top, bottom: header.bottom },
      navScrollable: sections.scrollWidth > sections.clientWidth,
      sections: box("header nav.sections"),
      pages: box("header nav.pages"),
    };
  });
}

test("at 1366 px every section shows on one row, the group's pages on the row below, all inside the header", async () => {
  const { header, sections, pages, navScrollable } = await linkBoxes(1366);
  expect(sections.map((l) => l.text)).toEqual([
    "Now",
    "Runs & reloads",
    "Promises & checks",
    "Site & plan",
    "Alerts & silences",
    "Admin",
    "Demo inbox",
    "Help",
  ]);
  expect(pages.map((l) => l.text)).toEqual(["Key-value", "Audit log", "Sessions", "Doctor"]);
  expect(navScrollable).toBe(false);
  expect(new Set(sections.map((l) => Math.round(l.top))).size).toBe(1);
  expect(new Set(pages.map((l) => Math.round(l.top))).size).toBe(1);
  expect(pages[0]!.top).toBeGreaterThan(sections[0]!.bottom);
  for (const l of [...sections, ...pages]) {
    expect({ l: l.text, inside: l.top >= header.top && l.bottom <= header.bottom && l.right <= 1366 }).toEqual({ l: l.text, inside: true });
  }
});

test("at 800 px the links stay inside the header's height (the row scrolls sideways instead of being cut off)", async () => {
  const { header, sections, pages } = await linkBoxes(800);
  for (const l of [...sections, ...pages]) expect({ l: l.text, inside: l.top >= header.top && l.bottom <= header.bottom }).toEqual({ l: l.text, inside: true });
});

test("the page's group and the page itself are marked, for the eye and for a screen reader", async () => {
  await linkBoxes(1366);
  const marked = await browser.page.evaluate(() => ({
    group: [...document.querySelectorAll("header nav.sections a.active")].map((a) => [a.textContent, a.getAttribute("aria-current")]),
    page: [...document.querySelectorAll("header nav.pages a.active")].map((a) => [a.textContent, a.getAttribute("aria-current")]),
  }));
  expect(marked).toEqual({ group: [["Admin", "true"]], page: [["Audit log", "page"]] });
});
