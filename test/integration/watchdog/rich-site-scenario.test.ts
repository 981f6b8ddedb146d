// The rich site (test/helpers/rich-site.ts: 116 tasks on 3 nodes, chains, office hours, weekly, monthly, Europe's
// clock change on 29 March), with the simulated Qlik Cloud tenant's hourly tasks beside it, run for two weeks on a
// stepped clock that Steward and the simulator share, with eleven injected faults (test/helpers/rich-site-faults.ts).
// Every watchdog event must be explained by a fault and every fault caught; the test prints precision, recall, each
// fault's detection latency and the watchdog's QRS cost. Simulated time moves only when both are idle, so the two
// weeks are the same two weeks on a fast or a loaded machine: a second, shorter run gives the same history as the
// start of the first. RICH_SITE_DAYS and RICH_SITE_REPLAY_DAYS change the spans (docs/development.md).
import { afterAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../src/events/types";
import { closeAll, createTestApp, type TestApp } from "../../helpers/app";
import { richCloudTasks, richSiteHostOf, richSiteTasks, richSiteYaml } from "../../helpers/rich-site";
import { type Action, type Fault, judgePages, judgeRichSite, type Page, richSiteFaults, type TimedEvent } from "../../helpers/rich-site-faults";
import { simControl } from "../../helpers/sim-control";
import { type SteppedSite, sendDatagramsTo, startSteppedSite } from "../../helpers/stepped-site";
import { createTempDir } from "../../helpers/temp-dir";
import { simCloudTenantYaml } from "../../helpers/virtual-clock";
import { type HttpReceiver, startHttpReceiver } from "../notify/receivers";
import { qlikYaml } from "../scheduler/sim-setup";

const DAY = 86_400_000;
const START = Date.parse("2026-03-23T00:00:00Z"); // a Monday; clocks go forward on Sunday 29 March
// Eight days in the suite (ten of the eleven faults, about 12 s of CPU a simulated day); RICH_SITE_DAYS=14 runs the
// two weeks with all eleven.
const DAYS = Number(process.env.RICH_SITE_DAYS ?? 8);
// The replay: long enough to hold the first fault (Wednesday night) and its catch.
const REPLAY_DAYS = Math.min(DAYS, Number(process.env.RICH_SITE_REPLAY_DAYS ?? 4));
// Every five simulated minutes: the looks are most of the simulation's work (each reads QRS), and five minutes is
// still finer than any fault's grace; RICH_SITE_LOOK=1m looks as often as the default watchdog.interval.
const LOOK = process.env.RICH_SITE_LOOK ?? "5m";
const TASKS = richSiteTasks();
const CLOUD = richCloudTasks();
const WATCHED = ["task.missed", "task.chain_broken", "task.running_long", "app.stale", "task.disabled"] as const;

const dir = createTempDir();
const open: Array<{ t: TestApp; site: SteppedSite; rx: HttpReceiver }> = [];
afterAll(async () => {
  for (const o of open) {
    await closeAll(o.t, o.site.sim, { path: "", remove: () => {} });
    await o.rx.stop();
  }
  dir.remove();
});

interface RichRun {
  site: SteppedSite;
  t: TestApp;
  /** The watchdog's events, each at the simulated time it was raised. */
  events: TimedEvent[];
  /** Everything that happened, in order: each event on Steward's bus and each run the simulator ended, at its simulated time. */
  history: Array<{ at: number; line: string }>;
  looksAtStart: number;
  /** What the channel received, grouping on (every Qlik node's QRS and Scheduler read as the QMC shows them). */
  pages: () => Page[];
}

const looksOk = (t: TestApp) => Number(/steward_watchdog_looks_total\{result="ok"\} (\d+)/.exec(t.app.metrics.render())?.[1] ?? 0);

/** Runs the rich site with `faults` for `days` simulated days from START. */
async function runRichSite(name: string, days: number, faults: Fault[]): Promise<RichRun> {
  // The simulator starts a little before Steward, as a site runs before anyone watches it: its Scheduler then fires
  // the trigger due at START itself (a Scheduler started at START would arm only what falls due after it).
  const site = await startSteppedSite(join(dir.path, name), START - 10 * 60_000, richSiteYaml(TASKS, CLOUD), { cloud: true });
  const { sim, clock } = site;
  // Alerts go to a webhook with grouping as a site would run it, the node rule reading QRS's service states too: a
  // false page of any rule shows here, where the watchdog's own events are judged below. The states are read every
  // simulated minute (30 s by default): still two reads inside the rule's 2 minutes, at half the requests.
  const rx = startHttpReceiver();
  const alerting = `channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [task.missed, task.chain_broken, task.running_long, app.stale, task.disabled, task.failed, service.stopped], to: [hook] }
grouping: { nodeDown: { unreachable: { enabled: true, interval: 1m } } }
`;
  const t = createTestApp(`${qlikYaml(sim)}${simCloudTenantYaml(sim, "5m")}watchdog:\n  interval: ${LOOK}\n  runningLong: { minRuns: 3 }\n${alerting}`, {
    clock,
    dir: join(dir.path, name, "steward"),
  });
  open.push({ t, site, rx });
  const events: TimedEvent[] = [];
  for (const k of WATCHED) t.app.bus.on(k, (e) => void events.push({ at: clock.now(), e: e as WatchdogEvent }));
  const history: RichRun["history"] = [];
  t.app.bus.onAny((kind, payload) => {
    const e = payload as { task?: { name?: string }; app?: { name?: string }; summary?: string };
    history.push({ at: clock.now(), line: `${kind} ${e.task?.name ?? e.app?.name ?? e.summary ?? ""}` });
  });
  sim.tasks.onFinished((taskId, status) =>
    history.push({ at: clock.now(), line: `sim run ended ${sim.repo.tasks.get(taskId)?.model.name ?? taskId} ${status}` }),
  );

  const ids = new Map(((await simControl(sim, "GET", "/tasks")) as Array<{ id: string; name: string }>).map((x) => [x.name, x.id]));
  const cloudIds = new Map(((await simControl(sim, "GET", "/cloud/tasks")) as Array<{ id: string; name: string }>).map((x) => [x.name, x.id]));
  const triggerIds = new Map(((await simControl(sim, "GET", "/triggers")) as Array<{ id: string; name: string }>).map((x) => [x.name, x.id]));
  const act = async (a: Action) => {
    if ("patchTask" in a) await simControl(sim, "PATCH", `/tasks/${ids.get(a.patchTask)}`, a.body);
    else if ("patchTrigger" in a) await simControl(sim, "PATCH", `/triggers/${triggerIds.get(a.patchTrigger)}`, a.body);
    else if ("deleteTask" in a) await simControl(sim, "DELETE", `/tasks/${ids.get(a.deleteTask)}`);
    else if ("patchCloudTask" in a) await simControl(sim, "PATCH", `/cloud/tasks/${cloudIds.get(a.patchCloudTask)}`, a.body);
    else if ("cloudSettings" in a) await simControl(sim, "PATCH", "/cloud/settings", a.cloudSettings);
    else if ("nodeDown" in a) await simControl(sim, "POST", `/nodes/${a.nodeDown}/down`);
    else await simControl(sim, "POST", `/nodes/${a.nodeUp}/up`);
  };
  // Each fault is applied and reverted by a timer on the shared clock: its work (control API calls) is what the
  // timer returns, so time stands still until the simulator has taken it.
  for (const f of faults) {
    clock.setTimeout(() => Promise.all(f.apply.map(act)), f.at - clock.now());
    clock.setTimeout(() => Promise.all(f.revert.map(act)), f.revertAt - clock.now());
  }

  await clock.runUntil(START);
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;
  // The Scheduler's datagrams go to Steward's intake, as on a real site (reconciliation finds any that are lost).
  sendDatagramsTo(site, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t.app.intake.counters.received.get());
  sim.requests.clear();
  const looksAtStart = looksOk(t);
  for (let day = 1; day <= days; day++) {
    const wall = performance.now();
    await clock.runUntil(START + day * DAY);
    if (process.env.RICH_SITE_PROGRESS) console.log(`${name}: day ${day} in ${Math.round(performance.now() - wall)} ms, ${clock.firedTimers()} timers so far`);
  }
  const pages = () =>
    rx.requests.map((r) => {
      const b = JSON.parse(r.body) as {
        kind: string;
        taskName?: string;
        appName?: string;
        causeTitle?: string;
        causeStatus?: string;
        cause?: { update?: unknown };
      };
      return {
        at: Number(r.headers.get("x-steward-timestamp")) * 1000,
        kind: b.kind,
        ...(b.taskName ? { task: b.taskName } : {}),
        ...(b.appName ? { app: b.appName } : {}),
        ...(b.causeTitle ? { causeTitle: b.causeTitle, causeStatus: b.causeStatus, update: b.cause?.update !== undefined } : {}),
      };
    });
  return { site, t, events, history, looksAtStart, pages };
}

const lines = (h: RichRun["history"]) => h.map((x) => `${new Date(x.at).toISOString()} ${x.line}`);
const digest = (l: string[]) => createHash("sha256").update(l.join("\n")).digest("hex");

let first: RichRun | undefined;

test(`the rich site for ${DAYS} simulated days: every watchdog event explained by a fault, every fault caught`, async () => {
  const faults = richSiteFaults(TASKS, START, DAYS);
  const run = await runRichSite("a", DAYS, faults);
  first = run;
  const { site, t, events } = run;
  // The days really passed: a nightly task no fault touches ran every night (the first night's run falls due at
  // the very start, before Steward looks); a watchdog that saw nothing amiss could otherwise have seen nothing at all.
  const ok = (name: string) => site.finished.filter((r) => r.task === name && r.status === 7).length;
  expect(ok("QVD 01")).toBeGreaterThanOrEqual(DAYS - 1);
  expect(site.clock.now()).toBe(START + DAYS * DAY);

  if (process.env.RICH_SITE_DEBUG)
    console.log(events.map((ev) => `${new Date(ev.at).toISOString()} ${ev.e.kind} ${ev.e.task?.name ?? ev.e.app?.name}`).join("\n"));
  const { unexplained, rows, precision, recall } = judgeRichSite(events, faults, [...TASKS, ...CLOUD]);
  console.log(
    `rich site, ${DAYS} simulated days, ${TASKS.length} tasks: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}, ${events.length} events, ` +
      `${site.clock.firedTimers()} timers fired, history digest ${digest(lines(run.history)).slice(0, 16)}`,
  );
  console.table(rows);
  if (unexplained.length)
    console.log(
      "unexplained:",
      unexplained.map((ev) => `${new Date(ev.at).toISOString()} ${ev.e.kind} ${ev.e.summary}`),
    );

  // ── Cost: Steward's QRS calls per look and per simulated day (the watchdog's, and the enrichment of each run the
  // datagrams announce).
  const totals = [...site.sim.requests.totals()].filter(([k]) => k.startsWith("qrs "));
  const looks = looksOk(t) - run.looksAtStart;
  const sum = totals.reduce((a, [, v]) => ({ requests: a.requests + v.requests, bytes: a.bytes + v.bytes }), { requests: 0, bytes: 0 });
  console.log(
    `QRS cost: ${sum.requests} requests, ${(sum.bytes / 1e6).toFixed(2)} MB over ${DAYS} simulated days; ${looks} looks: ` +
      `${(sum.requests / Math.max(1, looks)).toFixed(1)} requests and ${(sum.bytes / Math.max(1, looks) / 1e3).toFixed(1)} kB a look`,
  );

  expect(faults.length).toBe(DAYS >= 14 ? 11 : faults.length);
  expect(unexplained.map((ev) => `${ev.e.kind}: ${ev.e.summary}`)).toEqual([]);
  expect(rows.filter((r) => !r.caught).map((r) => r.fault)).toEqual([]);
  expect(precision).toBe(1);
  expect(recall).toBe(1);

  // ── Grouping on the same weeks: no page a fault does not explain, no node's cause but a node that was down, and
  // each node down paged once as its cause (its missed starts folded in, not paged one by one).
  const paged = judgePages(run.pages(), faults, [...TASKS, ...CLOUD], TASKS, richSiteHostOf);
  console.log(`pages: ${run.pages().length}, by kind: ${JSON.stringify(countBy(run.pages().map((p) => p.kind)))}`);
  console.table(paged.nodeRows);
  console.table(paged.perFault);
  if (process.env.RICH_SITE_DEBUG)
    console.log(
      run
        .pages()
        .map((p) => `${new Date(p.at).toISOString()} ${p.kind} ${p.task ?? p.app ?? ""} ${p.causeTitle ?? ""} ${p.update ? "update" : ""}`)
        .join("\n"),
    );
  expect(paged.unexplained.map((p) => `${new Date(p.at).toISOString()} ${p.kind} ${p.task ?? p.app}`)).toEqual([]);
  expect(paged.strayCauses.map((p) => `${new Date(p.at).toISOString()} ${p.kind} ${p.causeTitle}`)).toEqual([]);
  expect(paged.nodeRows.length).toBeGreaterThan(0);
  for (const r of paged.nodeRows) expect({ fault: r.fault, opened: r.opened, loose: r.loosePages }).toEqual({ fault: r.fault, opened: 1, loose: "" });
}, 1_500_000);

const countBy = (xs: string[]) => Object.fromEntries([...new Set(xs)].sort().map((x) => [x, xs.filter((y) => y === x).length]));

test(`replay: a second run of the first ${REPLAY_DAYS} days gives the same history, to the millisecond`, async () => {
  expect(first).toBeDefined();
  const cut = START + REPLAY_DAYS * DAY;
  // The same faults as the first run (the ones that end within the replay are applied and reverted in it).
  const run = await runRichSite("b", REPLAY_DAYS, richSiteFaults(TASKS, START, DAYS));
  // Events at the cut itself may fall on either side of the second run's end: compare what came before it.
  const before = (h: RichRun["history"]) => lines(h.filter((x) => x.at < cut));
  const a = before(first!.history);
  const b = before(run.history);
  expect(a.length).toBeGreaterThan(1_000);
  expect(digest(b)).toBe(digest(a));
  expect(b).toEqual(a);
}, 1_500_000);
