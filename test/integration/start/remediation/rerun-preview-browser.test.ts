// Issue 105: the re-run link's page shows what confirming would do before anyone confirms, in a real browser. The
// night of rerun-preview.test.ts (simulator, stepped clock, five nights of four engines for the watchdog to learn the
// tasks' usual durations): on Tuesday node Reload01 runs two reloads at once; at 01:50 two admin reloads (100 and 130
// min) take both engines until 03:30; Extract orders and Load Sales (its chain's next), due at 02:00, wait and Qlik
// cancels them at 02:20; a promise says the Load Sales app is fresh by 07:00. The queue's page reaches a real SMTP
// server; at 02:25 Chromium opens its "Re-run the cancelled runs" link and reads, before the button: the node, the wait
// for a free engine (2 of 2 busy), Extract orders then Load Sales after it, and Sales fresh at about 03:40 if approved
// now. REST with dryRun says the same figures, and so does the dashboard's Re-run question. Opening the page starts
// nothing: no action, no start through QRS, to 02:50; confirmed then, Load Sales ends at about 03:40 as said.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { closeAll, type TestApp } from "../../../helpers/app";
import { freeTcpPort } from "../../../helpers/free-port";
import { after, at, daily, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { launchChromium, type TestBrowser } from "../../show/dashboard/chromium";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const SITE = reloadQueueSiteYaml({
  name: "Previewed link night",
  engines: 4,
  engineTimeout: 20,
  apps: ["Admin long 1", "Admin long 2", "Extract orders", "Load Sales"],
  tasks: [
    reloadTask("Admin long 1", 100, [daily("01:50")]),
    reloadTask("Admin long 2", 130, [daily("01:50")]),
    reloadTask("Extract orders", 5, [daily("02:00")]),
    reloadTask("Load Sales", 5, [daily("02:00"), after("Extract orders")]),
  ],
});

interface Preview {
  node: string;
  runs: Array<{ order: number; taskName: string; after?: string }>;
  engines?: { busy: number; max: number; waiting: number; free: boolean };
  startsWhen: string;
  promises: Array<{ promise: string; expectedIfApproved?: string; heldUpBy?: string }>;
}

const OPS = generateApiKey();
const dir = createTempDir("steward-rerun-preview-browser-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let smtp: SmtpReceiver | undefined;
let browser: TestBrowser | undefined;
let page: Page;
let causeId = 0;
/** What Chromium read on the link's page before confirming. */
const seen = { title: "", when: "", runs: [] as string[], promises: [] as string[], button: "" };
let rest: Preview | undefined;
let actionsAfter: unknown[] = [];
/** The starts asked of QRS before the page's button was pressed. */
let startsBefore: unknown[] = [];
/** What the Causes page's Re-run button asked (its confirm dialog), dismissed. */
let dashboardAsked = "";
/** The cause's actions once Chromium pressed the page's button. */
let confirmed = { actions: [] as Array<{ taskName: string; requestedBy: string }> };

/** A REST call with the ops key (the site has API keys: the dashboard signs in with one). */
const asOps = (path: string, init: RequestInit = {}) =>
  t!.request(path, { ...init, headers: { ...(init.headers as Record<string, string>), "x-api-key": OPS } });

/** The href of a mail's button, as the browser follows it. */
function buttonOf(html: string, text: string): string {
  const m = new RegExp(`<a href="([^"]+)"[^>]*>${text}</a>`).exec(html);
  if (!m) throw new Error(`no ${text} button in the queue's page`);
  return m[1]!.replaceAll("&amp;", "&").replaceAll("&#38;", "&");
}

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  const port = await freeTcpPort();
  const base = `http://127.0.0.1:${port}`;
  // The simulator alone from the Thursday before, with four engines: five nights for the watchdog to learn each
  // task's usual duration from. Tuesday night Reload01 runs two.
  s = await startSteppedSite(dir.path, Date.parse("2026-02-26T00:00:00Z"), SITE);
  const { sim, clock } = s;
  await clock.runUntil(at("01:00"));
  await simControl(sim, "PATCH", "/nodes/Reload01/scheduler", { maxConcurrentEngines: 2 });
  ({ t } = await startStewardOnSite(
    s,
    dir.path,
    `http: { host: 127.0.0.1, port: ${port} }
${QUIET_LOOKS}channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [anna@corp.example] }
routes:
  - { on: [scheduler.queue_backlog], to: [mail] }
actionLinks: { publicBaseUrl: "${base}" }
security:
  apiKeys:
    - { name: key-ops, hash: "${hashApiKey(OPS)}", scopes: [tasks, read] }
freshness:
  promises:
    sales-morning: { appNames: [Load Sales app], freshBy: "07:00", timeZone: UTC }
`,
    at("01:30"),
  ));
  await clock.runUntil(at("02:25"));
  const { causes } = (await (await asOps("/v4/causes")).json()) as { causes: Array<{ id: number; title: string }> };
  causeId = causes.find((c) => c.title === "reload queue backed up on reload01")?.id ?? 0;
  const mail = smtp.mails.find((m) => (m.mail.subject ?? "").includes(`[Open: cause #${causeId},`));
  const link = buttonOf(mail?.mail.html ?? "", "Re-run the cancelled runs");
  browser = await launchChromium({ timezoneId: "UTC" });
  page = browser.page;
  await page.goto(link);
  seen.title = (await page.locator("h1").textContent()) ?? "";
  seen.when = (await page.locator('[data-role="preview-when"]').textContent()) ?? "";
  seen.runs = await page.locator('[data-role="preview-run"]').allInnerTexts();
  seen.promises = await page.locator('[data-role="preview-promise"]').allInnerTexts();
  seen.button = (await page.locator('button[value="rerun"]').textContent()) ?? "";
  const r = await asOps(`/v4/causes/${causeId}/rerun-cancelled`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ dryRun: true }),
  });
  rest = (await r.json()) as Preview;
  // The dashboard's Causes page: its Re-run button asks with the same preview, and is dismissed here.
  await page.goto(`${base}/ui/login?next=${encodeURIComponent("/ui/causes")}`);
  await page.fill("#api-key", OPS);
  await page.click("#login button[type=submit]");
  await page.waitForSelector('button[data-action="rerun-cause"]');
  page.once("dialog", (d) => {
    dashboardAsked = d.message();
    void d.dismiss();
  });
  await page.click('button[data-action="rerun-cause"]');
  await waitFor(() => dashboardAsked || undefined, { what: "the Causes page's question" });
  await page.goto(link);
  await clock.runUntil(at("02:50"));
  actionsAfter = ((await (await asOps(`/v4/causes/${causeId}/actions`)).json()) as { actions: unknown[] }).actions;
  startsBefore = s.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => /\/task\/[^/]+\/start/i.test(r.path));
  await page.locator('button[value="rerun"]').click();
  await page.waitForLoadState();
  confirmed = {
    actions: ((await (await asOps(`/v4/causes/${causeId}/actions`)).json()) as typeof confirmed).actions,
  };
  await clock.runUntil(at("04:00"));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await closeAll(t, s?.sim, dir);
  await smtp?.stop();
});

