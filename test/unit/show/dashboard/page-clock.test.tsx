/** @jsxImportSource hono/jsx */
// The page clock: a <Time> and an API sentence with ISO instants in it are written on the site's clock the Layout
// gives them, whatever zone the server runs in; outside a Layout, UTC.
import { expect, test } from "bun:test";
import { PageClockContext, SiteText, Time } from "../../../../src/show/dashboard/page-clock";

const render = async (el: unknown) => String(await (el as { toString(): Promise<string> | string }).toString());
const NOW = Date.parse("2026-11-25T09:00:00Z");

test("times of today to the second (or the minute when estimated), another day's with the date; the zone's name in the title", async () => {
  const html = await render(
    <PageClockContext.Provider value={{ zone: "Asia/Kolkata", nowMs: NOW }}>
      <Time iso="2026-11-25T08:59:24.000Z" />|<Time iso="2026-11-25T08:59:24.000Z" about />|<Time ms={Date.parse("2026-11-24T20:00:00Z")} />
    </PageClockContext.Provider>,
  );
  expect(html).toBe(
    '<time datetime="2026-11-25T08:59:24.000Z" title="2026-11-25 14:29:24 GMT+5:30" data-zone="GMT+5:30" class="nowrap">14:29:24</time>|' +
      '<time datetime="2026-11-25T08:59:24.000Z" title="2026-11-25 14:29:24 GMT+5:30" data-zone="GMT+5:30" class="nowrap">14:29</time>|' +
      '<time datetime="2026-11-24T20:00:00.000Z" title="2026-11-25 01:30:00 GMT+5:30" data-zone="GMT+5:30" class="nowrap">01:30:00</time>',
  );
});

test("a sentence's ISO instants become the site's time with its zone; outside a Layout, UTC", async () => {
  const text = 'trigger "Daily": Steward computes the next start 2026-11-25T04:00:00.000Z, QRS states 2026-11-25T05:00:00Z';
  const inside = await render(
    <PageClockContext.Provider value={{ zone: "Europe/Stockholm", nowMs: NOW }}>
      <SiteText text={text} />
    </PageClockContext.Provider>,
  );
  expect(inside).toBe("trigger &quot;Daily&quot;: Steward computes the next start 2026-11-25 05:00 CET, QRS states 2026-11-25 06:00 CET");
  expect(await render(<SiteText text={text} />)).toContain("2026-11-25 04:00 UTC");
});
