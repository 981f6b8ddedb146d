// Chromium approves a retry from a real mail's link: the landing page (a GET that does nothing), the "Retry now"
// button (a POST from the page's own origin, which the browser guard lets through for link pages), the result page;
// the task is started once through QRS, heals, and the incident's actions (its timeline of what was done) show the
// retry by the mail's recipient and how it ended.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import { waitFor } from "../../../helpers/wait-for";
import type { Harness } from "../../hear/intake/harness";
import { launchChromium, type TestBrowser } from "../../show/dashboard/chromium";
import type { SmtpReceiver } from "../../tell/notify/receivers";
import { connectionErrorSite } from "../../../helpers/connection-error-site";

const TASK = "d3b00000-0000-4000-8000-000000000001";
const SITE = connectionErrorSite("Retry from the browser", TASK);

let smtp: SmtpReceiver;
let h: Harness;
let m: MailedHarness | undefined;
let browser: TestBrowser | undefined;
let page: Page;

beforeAll(async () => {
  m = await startMailedHarness("steward-remedy-browser-", {
    site: SITE,
    to: ["anna@corp.example"],
    extraYaml: (mail) => `
channels:
${mail}
routes:
  - { on: [task.failed, task.recovered], to: [mail] }
actionLinks: { publicBaseUrl: "https://steward.corp.example:8443" }
remediation: { pollInterval: 1s }
`,
  });
  ({ h, smtp } = m);
  browser = await launchChromium();
  page = browser.page;
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await m?.close();
});

test("a retry approved in Chromium from the mail's link starts the task once and shows on the incident", { timeout: 60_000 }, async () => {
  const e = await h.eventFor(await h.runWhenIdle(TASK, "fail"), 15_000);
  const mail = await waitFor(() => smtp.mails[0], { what: "the failure's mail", timeoutMs: 15_000 });
  const link = /https:\/\/steward\.corp\.example:8443(\/act\/incident\/\d+\?[^\s"<>]*a=retry[^\s"<>]*)/.exec(mail.mail.text ?? "")?.[1];
  expect(link).toBeDefined();
  // The mail's link, on the address this Steward listens at (the proxy's, in production).
  await page.goto(`${h.t.app.server!.url()}${link}`);
  expect(await page.textContent("h1")).toBe("Start this task again?");
  await page.click('button[name="retry"][value="0"]');
  await page.waitForSelector("text=will be started again now");
  expect(await page.textContent("h1")).toBe("Done");
  const actions = async () =>
    ((await (await h.t.request(`/v4/incidents/${e.incident!.id}/actions`)).json()) as { actions: Array<Record<string, unknown>> }).actions;
  await waitFor(async () => (await actions())[0]?.status === "ended", { what: "the retry's run to end", timeoutMs: 30_000 });
  expect((await actions())[0]).toMatchObject({ requestedBy: "anna@corp.example", requestedFrom: "link", outcome: "succeeded" });
  expect(String((await actions())[0]!.requestedIp)).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
  expect(h.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${TASK}/start`))).toHaveLength(1);
  // The incident's own page in the browser (the REST answer the dashboard reads): its actions, newest state.
  await page.goto(`${h.t.app.server!.url()}/v4/incidents/${e.incident!.id}/actions`);
  expect(await page.textContent("body")).toContain('"outcome":"succeeded"');
});
