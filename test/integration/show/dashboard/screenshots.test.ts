// Every page of the dashboard as headless Chromium draws it, on a running Steward fed by the simulator (a failed
// and a succeeded run, its alert delivered and its incident acknowledged, another held by a silence, a schedule, a key, a maintenance window
// tomorrow night), the site in Stockholm: reached only through the navigation (a section, then its pages), at most
// 8 sections, every page of today reachable, the section and page marked, and no time left in ISO form for a person
// to read; and the watchdog's task table without a contradiction (no "on track" beside a failed last run, no "not
// watched" without its reason). A PNG of each page goes to test-output/screenshots/ (not committed) for a person.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "../../tell/notify/receivers";
import { IDS, startHarness, type Harness } from "../../hear/intake/harness";
import { launchChromium, type TestBrowser } from "./chromium";

const SHOTS = resolve(import.meta.dir, "../../../../test-output/screenshots");
const RAW_ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d/;
/** Every dashboard page a person opened from the old single row of tabs, and the two that row left out. */
const TODAYS_PAGES = [
  "/ui",
  "/ui/events",
  "/ui/deliveries",
  "/ui/incidents",
  "/ui/causes",
  "/ui/silences",
  "/ui/schedules",
  "/ui/kv",
  "/ui/audit",
  "/ui/license",
  "/ui/data-checks",
  "/ui/watchdog",
  "/ui/freshness",
  "/ui/doctor",
  "/ui/reloads",
  "/ui/report",
];

let dir: TempDir;
let h: Harness;
let rx: HttpReceiver;
let browser: TestBrowser | undefined;
let page: Page;
let base = "";
let failedSeq = 0;

const post = (path: string, body: unknown) =>
  h.t.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

beforeAll(async () => {
  dir = createTempDir("steward-shots-");
  rx = startHttpReceiver();
  h = await startHarness({
    dir: dir.path,
    // The watchdog on, so that its task table is drawn (its looks are an hour apart: the test asks for one).
    extraYaml: `notify: { timeZone: Europe/Stockholm }\nwatchdog: { interval: 1h }\nchannels:\n  hook: { type: webhook, url: "${rx.url}/hook" }\nroutes:\n  - { on: [task.failed], to: [hook] }\n`,
  });
  // A silence now over the user sync's failures: its alert is held, and the deliveries say until when.
  expect((await post("/v4/silences", { matcher: { taskNames: ["User sync*"] }, reason: "directory move", duration: "3h" })).status).toBe(201);
  await h.eventFor(await h.runWhenIdle(IDS.userSync, "fail"));
  const failed = await h.runWhenIdle(IDS.reload, "fail");
  await h.eventFor(failed);
  await h.eventFor(await h.runWhenIdle(IDS.reload, "succeed"));
  failedSeq = h.t.app.dashboard.timeline.entries().find((e) => "executionId" in e.event && e.event.executionId === failed)!.seq;
  await waitFor(() => rx.requests.length >= 1 || undefined, { what: "the failure's alert, delivered" });
  // A look after the runs, so the watchdog's table shows their outcome whenever its first look at start fell (it drew
  // "—" for the user sync when that look came before the run, seen once on a loaded machine).
  await h.t.app.watchdog!.look();
  // The user sync's incident acknowledged, with a note: when and by whom, on the incidents page.
  const { incidents } = (await (await h.t.request("/v4/incidents?status=open")).json()) as { incidents: Array<{ id: number; taskName?: string }> };
  expect(incidents.length).toBeGreaterThan(0);
  expect((await post(`/v4/incidents/${incidents[0]!.id}/acknowledge`, { note: "on it" })).status).toBe(200);
  expect((await post("/v4/schedules", { name: "Nightly sales", cronSchedule: "0 2 * * *", qlikSenseTaskId: IDS.reload })).status).toBe(201);
  expect((await post("/v4/keyvalues/etl", { key: "lastLoad", value: "done" })).status).toBeLessThan(300);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const silence = await post("/v4/silences", {
    matcher: { nodes: ["Central"] },
    reason: "patching",
    startsAt: `${tomorrow}T22:00`,
    endsAt: `${tomorrow}T23:30`,
  });
  expect(silence.status).toBe(201);
  base = h.t.app.server!.url().replace(/\/$/, "");
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium({ timezoneId: "America/New_York" });
  page = browser.page;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
  await rx?.stop();
  dir?.remove();
});

interface Drawn {
  path: string;
  sections: Array<{ text: string; href: string; active: boolean }>;
  pages: Array<{ text: string; href: string; active: boolean }>;
  iso: string | undefined;
}