test("the link's page shows the node, the wait for a free engine and the runs in order before the button", () => {
  expect(causeId).toBeGreaterThan(0);
  expect(seen.title).toBe("Re-run the runs the queue cancelled?");
  expect(seen.when).toBe("On reload01: waiting for a free engine on reload01: 2 of 2 busy.");
  expect(seen.runs).toEqual(["Extract orders", "Load Sales after Extract orders has ended"]);
  expect(seen.button).toBe("Re-run them");
});

test("the link's page gives the promise's expected time if approved now: the engine frees at 03:30, then the chain runs", () => {
  expect(seen.promises).toEqual([
    "sales-morning (fresh by 2026-03-03 07:00 UTC): fresh at about 2026-03-03 03:40 UTC if approved now (not expected without it)",
  ]);
});

test("REST with dryRun says the same figures as the page", () => {
  expect(rest).toMatchObject({
    node: "reload01",
    engines: { busy: 2, max: 2, waiting: 0, free: false },
    startsWhen: "waiting for a free engine on reload01: 2 of 2 busy",
    runs: [
      { order: 1, taskName: "Extract orders" },
      { order: 2, taskName: "Load Sales", after: "Extract orders" },
    ],
    promises: [{ promise: "sales-morning", expectedIfApproved: new Date(at("03:40")).toISOString() }],
  });
  expect(rest!.promises[0]!.heldUpBy).toBeUndefined();
});

test("the Causes page's Re-run button asks with the same preview before anything is asked for", () => {
  expect(dashboardAsked).toContain("Re-run the runs the queue cancelled (reload queue backed up on reload01)?");
  expect(dashboardAsked).toContain(
    [
      "If you confirm now:",
      "On reload01: waiting for a free engine on reload01: 2 of 2 busy.",
      "1. Extract orders",
      "2. Load Sales (after Extract orders has ended)",
      "sales-morning fresh at about 2026-03-03 03:40 UTC if approved now (not expected without it)",
    ].join("\n"),
  );
});

test("opening the link's page and dismissing the dashboard's question started nothing: no action, no start through QRS", () => {
  expect(actionsAfter).toEqual([]);
  // The two admin reloads were started by the simulator's own Scheduler, not through QRS.
  expect(startsBefore).toEqual([]);
});

test("the page's button, pressed after the preview, asks for the re-run: both runs, in the order shown", () => {
  expect(confirmed.actions.map((a) => [a.taskName, a.requestedBy])).toEqual([
    ["Extract orders", "anna@corp.example"],
    ["Load Sales", "anna@corp.example"],
  ]);
});

test("the re-run approved at 02:50 keeps the preview's word: Load Sales ends within two minutes of 03:40", () => {
  const sales = s!.finished.filter((r) => r.task === "Load Sales" && r.stopMs >= at("02:50"));
  expect(sales).toHaveLength(1);
  expect(Math.abs(sales[0]!.stopMs - at("03:40"))).toBeLessThanOrEqual(2 * 60_000);
});
