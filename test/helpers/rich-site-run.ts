// The rich site run for some simulated days on one stepped clock with Steward beside it, as the scenario test and
// scripts/bench-rich-site.ts run it: faults applied and reverted by timers, alerts routed to a webhook with grouping
// on, every event and every run the simulator ended recorded at its simulated time.
import { join } from "node:path";
import type { WatchdogEvent } from "../../src/platform/events/types";
import { type HttpReceiver, startHttpReceiver } from "../integration/tell/notify/receivers";
import { qlikYaml } from "../integration/start/scheduler/sim-setup";
import type { Simulator } from "../../src/sim";
import { createTestApp, type TestApp } from "./app";
import { type RichTask, richCloudTasks, richSiteTasks, richSiteYaml } from "./rich-site";
import type { Action, Fault, Page, TimedEvent } from "./rich-site-faults";
import { simControl } from "./sim-control";
import { type SteppedSite, sendDatagramsTo, startSteppedSite } from "./stepped-site";
import { stalledSimulation, wallLimit } from "./time-limit";
import { simCloudTenantYaml } from "./virtual-clock";

export const DAY = 86_400_000;
/** A simulated minute takes milliseconds here: two minutes of wall time without one is a hang. */
const STALL_AFTER_MS = 120_000;
/** A Monday; Europe's clocks go forward on Sunday 29 March. */
export const RICH_SITE_START = Date.parse("2026-03-23T00:00:00Z");
const TASKS = richSiteTasks();
const CLOUD = richCloudTasks();
export const WATCHED = ["task.missed", "task.chain_broken", "task.running_long", "app.stale", "task.disabled"] as const;

export interface RichRunOptions {
  /** The folder the run's simulator and Steward keep their files in. */
  dir: string;
  /** Simulated days to run (a fraction ends the last one early). */
  days: number;
  /** When the site and Steward start (default RICH_SITE_START): `days` count from there. */
  startMs?: number;
  faults: Fault[];
  /** Steward's `store:` block (default: none, the SQLite file in its folder), e.g. a PostgreSQL URL. */
  storeYaml?: string;
  /** The site's tasks (default: richSiteTasks(), the site once). */
  tasks?: RichTask[];
  /** The watchdog's interval (default 5m: the looks are most of the work, and finer than any fault's grace). */
  look?: string;
  /** How often the node rule reads QRS's service states (default 1m: two reads inside the rule's 2 minutes). */
  nodeReads?: string;
  /** Called once the run's Steward and simulator exist (before they start), so a caller can close them whatever happens. */
  opened?: (run: RichRun) => void;
  /** Called once Steward has started, before the first simulated day runs. */
  started?: (run: RichRun) => void;
  /** Called after each simulated day with its wall time in ms. */
  onDay?: (day: number, wallMs: number, run: RichRun) => void;
  /** Wall time the simulated clock may stand still before the run fails (default STALL_AFTER_MS; scaled by TEST_TIME_SCALE). */
  stallAfterMs?: number;
  /** Steward's whole configuration instead of richStewardYaml's (the webhook receiver's URL given). */
  stewardYaml?: (sim: Simulator, rxUrl: string) => string;
}

export interface RichRun {
  site: SteppedSite;
  t: TestApp;
  /** The watchdog's events, each at the simulated time it was raised. */
  events: TimedEvent[];
  /** Everything that happened, in order: each event on Steward's bus and each run the simulator ended, at its simulated time. */
  history: Array<{ at: number; line: string }>;
  looksAtStart: number;
  /** What the channel received, grouping on (every Qlik node's QRS and Scheduler read as the QMC shows them). */
  pages: () => Page[];
  /** The webhook's receiver. */
  rx: HttpReceiver;
  /** Each acknowledgement a fault made: when, of which task's incident, and the API's answer (or why none was made). */
  acks: Array<{ at: number; task: string; result: string }>;
}

export const looksOk = (t: TestApp) => Number(/steward_watchdog_looks_total\{result="ok"\} (\d+)/.exec(t.app.metrics.render())?.[1] ?? 0);

/**
 * Steward's configuration for the rich site: the simulator's QRS and cloud tenant, the watchdog every `look`, and
 * alerts to a webhook at `rxUrl` with grouping as a site would run it, the node rule reading QRS's service states too:
 * a false page of any rule shows there, where the watchdog's own events are judged. The states are read every
 * simulated minute (30 s by default): still two reads inside the rule's 2 minutes, at half the requests.
 */
export function richStewardYaml(sim: Simulator, rxUrl: string, o: Pick<RichRunOptions, "storeYaml" | "look" | "nodeReads">): string {
  const alerting = `channels:
  hook: { type: webhook, url: "${rxUrl}/hook" }
  duty: { type: webhook, url: "${rxUrl}/duty" }
routes:
  - name: team
    on: [task.missed, task.chain_broken, task.running_long, app.stale, task.disabled, task.failed, service.stopped]
    to: [hook]
    escalate: { after: 30m, to: duty-manager }
  - { name: duty-manager, on: [task.failed, task.aborted], to: [duty] }
grouping: { nodeDown: { unreachable: { enabled: true, interval: ${o.nodeReads ?? "1m"} } } }
`;
  return `${o.storeYaml ?? ""}${qlikYaml(sim)}${simCloudTenantYaml(sim, "5m")}watchdog:\n  interval: ${o.look ?? "5m"}\n  runningLong: { minRuns: 3 }\n${alerting}`;
}