/** The page as drawn now: its navigation, and the first raw ISO time in its visible text, if any. */
async function drawn(shot: string): Promise<Drawn> {
  // Chromium now and then answers "Unable to capture screenshot" on a loaded machine: the picture is test output,
  // taken again once; what the page says is checked from its text either way.
  await page
    .screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true })
    .catch(() => page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true }));
  return page.evaluate((source) => {
    const links = (sel: string) =>
      [...document.querySelectorAll<HTMLAnchorElement>(`${sel} a`)].map((a) => ({
        text: a.textContent!.trim(),
        href: new URL(a.href).pathname,
        active: a.classList.contains("active"),
      }));
    return {
      path: location.pathname,
      sections: links("header nav.sections"),
      pages: links("header nav.pages"),
      // biome-ignore lint/performance/useDomNodeTextContent: the text as the viewer sees it
      iso: new RegExp(source).exec(document.body.innerText)?.[0],
    };
  }, RAW_ISO.source);
}

const shotName = (path: string) => (path === "/ui" ? "ui" : path.slice(1).replaceAll("/", "-"));

test("every page, reached through the sections and their pages: at most 8 sections, all of today's pages, no raw ISO time", { timeout: 180_000 }, async () => {
  await page.goto(`${base}/ui`);
  const first = await drawn("ui");
  expect(first.sections.length).toBeLessThanOrEqual(8);
  const sections = first.sections.filter((s) => s.href.startsWith("/ui"));
  const reached = new Set<string>();
  const iso: string[] = [];
  for (const section of sections) {
    // One click: the section's link, from whatever page was drawn last.
    await page.click(`header nav.sections a:text-is("${section.text}")`);
    await page.waitForURL(`${base}${section.href}`);
    const landing = await drawn(shotName(section.href));
    expect(landing.sections.filter((s) => s.active).map((s) => s.text)).toEqual([section.text]);
    expect(landing.pages.length).toBeGreaterThan(0);
    for (const sub of landing.pages) {
      // Two clicks at most: the section, then one of its pages.
      await page.click(`header nav.pages a:text-is("${sub.text}")`);
      await page.waitForURL(`${base}${sub.href}`);
      const d = await drawn(shotName(sub.href));
      reached.add(d.path);
      expect({ page: d.path, sections: d.sections.map((s) => s.text) }).toEqual({ page: d.path, sections: first.sections.map((s) => s.text) });
      expect({ page: d.path, section: d.sections.find((s) => s.active)?.text, marked: d.pages.filter((p) => p.active).map((p) => p.href) }).toEqual({
        page: d.path,
        section: section.text,
        marked: [sub.href],
      });
      if (d.iso) iso.push(`${d.path}: ${d.iso}`);
    }
  }
  expect(TODAYS_PAGES.filter((p) => !reached.has(p))).toEqual([]);
  expect(iso).toEqual([]);
});

test("the pages a list links to (an event, a task's runs) belong to Runs & reloads and show no raw ISO time", { timeout: 60_000 }, async () => {
  for (const path of [`/ui/events/${failedSeq}`, `/ui/tasks/${IDS.reload}`]) {
    await page.goto(`${base}${path}`);
    const d = await drawn(shotName(path));
    expect({ path, section: d.sections.find((s) => s.active)?.text, iso: d.iso }).toEqual({ path, section: "Runs & reloads", iso: undefined });
  }
});

test('the watchdog\'s task table as drawn: no row on track beside a failed last run, a reason after every "not watched"', { timeout: 60_000 }, async () => {
  await page.goto(`${base}/ui/watchdog`);
  await drawn("ui-watchdog-tasks");
  const rows = await page.$$eval("#watched-tasks tbody tr", (trs) =>
    trs.map((tr) => {
      const cells = (tr as HTMLTableRowElement).cells;
      // biome-ignore lint/performance/useDomNodeTextContent: the text as the viewer sees it
      return { task: cells[0]!.innerText.trim(), state: cells[1]!.innerText.trim(), lastRun: cells[5]!.innerText.trim() };
    }),
  );
  // The fixture's user sync failed its last run (held by a silence): the check below has a row to look at.
  expect(rows.find((r) => r.task === "User sync CORP")?.lastRun).toMatch(/failed$/);
  expect(rows.filter((r) => /on track/i.test(r.state) && /failed/.test(r.lastRun))).toEqual([]);
  // "not watched" alone is a state without its why; the reason follows it on the next line of the cell.
  const unexplained = rows.filter((r) => /not watched/i.test(r.state) && !/not watched\s*\n\s*\S/i.test(r.state));
  expect(unexplained).toEqual([]);
});
