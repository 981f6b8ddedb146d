// The /ui charts in Chromium from real history: the Qlik Sense simulator runs tasks through Steward (successes,
// failures, an abort, different durations), alerts go to a working and a failing webhook; the overview's
// outcome charts, slowest tasks and delivery health, and a task's run history must show exactly those runs,
// with text and bars readable in the light and the dark theme. Screenshots go to test-output/.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, startHarness, type Harness } from "../../hear/intake/harness";
import { launchChromium, type TestBrowser } from "./chromium";

const SHOTS = resolve(import.meta.dir, "../../../../test-output");
const TIMEOUT = 60_000;

let dir: TempDir;
let h: Harness;
let browser: TestBrowser | undefined;
let page: Page;
let base: string;
const ok = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("ok") });
const down = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("down", { status: 503 }) });
const reloads: Array<{ outcome: "succeed" | "fail" | "abort"; durationMs: number }> = [
  { outcome: "succeed", durationMs: 300 },
  { outcome: "succeed", durationMs: 900 },
  { outcome: "fail", durationMs: 500 },
  { outcome: "succeed", durationMs: 1400 },
  { outcome: "abort", durationMs: 2000 },
  { outcome: "succeed", durationMs: 700 },
];

beforeAll(async () => {
  dir = createTempDir("steward-charts-");
  h = await startHarness({
    dir: dir.path,
    extraYaml: `
channels:
  ops-hook: { type: webhook, url: "http://127.0.0.1:${ok.port}/alerts" }
  old-hook: { type: webhook, url: "http://127.0.0.1:${down.port}/alerts" }
notify:
  outbox: { maxAttempts: 1 }
routes:
  - { on: [task.failed, task.aborted, task.succeeded], to: [ops-hook] }
  - { on: [task.failed], to: [old-hook] }
`,
  });
  for (const r of reloads) await h.eventFor(await h.runWhenIdle(IDS.reload, r.outcome, { durationMs: r.durationMs }), 15_000);
  await h.eventFor(await h.runWhenIdle(IDS.externalProgram, "fail", { durationMs: 200 }), 15_000);
  await h.eventFor(await h.runWhenIdle(IDS.preload, "succeed", { durationMs: 250 }), 15_000);
  await waitFor(
    async () => ((await (await h.t.request("/v4/deliveries?status=pending,sending")).json()) as { deliveries: unknown[] }).deliveries.length === 0,
    { what: "deliveries settled", timeoutMs: 20_000 },
  );
  base = h.t.app.server!.url();
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  page = browser.page;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
  await ok.stop(true);
  await down.stop(true);
  dir?.remove();
});

/** WCAG contrast ratios, in the page, of each matched element's colour (text fill or shape fill) against the card. */
async function contrasts(selector: string): Promise<number[]> {
  return page.$$eval(selector, (els) => {
    const rgb = (s: string) => (s.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    return els.map((el) => {
      let card: Element | null = el;
      while (card && !card.classList.contains("card")) card = card.parentElement;
      const bg = lum(rgb(getComputedStyle(card ?? document.body).backgroundColor));
      const fg = lum(rgb(getComputedStyle(el).fill));
      return (Math.max(bg, fg) + 0.05) / (Math.min(bg, fg) + 0.05);
    });
  });
}

describe("dashboard charts", () => {
  for (const scheme of ["light", "dark"] as const) {
    test(
      `overview (${scheme}): outcomes, slowest tasks and delivery health from the runs`,
      async () => {
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`${base}/ui`);
        const total = reloads.length + 2;
        for (const id of ["outcomes-24h", "outcomes-7d"]) {
          const chart = page.locator(`figure[data-chart="${id}"]`);
          expect(await chart.getAttribute("data-total")).toBe(String(total));
          const sum = async (o: string) =>
            (await chart.locator(`rect[data-outcome="${o}"]`).evaluateAll((rs) => rs.map((r) => Number(r.getAttribute("data-n"))))).reduce((a, b) => a + b, 0);
          expect([await sum("succeeded"), await sum("failed"), await sum("aborted")]).toEqual([5, 2, 1]);
        }
        expect(await page.locator('figure[data-chart="outcomes-24h"] g.bar title').last().textContent()).toMatch(
          /5 succeeded, 2 failed, 1 aborted|\d+ succeeded/,
        );
        // Slowest first: the reload task (its 2 s abort), linking to its page.
        const slow = page.locator('table[data-chart="slowest"] tr');
        expect(await slow.first().getAttribute("data-task")).toBe(IDS.reload);
        expect(await slow.first().textContent()).toContain("6 runs");
        expect(await page.locator('table[data-chart="delivery-health"] tr[data-channel="old-hook"]').textContent()).toContain("2 dead");
        expect(await page.locator('table[data-chart="delivery-health"] tr[data-channel="ops-hook"]').textContent()).toContain(`${total} delivered`);
        // Readable: axis text ≥ 4.5:1 and bars ≥ 3:1 against the card, in this theme.
        for (const c of await contrasts("figure.chart text")) expect(c).toBeGreaterThanOrEqual(4.5);
        for (const c of await contrasts("figure.chart rect[data-outcome]")) expect(c).toBeGreaterThanOrEqual(3);
        await page.screenshot({ path: join(SHOTS, `dashboard-charts-overview-${scheme}.png`), fullPage: true });
      },
      TIMEOUT,
    );

    test(
      `a task's run history (${scheme})`,
      async () => {
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`${base}/ui`);
        await page.locator('table[data-chart="slowest"] tr').first().locator("a").click();
        await page.waitForURL(`**/ui/tasks/${IDS.reload}`);
        const chart = page.locator('figure[data-chart="task-runs"]');
        expect(await chart.getAttribute("data-runs")).toBe(String(reloads.length));
        const outcomes = await chart.locator("rect[data-outcome]").evaluateAll((rs) => rs.map((r) => r.getAttribute("data-outcome")));
        expect(outcomes).toEqual(reloads.map((r) => ({ succeed: "succeeded", fail: "failed", abort: "aborted" })[r.outcome]));
        // The bars follow the durations QRS reported: ranked by height they are ranked by duration.
        const heights = await chart.locator("rect[data-outcome]").evaluateAll((rs) => rs.map((r) => Number(r.getAttribute("height"))));
        // A recovery (task.recovered) follows a failure on the bus but is not a run of its own.
        const isRun = (k: string) => k === "task.succeeded" || k === "task.failed" || k === "task.aborted";
        const durations = h.events.filter((e) => e.task.id === IDS.reload && isRun(e.kind)).map((e) => e.execution?.durationMs ?? 0);
        const rank = (xs: number[]) => xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]! || a - b);
        expect(rank(heights)).toEqual(rank(durations));
        expect(await page.locator("#runs tbody tr").count()).toBe(reloads.length);
        for (const c of await contrasts("figure.chart text")) expect(c).toBeGreaterThanOrEqual(4.5);
        for (const c of await contrasts("figure.chart rect[data-outcome]")) expect(c).toBeGreaterThanOrEqual(3);
        await page.screenshot({ path: join(SHOTS, `dashboard-charts-task-${scheme}.png`), fullPage: true });
      },
      TIMEOUT,
    );
  }
});
