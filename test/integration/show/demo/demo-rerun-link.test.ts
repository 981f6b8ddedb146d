// The demo's backed-up queue, tried as a newcomer would (issue 101): the queue's cause on sense4 closes as soon as Qlik
// cancels its one waiting run (Reload Supplier scorecard), which is when a re-run makes sense. Its page in the demo
// inbox carries *Re-run the cancelled runs*; opened after the cause closed, the link used to answer "Already
// recovered". Now it asks to confirm, its POST re-runs the cancelled run once, and the recovered mail's own Re-run
// link, opened after that, says nothing is left to re-run. Pressed where a newcomer presses them: the backlog's mail
// opened in the dashboard's Demo inbox in Chromium, its link clicked inside the rendered mail and confirmed on the page
// it opens; the recovered mail's link in Firefox. Real time: the demo plays its queue scene in its first two minutes.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { DEMO_QUEUE_WAITER } from "../../../../src/show/demo/demo-site";
import { startDemoInBrowsers, type DemoInBrowsers } from "../../../helpers/test-demo";
import { waitFor } from "../../../helpers/wait-for";

let site: DemoInBrowsers | undefined;
let steward = "";

beforeAll(async () => {
  site = await startDemoInBrowsers("steward-demo-rerun-");
  steward = site.demo.urls.steward;
}, 120_000);

afterAll(async () => {
  await site?.stop();
});

const TITLE = "reload queue backed up on sense4";
const unescapeHtml = (s: string) => s.replaceAll("&amp;", "&").replaceAll("&#38;", "&");

test("the queue mail's Re-run link, pressed after the cause closed, re-runs the cancelled run once; pressed again, nothing is left", async () => {
  const cause = await waitFor(
    async () => {
      const { causes } = (await (await fetch(`${steward}/v4/causes?status=closed`)).json()) as { causes: Array<{ id: number; title: string }> };
      return causes.find((c) => c.title === TITLE);
    },
    { what: "the demo's queue cause, closed once its waiting run was cancelled", timeoutMs: 150_000, intervalMs: 500 },
  );
  const rerunLinks = () =>
    site!.demo.inbox
      .mails()
      .flatMap((m) =>
        [...(m.html ?? "").matchAll(/href="([^"]+\/act\/cause\/(\d+)\?[^"]+)"/g)].map((x) => ({ mail: m.id, cause: Number(x[2]), url: unescapeHtml(x[1]!) })),
      )
      .filter((l) => l.cause === cause.id && new URL(l.url).searchParams.get("a") === "rerun");
  // The backlog's mail, then the recovered mail, which names the cancelled run and carries the link too.
  const [first, again] = await waitFor(() => (rerunLinks().length >= 2 ? rerunLinks() : undefined), {
    what: "the Re-run links of the backlog's and the recovered mail",
    timeoutMs: 30_000,
    intervalMs: 500,
  });
  const link = `a[href*="/act/cause/${cause.id}?"][href*="a=rerun"]`;

  // Chromium: the backlog's mail in the inbox; its link opens the confirmation page in a tab of its own.
  const page = site!.chromium.page;
  await page.goto(`${steward}/ui/inbox/${first!.mail}`);
  const [tab] = await Promise.all([page.context().waitForEvent("page"), page.frameLocator("iframe.mail-frame").locator(link).first().click()]);
  await tab.waitForSelector('button[value="rerun"]');
  const asked = (await tab.textContent("main")) ?? "";
  expect(asked).not.toContain("Already recovered");
  expect(asked).toContain(DEMO_QUEUE_WAITER);
  await tab.click('button[value="rerun"]');
  await tab.waitForSelector("text=will be started again");
  expect(await tab.textContent("main")).toContain("1 run(s) will be started again once the queue of sense4 has drained");
  await tab.close();

  const ended = await waitFor(
    async () => {
      const { actions } = (await (await fetch(`${steward}/v4/causes/${cause.id}/actions`)).json()) as {
        actions: Array<{ taskName: string; status: string; outcome: string | null }>;
      };
      return actions.every((a) => a.status === "ended") && actions.length > 0 ? actions : undefined;
    },
    { what: "the re-run of the cancelled run to end", timeoutMs: 60_000, intervalMs: 500 },
  );
  expect(ended.map((a) => [a.taskName, a.outcome])).toEqual([[DEMO_QUEUE_WAITER, "succeeded"]]);
  // Firefox: the recovered mail's link, once the run ran again: nothing left, naming how it ran.
  const ff = site!.firefox;
  await ff.goto(`${steward}/ui/inbox/${again!.mail}`);
  await ff.clickInFrame("iframe.mail-frame", link);
  const ffTab = await ff.nextTab();
  const left = await waitFor(
    async () => {
      const text = await ffTab.text().catch(() => "");
      return /Nothing left to re-run/.test(text) ? text : undefined;
    },
    { what: "Firefox's page for the recovered mail's Re-run link" },
  );
  expect(left).toContain(`${DEMO_QUEUE_WAITER}: re-run asked by`);
}, 240_000);
