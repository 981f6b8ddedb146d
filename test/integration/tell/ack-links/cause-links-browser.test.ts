// A cause's links in a real browser (issue 74): the page of a node whose Scheduler stopped and the page of a queue
// backed up reach a real SMTP server; Chromium opens the first mail's Acknowledge button and confirms it, then the
// second mail's Snooze button and its first choice. The causes page of the dashboard shows who is on the node's cause,
// and the silence names the queue's cause. One Steward listening on a free loopback port (the links' base URL).
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import type { ParentView } from "../../../../src/tell/grouping";
import { syntheticServiceEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { freeTcpPort } from "../../../helpers/free-port";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";
import { launchChromium, type TestBrowser } from "../../show/dashboard/chromium";
import { startSmtpReceiver, type SmtpReceiver } from "../notify/receivers";

const ANNA = "anna@corp.example";
let smtp: SmtpReceiver;
let t: TestApp;
let browser: TestBrowser | undefined;
let page: Page;
let base: string;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  const port = await freeTcpPort();
  base = `http://127.0.0.1:${port}`;
  t = createTestApp(`http: { host: 127.0.0.1, port: ${port} }
channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }
    from: steward@corp.example
    to: [${ANNA}]
routes:
  - { on: [service.stopped, service.started, scheduler.queue_backlog, task.on_track], to: [mail] }
actionLinks: { publicBaseUrl: "${base}" }
`);
  await t.app.start();
  browser = await launchChromium();
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await smtp?.stop();
});

const openCause = async (title: string) =>
  waitFor(async () => ((await (await t.request("/v4/causes?status=open")).json()) as { causes: ParentView[] }).causes.find((c) => c.title === title), {
    what: `the open cause "${title}"`,
  });

/** The href of a mail's button, as the browser follows it. */
const buttonOf = (causeId: number, text: string) => {
  const mail = smtp.mails.find((m) => (m.mail.subject ?? "").includes(`[Open: cause #${causeId},`));
  const m = new RegExp(`<a href="([^"]+)"[^>]*>${text}</a>`).exec(mail?.mail.html ?? "");
  if (!m) throw new Error(`no ${text} button in the page of cause #${causeId}`);
  return m[1]!.replaceAll("&amp;", "&").replaceAll("&#38;", "&");
};

test("Chromium acknowledges a node's cause and snoozes a queue's cause from their mails; the dashboard and the silences say so", async () => {
  await t.app.bus.emit("service.stopped", syntheticServiceEvent({ state: "stopped", host: "qlik2.corp.example", service: "QlikSenseSchedulerService" }));
  await t.app.bus.emit("scheduler.queue_backlog", syntheticWatchdogEvent("scheduler.queue_backlog", { host: "reload01.corp.example" }));
  const node = await openCause("Qlik services down on qlik2");
  const queue = await openCause("reload queue backed up on reload01");
  await waitFor(() => smtp.mails.length >= 2 || undefined, { what: "both pages" });

  const origins: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST") origins.push(r.headers().origin ?? "(none)");
  });
  const ack = buttonOf(node.id, "Acknowledge");
  expect(ack.startsWith(`${base}/act/cause/${node.id}?`)).toBe(true);
  await page.goto(ack);
  expect(await page.textContent("h1")).toBe("Acknowledge this incident?");
  expect(await page.textContent("main")).toContain(`Cause #${node.id}: Qlik services down on qlik2`);
  await page.click('button[value="ack"]');
  await page.waitForSelector("h1");
  expect(await page.textContent("main")).toContain(`Cause #${node.id} (Qlik services down on qlik2) is acknowledged by ${ANNA}`);

  await page.goto(buttonOf(queue.id, "Snooze"));
  expect(await page.textContent("h1")).toBe("Snooze this incident?");
  await page.click('button[name="choice"]');
  await page.waitForSelector("h1");
  expect(await page.textContent("main")).toContain(`Cause #${queue.id} (reload queue backed up on reload01) is snoozed for 1h`);
  expect(origins).toEqual([base, base]);

  await page.goto(`${base}/ui/causes`);
  expect(await page.textContent(`tr[data-cause="${node.id}"] [data-role="ack"] b`)).toBe(ANNA);
  const { silences } = (await (await t.request("/v4/silences?state=active")).json()) as { silences: Array<{ matcher: unknown; author: string }> };
  expect(silences).toMatchObject([{ matcher: { causeIds: [queue.id] }, author: ANNA }]);
}, 120_000);
