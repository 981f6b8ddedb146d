// The main dashboard pages checked with axe-core (a maintained accessibility checker) in Chromium, in the light
// and the dark theme, with real content (a failed and a succeeded run from the simulator, a schedule): no
// violation of serious or critical impact, with the sections and their pages in the header and the silence form.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { IDS, startHarness, type Harness } from "../../hear/intake/harness";
import { launchChromium, type TestBrowser } from "./chromium";
import { wallLimit } from "../../../helpers/time-limit";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let dir: TempDir;
let h: Harness;
let browser: TestBrowser | undefined;
let page: Page;
let failedSeq = 0;

beforeAll(async () => {
  dir = createTempDir("steward-a11y-");
  h = await startHarness({ dir: dir.path });
  const failed = await h.runWhenIdle(IDS.reload, "fail");
  await h.eventFor(failed);
  await h.eventFor(await h.runWhenIdle(IDS.reload, "succeed"));
  failedSeq = h.t.app.dashboard.timeline.entries().find((e) => "executionId" in e.event && e.event.executionId === failed)!.seq;
  await h.t.request("/v4/schedules", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Nightly sales", cronSchedule: "0 2 * * *", qlikSenseTaskId: IDS.reload }),
  });
  await h.t.request("/v4/keyvalues/ns", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: "k", value: "v" }) });
  browser = await launchChromium();
  page = browser.page;
}, wallLimit(60_000));

afterAll(async () => {
  await browser?.close();
  await h?.close();
  dir?.remove();
});

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

async function seriousViolations(path: string): Promise<string[]> {
  await page.goto(`${h.t.app.server!.url()}${path}`);
  // Evaluated through the DevTools protocol, which the pages' Content-Security-Policy does not govern.
  await page.evaluate(AXE);
  const found = (await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run(o: unknown): Promise<{ violations: unknown[] }> } }).axe.run({ resultTypes: ["violations"] });
    return r.violations;
  })) as Violation[];
  return found
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${path}: ${v.id} (${v.help}) at ${v.nodes
          .map((n) => n.target.join(" "))
          .slice(0, 3)
          .join(", ")}`,
    );
}

for (const scheme of ["light", "dark"] as const) {
  test(`the main pages have no serious accessibility violation (${scheme})`, { timeout: wallLimit(60_000) }, async () => {
    await page.emulateMedia({ colorScheme: scheme });
    const pages = [
      "/ui",
      "/ui/events",
      `/ui/events/${failedSeq}`,
      `/ui/tasks/${IDS.reload}`,
      "/ui/deliveries",
      "/ui/incidents",
      "/ui/causes",
      "/ui/silences",
      "/ui/reloads",
      "/ui/report",
      "/ui/noise",
      "/ui/schedules",
      "/ui/kv?ns=ns",
      "/ui/audit",
      "/ui/license",
      "/ui/data-checks",
      "/ui/watchdog",
      "/ui/login",
    ];
    const problems: string[] = [];
    for (const p of pages) problems.push(...(await seriousViolations(p)));
    expect(problems).toEqual([]);
  });
}
