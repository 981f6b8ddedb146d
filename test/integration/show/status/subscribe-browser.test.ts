// Issue 88's "done when" for the business: in Chromium, a user opens /status, subscribes to Sales dashboard's promise
// with an address at the company's domain, gets the confirmation mail at the local SMTP server and confirms it from
// the link; then the simulator's site (the freshness chain site on a stepped clock, SQLite) makes the promise late
// (Thursday the ERP extract does not check in) and the "late" mail comes; the job checks in late and the chain, started
// again, lands the reload: the "fresh again" mail. Its unsubscribe link ends the subscription; the Atom feed of /status,
// parsed by the browser's XML parser, lists the same two notices.
import { afterAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { join } from "node:path";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { CHAIN_KEY as KEY, CHAIN_SITE as SITE, chainStewardYaml, EXTRACT, SALES_APP } from "../../../helpers/freshness-chain-site";
import { freeTcpPort } from "../../../helpers/free-port";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { launchChromium, type TestBrowser } from "../dashboard/chromium";

const at = (s: string) => Date.parse(s);
const ANNA = "anna.berg@corp.example";
const dir = createTempDir();
let site: SteppedSite | undefined;
let t: TestApp | undefined;
let smtp: SmtpReceiver | undefined;
let browser: TestBrowser | undefined;
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await site?.sim.stop();
  await smtp?.stop();
  dir.remove();
});

/** After a click that navigates: waits for the next page's heading (a click does not wait for the page to load). */
const heading = (page: Page, text: string) => page.waitForSelector(`h1:text-is("${text}")`);
const linkIn = (text: string, path: string) => new RegExp(`(http://[^\\s]+${path}\\?[^\\s]+)`).exec(text)?.[1];

test("subscribe from /status in Chromium, confirm, then the late and the fresh-again mail from the simulator's site; unsubscribe", async () => {
  site = await startSteppedSite(dir.path, at("2026-11-17T00:00:00Z"), SITE);
  const { sim, clock } = site;
  await clock.runUntil(at("2026-11-18T03:00:00Z"));
  smtp = await startSmtpReceiver();
  const port = await freeTcpPort();
  const base = `http://127.0.0.1:${port}`;
  const extra = `http: { host: 127.0.0.1, port: ${port}, publicUrl: "${base}" }
channels:
  business-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: "Qlik status <status@corp.example>" }
status:
  subscriptions: { channel: business-mail, allowedDomains: [corp.example] }
`;
  t = createTestApp(chainStewardYaml(site, { timeZone: "Europe/Stockholm", extra }), { clock, dir: join(dir.path, "steward") });
  await t.app.start();
  sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];
  const mails = () => smtp!.mails.filter((m) => m.envelopeTo.includes(ANNA));
  // Wednesday goes as planned: the job checks in at 05:02 (Stockholm), the chain makes Sales fresh by 06:10.
  await clock.runUntil(at("2026-11-18T04:02:00Z"));
  expect((await fetch(`${base}/ping/${KEY}`, { method: "POST", body: "extract done" })).status).toBe(200);
  await clock.runUntil(at("2026-11-19T03:00:00Z"));

  // Thursday 04:00 (Stockholm): Sales dashboard is fresh from Wednesday. Anna subscribes from the status page.
  browser = await launchChromium();
  const { page } = browser;
  await page.goto(`${base}/status`);
  await page.click(`tr[data-app="${SALES_APP}"] [data-subscribe] a`);
  await heading(page, "Mail me about Sales dashboard");
  // An address outside the company's domain is refused, in words.
  await page.fill("#email", "anna@mail.example");
  await page.click("#subscribe");
  await heading(page, "Not subscribed");
  expect(await page.textContent("body")).toContain("Only addresses at corp.example may subscribe");
  await page.goBack();
  await page.fill("#email", ANNA);
  await page.click("#subscribe");
  await heading(page, "Check your mail");
  const confirmation = await waitFor(() => mails()[0], { what: "the confirmation mail" });
  expect(confirmation.mail.subject).toBe("Confirm: mail me when Sales dashboard is late");
  await page.goto(linkIn(confirmation.mail.text ?? "", "/status/subscriptions/confirm")!);
  await page.click("#confirm");
  await heading(page, "Subscribed");

  // Thursday: the extract does not check in; the chain runs on yesterday's data. Late.
  await clock.runUntil(at("2026-11-19T06:10:00Z"));
  const late = await waitFor(() => mails()[1], { what: "the late mail" });
  expect(late.mail.subject).toBe("Sales dashboard will be late today");
  // No check-in: nobody can tell yet when it will be ready.
  expect(late.mail.text).toContain("Sales dashboard will be late today (expected by 07:00 Europe/Stockholm, when it will be ready is not known yet).");
  expect(late.mail.text).not.toMatch(/erp-extract|Extract orders|scope|task/i);
  expect(late.mail.headers.find((h) => h.key === "list-unsubscribe-post")?.value).toBe("List-Unsubscribe=One-Click");
  expect(mails()).toHaveLength(2);

  // The job checks in late and the chain is started again from its head: fresh again once the reload lands.
  expect((await fetch(`${base}/ping/${KEY}`, { method: "POST", body: "extract done" })).status).toBe(200);
  expect(sim.tasks.start(EXTRACT).started).toBe(true);
  await clock.runUntil(at("2026-11-19T08:00:00Z"));
  const fresh = await waitFor(() => mails()[2], { what: "the fresh-again mail" });
  // The chain started again at 07:10 (Stockholm) lands Sales dashboard's reload at 08:10.
  expect(site.finished.some((r) => r.task === "Reload Sales dashboard" && r.stopMs === at("2026-11-19T07:10:00Z"))).toBe(true);
  expect(fresh.mail.subject).toBe("Sales dashboard is fresh again (data as of 08:10)");
  expect(mails()).toHaveLength(3);

  // The feed of /status, through the browser's XML parser.
  const atom = await page.goto(`${base}/status/feed.atom`);
  expect(atom?.headers()["content-type"]).toBe("application/atom+xml; charset=utf-8");
  const xml = await atom!.text();
  await page.goto("about:blank");
  const feed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    const ns = "http://www.w3.org/2005/Atom";
    return {
      error: doc.getElementsByTagName("parsererror").length,
      root: `${doc.documentElement.namespaceURI} ${doc.documentElement.localName}`,
      feedId: doc.documentElement.getElementsByTagNameNS(ns, "id")[0]?.textContent ?? "",
      // The notices (the late day's record entry, issue 106, is record-browser.test.ts's).
      titles: [...doc.getElementsByTagNameNS(ns, "entry")]
        .filter((e) => e.getElementsByTagNameNS(ns, "category")[0]?.getAttribute("term") !== "record")
        .map((e) => e.getElementsByTagNameNS(ns, "title")[0]?.textContent),
    };
  }, xml);
  expect(feed).toMatchObject({ error: 0, root: "http://www.w3.org/2005/Atom feed", titles: [fresh.mail.subject, "Sales dashboard will be late today"] });
  expect(feed.feedId).toStartWith("urn:uuid:");

  // The unsubscribe link of the last mail.
  await page.goto(linkIn(fresh.mail.text ?? "", "/status/subscriptions/unsubscribe")!);
  await page.click("#confirm");
  await heading(page, "Unsubscribed");
  expect(await page.textContent("body")).toContain(`${ANNA} gets no more mail about Sales dashboard`);
}, 300_000);