/** The faults' actions on the simulator (through its control API), by task, trigger and cloud task name. */
export async function simActor(sim: Simulator): Promise<{ ids: Map<string, string>; act: (a: Action) => Promise<void> }> {
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
  return { ids, act };
}

/** Runs the rich site with `faults` for `days` simulated days from RICH_SITE_START; the caller closes it (closeRichRun). */
export async function runRichSite(o: RichRunOptions): Promise<RichRun> {
  const { days, faults } = o;
  const START = o.startMs ?? RICH_SITE_START;
  // The simulator starts a little before Steward, as a site runs before anyone watches it: its Scheduler then fires
  // the trigger due at START itself (a Scheduler started at START would arm only what falls due after it).
  const site = await startSteppedSite(o.dir, START - 10 * 60_000, richSiteYaml(o.tasks ?? TASKS, CLOUD), { cloud: true });
  const { sim, clock } = site;
  const rx = startHttpReceiver();
  const t = createTestApp(o.stewardYaml ? o.stewardYaml(sim, rx.url) : richStewardYaml(sim, rx.url, o), { clock, dir: join(o.dir, "steward") });
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

  const { ids, act } = await simActor(sim);
  const acks: RichRun["acks"] = [];
  // As an admin would from the dashboard: the task's open incident, acknowledged through the API.
  const acknowledge = async (task: string) => {
    const open = (await (await t.request("/v4/incidents?status=open")).json()) as { incidents: Array<{ id: number; taskId: string | null }> };
    const incident = open.incidents.find((i) => i.taskId === ids.get(task));
    const res = incident
      ? await t.request(`/v4/incidents/${incident.id}/acknowledge`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"note":"on it"}',
        })
      : undefined;
    acks.push({ at: clock.now(), task, result: res ? String(res.status) : "no open incident" });
  };
  // Each fault is applied and reverted by a timer on the shared clock: its work (control API calls) is what the
  // timer returns, so time stands still until the simulator has taken it.
  for (const f of faults) {
    clock.setTimeout(() => Promise.all(f.apply.map(act)), f.at - clock.now());
    clock.setTimeout(() => Promise.all(f.revert.map(act)), f.revertAt - clock.now());
    const ack = f.acknowledge;
    if (ack) clock.setTimeout(() => acknowledge(ack.task), ack.at - clock.now());
  }

  const pages = () =>
    rx.requests.map((r) => {
      const b = JSON.parse(r.body) as {
        kind: string;
        taskName?: string;
        appName?: string;
        causeTitle?: string;
        causeStatus?: string;
        cause?: { update?: unknown; didNotRun?: string[]; tasks?: string[]; apps?: string[] };
        condition?: { key?: string };
        stewardEvent?: { condition?: { key?: string } };
      };
      return {
        at: Number(r.headers.get("x-steward-timestamp")) * 1000,
        kind: b.kind,
        ...(b.taskName ? { task: b.taskName } : {}),
        ...(b.appName ? { app: b.appName } : {}),
        ...(b.causeTitle ? { causeTitle: b.causeTitle, causeStatus: b.causeStatus, update: b.cause?.update !== undefined } : {}),
        ...(r.path === "/duty" ? { escalated: true } : {}),
        ...(b.stewardEvent?.condition?.key ? { condition: b.stewardEvent.condition.key } : {}),
        ...(b.cause?.didNotRun ? { didNotRun: b.cause.didNotRun } : {}),
        ...(b.cause?.apps ? { causeApps: b.cause.apps } : {}),
      };
    });
  const run: RichRun = { site, t, events, history, looksAtStart: 0, pages, rx, acks };
  o.opened?.(run);

  await clock.runUntil(START);
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;
  // The Scheduler's datagrams go to Steward's intake, as on a real site (reconciliation finds any that are lost).
  sendDatagramsTo(site, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t.app.intake.counters.received.get());
  sim.requests.clear();
  run.looksAtStart = looksOk(t);
  o.started?.(run);
  // A fraction of a day (a bench's few hours) ends the last day early. The run's bound is on simulated progress, not
  // on its wall time (which a slower or busier machine multiplies): it fails when the clock stands still.
  const watch = stalledSimulation(clock, o.stallAfterMs ?? STALL_AFTER_MS);
  try {
    for (let day = 1; day < days + 1; day++) {
      const wall = performance.now();
      await Promise.race([clock.runUntil(START + Math.min(day, days) * DAY, { stallMs: wallLimit(30_000) }), watch.stalled]);
      o.onDay?.(day, performance.now() - wall, run);
    }
  } finally {
    watch.stop();
  }
  return run;
}

/** Stops the run's Steward, simulator and webhook receiver. */
export async function closeRichRun(run: RichRun): Promise<void> {
  await run.t.close();
  await run.site.sim.stop();
  await run.rx.stop();
}
