// Issue 105: the watch's thresholds rehearsed on a night the simulator's Scheduler really ran. On Tuesday Reload01 runs
// two reloads at once; two admin reloads take both engines from 01:50 to 02:10, so Extract orders, due at 02:00, waits
// ten minutes in the queue, runs 02:10-02:15, and Load Sales follows it (its chain's trigger) until 02:20. The config in
// force (A) promises Load Sales app fresh by 02:30 and pages the queue after 15 minutes: that night pages nobody. The
// new one (B) promises it by 02:15 and pages the queue after 5 minutes. Rehearsed on A's night, B gives Load Sales's
// lateness and the backlog's page, each named, as the same night run with B paged them, per channel. Rehearsed the
// other way, on B's night, A loses both: real lateness and backlog left unpaged, and `steward config rehearse` exits
// 1 naming them. Before, the rehearsal replayed the events A's thresholds had raised (none) for both configs.
// A third night runs with C: A and a "never older than 30 minutes, 02:00-03:00" promise on Load Sales app, whose data
// is too old at 02:00 (Steward began watching at 01:30), fresh at 02:20 and too old again at 02:50. C rehearsed on A's
// night gives those two lapses, as C's night paged them; A rehearsed on C's night leaves both unpaged. An admin pasting
// B on the dashboard's Noise page (Chromium) reads the two pages it adds, named as REST names them.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DomainEvent } from "../../../../src/platform/events/types";
import { rehearseCommand } from "../../../../src/show/cli/rehearse-command";
import type { Rehearsal } from "../../../../src/show/rehearse/types";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { closeAll, type TestApp } from "../../../helpers/app";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { after, at, daily, reloadQueueSiteYaml, reloadTask, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { launchChromium } from "../dashboard/chromium";

const SITE = reloadQueueSiteYaml({
  name: "Rehearsed thresholds night",
  engines: 4,
  engineTimeout: 60,
  apps: ["Admin long 1", "Admin long 2", "Extract orders", "Load Sales"],
  tasks: [
    reloadTask("Admin long 1", 20, [daily("01:50")]),
    reloadTask("Admin long 2", 20, [daily("01:50")]),
    reloadTask("Extract orders", 5, [daily("02:00")]),
    reloadTask("Load Sales", 5, [after("Extract orders")]),
  ],
});

const channels = (port: number) => {
  const mail = (to: string) => `{ type: email, smtp: { host: 127.0.0.1, port: ${port}, security: none }, from: steward@corp.example, to: [${to}] }`;
  return `channels:\n  oncall-mail: ${mail("oncall@corp.example")}\n  bi-mail: ${mail("bi@corp.example")}\n`;
};
// QUIET_LOOKS's looks, with the queue's threshold in its watchdog section.
const looks = (backlogAfter: string) => `intake:
  reconcile: { intervalSeconds: 3600, settleSeconds: 0 }
grouping:
  nodeDown:
    unreachable: { enabled: false }
watchdog:
  stale: { enabled: false }
  queue: { backlogAfter: ${backlogAfter} }
`;
const thresholds = (freshBy: string, backlogAfter: string) => `${looks(backlogAfter)}routes:
  - { name: queue, on: [scheduler.queue_backlog], to: [oncall-mail] }
  - { name: promises, on: [app.freshness_breached], to: [bi-mail] }
freshness:
  promises:
    sales-night: { appNames: [Load Sales app], freshBy: "${freshBy}" }
`;
const A = thresholds("02:30", "15m");
const ADMIN = generateApiKey();
/** Night A's Steward lets an admin in on the dashboard (not part of any config rehearsed). */
const ADMIN_KEY = `security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(ADMIN)}", scopes: [admin, read] }
`;
const B = thresholds("02:15", "5m");
const C = `${A}    sales-age: { appNames: [Load Sales app], maxAge: 30m, during: "02:00-03:00" }\n`;

interface Night {
  s: SteppedSite;
  t: TestApp;
  smtp: SmtpReceiver;
  events: Array<{ at: number; e: DomainEvent }>;
}

const dir = createTempDir("steward-rehearse-thresholds-");
let a: Night | undefined;
let b: Night | undefined;
let c: Night | undefined;

/** The Tuesday night on a site of its own, with `config` in force, to 03:30. */
async function night(name: string, config: string, extra = ""): Promise<Night> {
  const smtp = await startSmtpReceiver();
  const s = await startSteppedSite(join(dir.path, name), Date.parse("2026-02-26T00:00:00Z"), SITE);
  await s.clock.runUntil(at("01:00"));
  await simControl(s.sim, "PATCH", "/nodes/Reload01/scheduler", { maxConcurrentEngines: 2 });
  const { t, events } = await startStewardOnSite(s, join(dir.path, name), `${channels(smtp.port)}${config}${extra}`, at("01:30"));
  await s.clock.runUntil(at("03:30"));
  return { s, t, smtp, events };
}

async function rehearseOn(n: Night, config: string): Promise<{ status: number; body: Rehearsal }> {
  const r = await n.t.request("/v4/config/rehearse", {
    method: "POST",
    headers: { "content-type": "application/json", ...(n === a ? { "x-api-key": ADMIN } : {}) },
    body: JSON.stringify({ config: `${qlikYaml(n.s.sim)}${channels(n.smtp.port)}${config}`, since: "1d" }),
  });
  return { status: r.status, body: (await r.json()) as Rehearsal };
}

beforeAll(async () => {
  a = await night("a", A, ADMIN_KEY);
  b = await night("b", B);
  c = await night("c", C);
}, 300_000);

afterAll(async () => {
  for (const n of [a, b, c]) {
    await closeAll(n?.t, n?.s.sim, { remove: () => undefined } as never);
    await n?.smtp.stop();
  }
  dir.remove();
});

/** The night's pages per route's channel: the mails to its mailbox that open something (an all-clear is no page). */
const pages = (n: Night) => ({
  queue: n.events.filter(({ e }) => e.kind === "scheduler.queue_backlog").length,
  promises: n.events.filter(({ e }) => e.kind === "app.freshness_breached").length,
  oncall: n.smtp.mails.filter((m) => m.envelopeTo.includes("oncall@corp.example")).length,
  bi: n.smtp.mails.filter((m) => m.envelopeTo.includes("bi@corp.example")).length,
});

test("the nights: A's pages nobody; B's pages the backlog once and Load Sales's lateness once", () => {
  expect(pages(a!)).toMatchObject({ queue: 0, promises: 0 });
  expect(pages(b!)).toMatchObject({ queue: 1, promises: 1 });
});

test("B rehearsed on A's night gives the pages the night run with B gave, per channel, each named", async () => {
  const { status, body: r } = await rehearseOn(a!, B);
  expect(status).toBe(200);
  const sorted = [...r.channels].sort((x, y) => x.route.localeCompare(y.route));
  expect(sorted).toEqual([
    { route: "promises", channel: "bi-mail", current: 0, rehearsed: pages(b!).promises },
    { route: "queue", channel: "oncall-mail", current: 0, rehearsed: pages(b!).queue },
  ]);
  expect(r.thresholds.map((t) => [t.change, t.route, t.channel, t.what])).toEqual([
    ["appears", "queue", "oncall-mail", "backlog"],
    ["appears", "promises", "bi-mail", "late"],
  ]);
  expect(r.thresholds[0]!.text).toMatch(/^reload queue on \S+ backed up Tue 3 Mar 02:00 UTC for 10 min: paged after 5 min under the new threshold$/);
  expect(r.thresholds[1]!.text).toBe("Load Sales app late on Tue 3 Mar 02:20 (fresh then) under the new deadline 02:15 (promise sales-night)");
  // The live night's breach came at the deadline and its all-clear when Load Sales's reload ended, as rehearsed.
  const breach = b!.events.find(({ e }) => e.kind === "app.freshness_breached")!;
  expect(breach.at - at("02:15")).toBeLessThan(60_000);
  const recovered = b!.events.find(({ e }) => e.kind === "app.freshness_recovered")!;
  expect(Math.abs(recovered.at - at("02:20"))).toBeLessThan(60_000);
  expect(r.unpagedFaults).toEqual([]);
});

test("A rehearsed on B's night loses both pages: a lateness and a backlog left unpaged, and the CLI exits 1 naming them", async () => {
  const { body: r } = await rehearseOn(b!, A);
  expect(r.thresholds.map((t) => [t.change, t.route, t.what])).toEqual([
    ["vanishes", "queue", "backlog"],
    ["vanishes", "promises", "late"],
  ]);
  expect(r.unpagedFaults.map((f) => [f.route, f.taskName])).toEqual([
    ["queue", expect.stringMatching(/^reload queue on /)],
    ["promises", "Load Sales app"],
  ]);
  const file = join(dir.path, "a.yaml");
  writeFileSync(file, `${qlikYaml(b!.s.sim)}${channels(b!.smtp.port)}${A}`);
  const lines: string[] = [];
  const io = { out: (s: string) => void lines.push(s), err: (s: string) => void lines.push(`ERR ${s}`) };
  expect(await rehearseCommand([file, "--since", "1d", "--url", b!.t.app.server!.url()], io)).toBe(1);
  const text = lines.join("\n");
  expect(text).toContain("2 faults would go unpaged:");
  expect(text).toContain(
    "Load Sales app on route promises, paged 2026-03-03 02:15 (Load Sales app late on Tue 3 Mar 02:20 (fresh then) under the config in force's deadline 02:15 (promise sales-night); the new deadline (02:30) does not page it)",
  );
});

test("B rehearsed on its own night changes nothing and exits 0", async () => {
  const { body: r } = await rehearseOn(b!, B);
  expect(r.thresholds).toEqual([]);
  expect(r.unpagedFaults).toEqual([]);
  for (const c of r.channels) expect(c.rehearsed).toBe(c.current);
});

test("C rehearsed on A's night gives the two lapses of its \"never older than\" promise that C's night paged, each named", async () => {
  const { status, body: r } = await rehearseOn(a!, C);
  expect(status).toBe(200);
  expect(pages(c!)).toMatchObject({ queue: 0, promises: 2 });
  expect(r.channels).toEqual([{ route: "promises", channel: "bi-mail", current: 0, rehearsed: pages(c!).promises }]);
  expect(r.thresholds.map((t) => [t.change, t.route, t.channel, t.what, t.text])).toEqual([
    [
      "appears",
      "promises",
      "bi-mail",
      "late",
      "Load Sales app older than 30m from Tue 3 Mar 02:00 until Tue 3 Mar 02:20 (fresh then) under the new maxAge (promise sales-age)",
    ],
    [
      "appears",
      "promises",
      "bi-mail",
      "late",
      "Load Sales app older than 30m from Tue 3 Mar 02:50 (not fresh in the window) under the new maxAge (promise sales-age)",
    ],
  ]);
  // The live night's breaches came at the moments the rehearsal names (the judge looks every 30 s).
  const breaches = c!.events.filter(({ e }) => e.kind === "app.freshness_breached").map(({ at: t }) => t);
  expect(breaches).toHaveLength(2);
  for (const [i, t] of breaches.entries()) expect(Math.abs(t - Date.parse(r.thresholds[i]!.at))).toBeLessThan(60_000);
  expect(r.unpagedFaults).toEqual([]);
});

test("A rehearsed on C's night leaves both lapses unpaged", async () => {
  const { body: r } = await rehearseOn(c!, A);
  expect(r.thresholds.map((t) => [t.change, t.what])).toEqual([
    ["vanishes", "late"],
    ["vanishes", "late"],
  ]);
  expect(r.unpagedFaults.map((f) => [f.route, f.taskName, f.why.endsWith("the new config (no such promise) does not page it")])).toEqual([
    ["promises", "Load Sales app", true],
    ["promises", "Load Sales app", true],
  ]);
});

test("B pasted on A's Steward's Noise page (Chromium): the two pages it adds, named as REST names them", async () => {
  const { body: r } = await rehearseOn(a!, B);
  const browser = await launchChromium({ timezoneId: "UTC" });
  try {
    const page = browser.page;
    await page.goto(`${a!.t.app.server!.url().replace(/\/$/, "")}/ui/login?next=${encodeURIComponent("/ui/noise")}`);
    await page.fill("#api-key", ADMIN);
    await page.click("#login button[type=submit]");
    await page.waitForSelector("#rehearse-form");
    await page.fill("#rehearse-config", `${qlikYaml(a!.s.sim)}${channels(a!.smtp.port)}${B}`);
    await page.selectOption("#rehearse-since", "1w");
    await page.click('button[data-action="rehearse"]');
    await page.waitForSelector('#rehearse-result [data-role="rehearse-thresholds"]', { timeout: 60_000 });
    const items = await page.locator('[data-role="rehearse-thresholds"] li').allInnerTexts();
    expect(items).toEqual(r.thresholds.map((t) => `+ ${t.route} → ${t.channel}: ${t.text}`));
    expect(items).toHaveLength(2);
  } finally {
    await browser.close();
  }
});
