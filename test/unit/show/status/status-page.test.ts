// The status page and badge escape every name they show: an app or stream named like markup stays text.
import { expect, test } from "bun:test";
import { badgeSvg } from "../../../../src/show/status/badge";
import { statusPage } from "../../../../src/show/status/status-page";

test("an app and stream named like markup are shown as text on the page and in the badge", () => {
  const page = statusPage(
    [
      {
        app: { id: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11", name: "<script>alert(1)</script>", stream: 'Sales"><img src=x>' },
        state: "late",
        promised: true,
        loadFailed: true,
        dataAsOf: "2026-11-23T05:12:00.000Z",
        promisedBy: "2026-11-23T06:00:00.000Z",
        expectedAt: "2026-11-23T06:40:00.000Z",
        promises: [
          { promisedBy: "2026-11-23T06:00:00.000Z", expectedAt: "2026-11-23T06:40:00.000Z", overdue: false, willMiss: "a load it <b>depends</b> on failed" },
        ],
        message: "",
      },
    ],
    "Europe/Stockholm",
    Date.parse("2026-11-23T06:30:00Z"),
  );
  expect(page).not.toContain("<script>");
  expect(page).not.toContain("<img");
  expect(page).toContain("&#60;script&#62;alert(1)&#60;/script&#62;");
  expect(page).not.toContain("<b>");
  expect(page).toContain('<td><time datetime="2026-11-23T05:12:00.000Z">06:12</time></td>');
  expect(page).toContain('expected fresh at about <time datetime="2026-11-23T06:40:00.000Z">07:40 CET</time>');
  expect(page).toContain("Times in Europe/Stockholm (CET).");
  // Without a current projection, the alert's expected time: overdue once it has passed.
  const stale = statusPage(
    [
      {
        app: { id: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11", name: "Sales", stream: "Sales" },
        state: "late",
        promised: true,
        loadFailed: false,
        dataAsOf: null,
        promisedBy: "2026-11-23T06:00:00.000Z",
        expectedAt: "2026-11-23T06:40:00.000Z",
        promises: [],
        message: "",
      },
    ],
    "Europe/Stockholm",
    Date.parse("2026-11-23T06:50:00Z"),
  );
  expect(stale).toContain('overdue: it was expected at about <time datetime="2026-11-23T06:40:00.000Z">07:40 CET</time>');
  const svg = badgeSvg("<b>Sales</b>", "late", "06:12 CET");
  expect(svg).not.toContain("<b>");
  expect(svg).toContain('data-state="late">late · data as of 06:12 CET<');
});

test("with subscriptions, each app links its form, the page's query (a key in the URL) kept; the feed is linked", () => {
  const app = {
    app: { id: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11", name: "Sales <dashboard>", stream: "Sales" },
    state: "fresh" as const,
    promised: true,
    loadFailed: false,
    dataAsOf: "2026-11-23T05:12:00.000Z",
    promisedBy: null,
    expectedAt: null,
    promises: [],
    message: "",
  };
  const now = Date.parse("2026-11-23T06:30:00Z");
  const page = statusPage([app], "Europe/Stockholm", now, { search: "?apiKey=k&x=<y>", subscribe: true, feed: true });
  expect(page).toContain(
    '<a href="/status/subscribe?apiKey=k&#38;x=&#60;y&#62;&#38;appId=0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11">Mail me when Sales &#60;dashboard&#62; will be late</a>',
  );
  expect(page).toContain(
    '<link rel="alternate" type="application/atom+xml" title="Is the data up to date?" href="/status/feed.atom?apiKey=k&#38;x=&#60;y&#62;">',
  );
  const plain = statusPage([app], "Europe/Stockholm", now);
  expect(plain).not.toContain("data-subscribe");
  expect(plain).not.toContain("feed.atom");
});
