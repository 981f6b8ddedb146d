// Acknowledging an incident from the dashboard, on a route that sends every failure (renotify: every, Butler's way): two failures mail twice; "Acknowledge" (Chromium, with a note)
// records who and when through the REST API; the third failure then mails nobody (its delivery says why), and
// the recovery is mailed as usual. A closed incident cannot be acknowledged (409), an unknown one is 404.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import { waitFor } from "../../../helpers/wait-for";
import { launchChromium, type TestBrowser } from "../../show/dashboard/chromium";
import { IDS, type Harness } from "../../hear/intake/harness";
import type { SmtpReceiver } from "../notify/receivers";

let smtp: SmtpReceiver;
let h: Harness;
let m: MailedHarness | undefined;
let browser: TestBrowser | undefined;
let page: Page;

beforeAll(async () => {
  m = await startMailedHarness("steward-ack-", {
    extraYaml: (mail) => `
channels:
${mail}
routes:
  - { name: on-call, on: [task.failed, task.recovered], to: [mail], taskIds: [${IDS.reload}], renotify: every }
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

const mailsFor = (executionId: string) =>
  smtp.mails.filter((m) => m.mail.headers.some((x) => x.key === "x-steward-delivery" && String(x.value).startsWith(`${executionId}:`)));
const json = async <T>(path: string, init?: RequestInit) => {
  const res = await h.t.request(path, init);
  return { status: res.status, body: (await res.json()) as T };
};

test("an acknowledged incident stops notifying its failures until it recovers", { timeout: 60_000 }, async () => {
  const first = await h.runWhenIdle(IDS.reload, "fail");
  const second = await h.runWhenIdle(IDS.reload, "fail");
  await waitFor(() => (mailsFor(first).length === 1 && mailsFor(second).length === 1) || undefined, {
    what: "a mail for each of two failures",
    timeoutMs: 15_000,
  });
  const { body: list } = await json<{ incidents: Array<{ id: number; failures: number }> }>("/v4/incidents?status=open");
  const incident = list.incidents[0]!;
  expect(incident.failures).toBe(2);

  await page.goto(`${h.t.app.server!.url()}/ui/incidents`);
  page.once("dialog", (d) => void d.accept("Looking at the SQL Server"));
  await page.click(`tr[data-incident="${incident.id}"] button[data-action="ack-incident"]`);
  await page.waitForSelector(`tr[data-incident="${incident.id}"] td[data-role="ack"] b`);
  expect(await page.locator(`tr[data-incident="${incident.id}"] td[data-role="ack"]`).textContent()).toContain("Looking at the SQL Server");
  const { body: acked } = await json<{ acknowledgedAt: string | null; acknowledgedBy: string | null; acknowledgedNote: string | null }>(
    `/v4/incidents/${incident.id}`,
  );
  expect(acked.acknowledgedAt).not.toBeNull();
  expect(acked.acknowledgedNote).toBe("Looking at the SQL Server");
  const audit = await json<{ entries: Array<{ target: string; result: string }> }>("/v4/audit?action=api.write&limit=20");
  expect(audit.body.entries.some((e) => e.target === `POST /v4/incidents/${incident.id}/acknowledge` && e.result === "ok")).toBe(true);

  const third = await h.runWhenIdle(IDS.reload, "fail");
  await h.eventFor(third);
  const quiet = await waitFor(
    async () => {
      const d = await json<{ deliveries: Array<{ status: string; reason: string | null; eventId: string }> }>(`/v4/deliveries?limit=20`);
      return d.body.deliveries.find((x) => x.eventId?.startsWith(third));
    },
    { what: "the third failure's delivery" },
  );
  expect(quiet.status).toBe("suppressed");
  expect(quiet.reason).toContain("acknowledged");

  const fixed = await h.runWhenIdle(IDS.reload, "succeed");
  await waitFor(() => mailsFor(fixed).length === 1 || undefined, { what: "the recovery mail", timeoutMs: 15_000 });
  expect(mailsFor(third).length).toBe(0);

  // Closed now: nothing to acknowledge; an unknown id is not found.
  const again = await json<{ code: string }>(`/v4/incidents/${incident.id}/acknowledge`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  expect(again.status).toBe(409);
  expect((await h.t.request("/v4/incidents/999999/acknowledge", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(
    404,
  );
});
