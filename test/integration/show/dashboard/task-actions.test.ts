// From the page of a failed run: links to the task in the QMC and the app in the hub, and "Run the task again",
// which asks first and then starts the task through the REST API (the simulator's QRS sees the start, the audit
// log records it as an API write).
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, startHarness, type Harness } from "../../hear/intake/harness";
import { launchChromium, type TestBrowser } from "./chromium";

let dir: TempDir;
let h: Harness;
let browser: TestBrowser | undefined;
let page: Page;

beforeAll(async () => {
  dir = createTempDir("steward-task-actions-");
  h = await startHarness({ dir: dir.path });
  browser = await launchChromium();
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
  dir?.remove();
});

const startsOf = (taskId: string) =>
  h.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().startsWith(`/qrs/task/${taskId}/start`));

test("a failed run's page links to the QMC and the hub, and runs the task again after asking", { timeout: 60_000 }, async () => {
  const executionId = await h.runWhenIdle(IDS.reload, "fail");
  await h.eventFor(executionId);
  const entry = h.t.app.dashboard.timeline.entries().find((e) => "executionId" in e.event && e.event.executionId === executionId)!;
  await page.goto(`${h.t.app.server!.url()}/ui/events/${entry.seq}`);
  expect(await page.locator('#task-actions a[data-link="qmc"]').getAttribute("href")).toBe("https://sense1.test.example/qmc/tasks");
  expect(await page.locator('#task-actions a[data-link="hub"]').getAttribute("href")).toBe(`https://sense1.test.example/sense/app/${IDS.app}`);

  const before = startsOf(IDS.reload).length;
  // Declined: nothing starts.
  page.once("dialog", (d) => void d.dismiss());
  await page.click('button[data-action="start-task"]');
  await Bun.sleep(300);
  expect(startsOf(IDS.reload).length).toBe(before);
  // Confirmed: started once, and audited as an API write.
  let asked = "";
  page.once("dialog", (d) => {
    asked = d.message();
    void d.accept();
  });
  await page.click('button[data-action="start-task"]');
  await waitFor(() => startsOf(IDS.reload).length === before + 1 || undefined, { what: "the task start in QRS" });
  expect(asked).toBe("Start the task Reload Sales dashboard now?");
  await page.waitForSelector("#toast:has-text('Started Reload Sales dashboard')");
  const audit = (await (await h.t.request("/v4/audit?action=api.write&limit=10")).json()) as { entries: Array<{ target: string; result: string }> };
  expect(audit.entries.some((x) => x.target === `POST /v4/reloadtask/${IDS.reload}/start` && x.result === "ok")).toBe(true);
});
