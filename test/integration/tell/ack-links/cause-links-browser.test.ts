// A cause's links in real browsers (issue 74): the page of a node whose Scheduler stopped and the page of a queue
// backed up reach a real SMTP server; Chromium opens the first mail's Acknowledge button and confirms it, then the
// second mail's Snooze button and its first choice; Firefox ESR does the same with another node's and another queue's
// mails. The dashboard's Causes and Incidents pages show who is on each node's cause and who snoozed each queue's, and
// the silences name the queues' causes. Chromium then snoozes a third node's cause from its heading on the Incidents
// page (it holds no task incident: the silence names the cause). One Steward listening on a free loopback port (the
// links' base URL) for both browsers.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import type { ParentView } from "../../../../src/tell/grouping";
import { syntheticServiceEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { freeTcpPort } from "../../../helpers/free-port";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";
import { launchChromium, type TestBrowser } from "../../show/dashboard/chromium";
import { launchFirefox, type FirefoxPage } from "../../show/dashboard/firefox";
import { startSmtpReceiver, type SmtpReceiver } from "../notify/receivers";

const ANNA = "anna@corp.example";
let smtp: SmtpReceiver;
let t: TestApp;
let browser: TestBrowser | undefined;
let firefox: FirefoxPage | undefined;
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
  firefox = await launchFirefox();
}, 90_000);

afterAll(async () => {
  await firefox?.close();
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

/** Firefox's page text once it matches `re`. */
const firefoxText = (re: RegExp, what: string) =>
  waitFor(
    async () => {
      const text = await firefox!.text().catch(() => "");
      return re.test(text) ? text : undefined;
    },
    { what },
  );

const firefoxTextOf = (selector: string) => firefox!.evaluate<string | null>(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? null`);

test("Firefox ESR acknowledges another node's cause and snoozes another queue's cause from their mails; the dashboard says so", async () => {
  await emitNodeDown("qlik3");
  await emitBacklog("reload02");
  const node = await openCause("Qlik services down on qlik3");
  const queue = await openCause("reload queue backed up on reload02");
  await waitFor(() => smtp.mails.length >= 4 || undefined, { what: "the pages of qlik3 and reload02" });

  await firefox!.goto(buttonOf(node.id, "Acknowledge"));
  expect(await firefox!.text()).toContain(`Cause #${node.id}: Qlik services down on qlik3`);
  await firefox!.click('button[value="ack"]');
  expect(await firefoxText(/is acknowledged by/, "Firefox's acknowledge result page")).toContain(
    `Cause #${node.id} (Qlik services down on qlik3) is acknowledged by ${ANNA}`,
  );
  await firefox!.goto(buttonOf(queue.id, "Snooze"));
  expect(await firefox!.text()).toContain("Snooze this incident?");
  await firefox!.click('button[name="choice"]');
  expect(await firefoxText(/is snoozed/, "Firefox's snooze result page")).toContain(
    `Cause #${queue.id} (reload queue backed up on reload02) is snoozed for 1h`,
  );

  await firefox!.goto(`${base}/ui/causes`);
  expect(await firefoxTextOf(`tr[data-cause="${node.id}"] [data-role="ack"] b`)).toBe(ANNA);
  await firefox!.goto(`${base}/ui/incidents`);
  expect(await firefoxTextOf(`${heading(node.id, "ack")} b`)).toBe(ANNA);
  expect(await firefoxTextOf(heading(queue.id, "snooze"))).toMatch(new RegExp(`^Snoozed until .+ by ${ANNA}$`));
  const byAnna = (await activeSilences()).filter((s) => s.author === ANNA).map((s) => s.matcher);
  expect(byAnna).toHaveLength(2);
  expect(byAnna).toContainEqual({ causeIds: [queue.id] });
}, 120_000);

test("Chromium snoozes a node's cause from its heading on the Incidents page: the silence names the cause", async () => {
  await emitNodeDown("qlik4");
  const node = await openCause("Qlik services down on qlik4");
  await page.goto(`${base}/ui/incidents`);
  const questions: string[] = [];
  page.once("dialog", (d) => {
    questions.push(d.message());
    void d.accept();
  });
  await page.click(`${heading(node.id, "ack")} button[data-action="snooze"]`);
  await page.waitForSelector(heading(node.id, "snooze"));
  expect(questions).toEqual([
    expect.stringMatching(/^Snooze Qlik services down on qlik4 for 1h\? Its further alerts are held until then; its recovery is still sent\.$/),
  ]);
  expect(await page.$$(heading(node.id, "snooze-action"))).toHaveLength(0);
  const made = (await activeSilences()).filter((s) => s.reason.startsWith("snoozed from the dashboard"));
  expect(made).toMatchObject([{ matcher: { causeIds: [node.id] }, reason: "snoozed from the dashboard (Qlik services down on qlik4)" }]);
}, 60_000);
