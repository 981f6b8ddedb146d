// The demo inbox's own buttons, pressed where a newcomer presses them: a failure's mail opened in the dashboard's Demo
// inbox, its Acknowledge and Snooze pressed inside the rendered mail, in Chromium and in Firefox. Each opens the confirm
// page in a new top-level tab (as from a mail client), the person confirms there, and the incidents page shows both.
// Before, the mail's links loaded inside the inbox's sandboxed frame, where the confirm page refuses to be framed:
// Chromium showed "This content is blocked" and Firefox an empty frame, and nothing was acknowledged or snoozed.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import type { CapturedMail } from "../../../../src/show/demo/capture-types";
import { startDemoInBrowsers, type DemoInBrowsers } from "../../../helpers/test-demo";
import { waitFor } from "../../../helpers/wait-for";
import type { FirefoxPage } from "../dashboard/firefox";
import type { TestBrowser } from "../dashboard/chromium";
import { type MailedIncident, linksIn, sixIncidents } from "../../tell/ack-links/browser-loop-incidents";

let site: DemoInBrowsers | undefined;
let demo: DemoInBrowsers["demo"];
let chromium: TestBrowser;
let firefox: FirefoxPage;
let steward: string;
let lines: string[];

beforeAll(async () => {
  site = await startDemoInBrowsers("steward-inbox-buttons-");
  ({ demo, chromium, firefox, lines } = site);
  steward = demo.urls.steward;
}, 120_000);

afterAll(async () => {
  await site?.stop();
});

/** The inbox's item that carries `url` (a mail's Acknowledge or Snooze link). */
function mailWith(url: string): CapturedMail {
  const mail = demo.inbox.mails().find((m) => linksIn(m).some((l) => l.url === url));
  if (!mail) throw new Error(`no captured mail carries ${url}`);
  return mail;
}

const linkIn = (action: string, incident: number) => `a[href*="/act/incident/${incident}?"][href*="a=${action}"]`;

async function chromiumFromInbox(page: Page, incidents: MailedIncident[]): Promise<void> {
  const [ackOf, snoozeOf] = incidents as [MailedIncident, MailedIncident];
  await page.goto(`${steward}/ui/inbox/${mailWith(ackOf.ack.url).id}`);
  const [ackTab] = await Promise.all([
    page.context().waitForEvent("page"),
    page.frameLocator("iframe.mail-frame").locator(linkIn("ack", ackOf.ack.incident)).click(),
  ]);
  await ackTab.waitForSelector("h1");
  expect(await ackTab.textContent("h1")).toContain("Acknowledge this incident?");
  await ackTab.click('button[value="ack"]');
  await ackTab.waitForSelector("text=is acknowledged by");
  expect(await ackTab.textContent("main")).toContain(`is acknowledged by ${ackOf.ack.recipient}`);
  await ackTab.close();

  await page.goto(`${steward}/ui/inbox/${mailWith(snoozeOf.snooze.url).id}`);
  const [snoozeTab] = await Promise.all([
    page.context().waitForEvent("page"),
    page.frameLocator("iframe.mail-frame").locator(linkIn("snooze", snoozeOf.snooze.incident)).click(),
  ]);
  await snoozeTab.waitForSelector("h1");
  expect(await snoozeTab.textContent("h1")).toContain("Snooze this incident?");
  await snoozeTab.click('button[name="choice"]');
  await snoozeTab.waitForSelector("text=is snoozed");
  expect(await snoozeTab.textContent("main")).toContain(`Incident #${snoozeOf.snooze.incident}`);
  await snoozeTab.close();
}

const tabText = (tab: FirefoxPage, re: RegExp, what: string) =>
  waitFor(
    async () => {
      const text = await tab.text().catch(() => "");
      return re.test(text) ? text : undefined;
    },
    { what },
  );

async function firefoxFromInbox(ff: FirefoxPage, incidents: MailedIncident[]): Promise<void> {
  const [ackOf, snoozeOf] = incidents as [MailedIncident, MailedIncident];
  await ff.goto(`${steward}/ui/inbox/${mailWith(ackOf.ack.url).id}`);
  await ff.clickInFrame("iframe.mail-frame", linkIn("ack", ackOf.ack.incident));
  const ackTab = await ff.nextTab();
  expect(await tabText(ackTab, /Acknowledge this incident\?/, "Firefox's acknowledge page")).toContain("Acknowledge this incident?");
  await ackTab.click('button[value="ack"]');
  expect(await tabText(ackTab, /is acknowledged by/, "Firefox's acknowledge result page")).toContain(`is acknowledged by ${ackOf.ack.recipient}`);

  await ff.goto(`${steward}/ui/inbox/${mailWith(snoozeOf.snooze.url).id}`);
  await ff.clickInFrame("iframe.mail-frame", linkIn("snooze", snoozeOf.snooze.incident));
  const snoozeTab = await ff.nextTab();
  expect(await tabText(snoozeTab, /Snooze this incident\?/, "Firefox's snooze page")).toContain("Snooze this incident?");
  await snoozeTab.click('button[name="choice"]');
  expect(await tabText(snoozeTab, /is snoozed/, "Firefox's snooze result page")).toContain(`Incident #${snoozeOf.snooze.incident}`);
}

test("Acknowledge and Snooze pressed inside the demo inbox's rendered mail, in Chromium and in Firefox, open the confirm page top-level and show on the incidents page", async () => {
  const mailed = await sixIncidents(
    steward,
    () => demo.inbox.mails(),
    () => lines.slice(-60).join("\n"),
  );
  const page = chromium!.page;
  await chromiumFromInbox(page, mailed.chromium);
  await firefoxFromInbox(firefox!, mailed.firefox);

  // The four read back on the dashboard's incidents page.
  await page.goto(`${steward}/ui/incidents`);
  for (const l of [mailed.chromium[0]!.ack, mailed.firefox[0]!.ack])
    expect(await page.textContent(`tr[data-incident="${l.incident}"] td[data-role="ack"] b`)).toBe(l.recipient);
  for (const l of [mailed.chromium[1]!.snooze, mailed.firefox[1]!.snooze])
    expect(await page.textContent(`tr[data-incident="${l.incident}"] [data-role="snooze"]`)).toContain(l.recipient);
}, 240_000);
