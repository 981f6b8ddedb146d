// A cause's links in a real browser (issue 74): the page of a node whose Scheduler stopped and the page of a queue
// backed up reach a real SMTP server; Chromium opens the first mail's Acknowledge button and confirms it, then the
// second mail's Snooze button and its first choice. The dashboard's Causes and Incidents pages show who is on the
// node's cause and who snoozed the queue's, and the silence names the queue's cause. Chromium then snoozes another
// node's cause from its heading on the Incidents page (it holds no task incident: the silence names the cause). One
// Steward listening on a free loopback port (the links' base URL). Firefox is not run here: a cause's link lands on
// the same page and form as an incident's (ack-links/page.ts, one handler for both), which browser-loop.test.ts
// confirms in Firefox, and the dashboard's texts are the server's, read here in Chromium.
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
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await smtp?.stop();
});

const emitNodeDown = (host: string) =>
  t.app.bus.emit("service.stopped", syntheticServiceEvent({ state: "stopped", host: `${host}.corp.example`, service: "QlikSenseSchedulerService" }));
const emitBacklog = (host: string) =>
  t.app.bus.emit("scheduler.queue_backlog", syntheticWatchdogEvent("scheduler.queue_backlog", { host: `${host}.corp.example` }));

const activeSilences = async () =>
  ((await (await t.request("/v4/silences?state=active")).json()) as { silences: Array<{ matcher: unknown; author: string; reason: string }> }).silences;

/** A cause's heading on the Incidents page, by the role of its part (ack, snooze, escalation). */
const heading = (causeId: number, role: string) => `tr.cause-heading[data-cause="${causeId}"] [data-role="${role}"]`;

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
  await emitNodeDown("qlik2");
  await emitBacklog("reload01");
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
  await page.goto(`${base}/ui/incidents`);
  expect(await page.textContent(`${heading(node.id, "ack")} b`)).toBe(ANNA);
  expect(await page.textContent(heading(queue.id, "snooze"))).toMatch(new RegExp(`^Snoozed until .+ by ${ANNA}$`));
  expect(await page.$$(heading(queue.id, "snooze-action"))).toHaveLength(0);
  expect(await activeSilences()).toMatchObject([{ matcher: { causeIds: [queue.id] }, author: ANNA }]);
}, 120_000);

test("Chromium snoozes a node's cause from its heading on the Incidents page: the silence names the cause", async () => {
  await emitNodeDown("qlik3");
  const node = await openCause("Qlik services down on qlik3");
  await page.goto(`${base}/ui/incidents`);
  const questions: string[] = [];
  page.once("dialog", (d) => {
    questions.push(d.message());
    void d.accept();
  });
  await page.click(`${heading(node.id, "ack")} button[data-action="snooze"]`);
  await page.waitForSelector(heading(node.id, "snooze"));
  expect(questions).toEqual([
    expect.stringMatching(/^Snooze Qlik services down on qlik3 for 1h\? Its further alerts are held until then; its recovery is still sent\.$/),
  ]);
  expect(await page.$$(heading(node.id, "snooze-action"))).toHaveLength(0);
  const made = (await activeSilences()).filter((s) => s.reason.startsWith("snoozed from the dashboard"));
  expect(made).toMatchObject([{ matcher: { causeIds: [node.id] }, reason: "snoozed from the dashboard (Qlik services down on qlik3)" }]);
}, 60_000);
