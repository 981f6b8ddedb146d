// Runs the four-week site (test/helpers/month-site.ts) with Steward on the routes the docs set up, taken from the
// pages themselves, and counts what each channel's real receiver got, grouped by the cause or incident each page
// names. Exported so a test can run it again with a changed config (the noise report's proposal applied).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { qlikYaml } from "../integration/start/scheduler/sim-setup";
import type { Simulator } from "../../src/sim";
import { type RichRun, closeRichRun, runRichSite } from "./rich-site-run";
import { CHECKIN, checkinPings, MONTH_DAYS, MONTH_START, type MonthFault, monthFaults, monthSiteTasks, PROMISE } from "./month-site";
import { simCloudTenantYaml } from "./virtual-clock";

const DOCS = join(import.meta.dir, "../../docs");
const DAY = 86_400_000;

/** Each documented route the scenario uses: the page, the route's name there, and keys of the example that are not defaults. */
export const DOCUMENTED_ROUTES = [
  { page: "watchdog.md", name: "what-did-not-happen", notDefault: [] },
  // docs/noise.md shows the on-call route with `pageAfter`, which it says is off by default: left out.
  { page: "noise.md", name: "on-call", notDefault: ["pageAfter"] },
  { page: "checkins.md", name: "jobs-before-qlik", notDefault: [] },
  { page: "freshness.md", name: "freshness", notDefault: [] },
] as const;

type Route = Record<string, unknown> & { name: string; on: string[]; to: string[] };

/** The route named `name` in a YAML block of docs/`page`, as the page writes it. */
export function documentedRoute(page: string, name: string): Route {
  const text = readFileSync(join(DOCS, page), "utf8");
  for (const block of text.matchAll(/```yaml[^\n]*\n([\s\S]*?)```/g)) {
    const doc = parse(block[1]!) as { routes?: Route[] } | null;
    const route = doc?.routes?.find((r) => r.name === name);
    if (route) return route;
  }
  throw new Error(`docs/${page} has no route named ${name} in a yaml block`);
}

/** The routes as the docs write them, less the keys they say are not defaults. */
export function documentedRoutes(): Route[] {
  return DOCUMENTED_ROUTES.map(({ page, name, notDefault }) => {
    const r = { ...documentedRoute(page, name) };
    for (const k of notDefault) delete r[k];
    return r;
  });
}

/** One page a channel received, with what it names. */
export interface MonthPage {
  at: number;
  channel: string;
  kind: string;
  task?: string;
  app?: string;
  title?: string;
  /** "cause #7", "incident #3", "condition <key>" or "none": what the page is about, for counting per cause. */
  about: string;
  causeTitle?: string;
  causeStatus?: string;
  /** The whole body, to search for what the page says. */
  text: string;
}

export interface MonthRunOptions {
  dir: string;
  /** YAML added to the config (top-level keys not otherwise set), e.g. `incidents: { pageAfter: … }`. */
  extraYaml?: string;
  /** The routes (default: documentedRoutes()). */
  routes?: Route[];
  /** Changes the whole configuration before Steward reads it (a reviewed proposal applied to the file, say). */
  transformYaml?: (yaml: string) => string;
  /** Simulated days (default 28); the faults after the last day do not happen. */
  days?: number;
  /**
   * Days after MONTH_START the site and Steward start (default 0; a fraction starts within the day): the run covers
   * `fromDay` to `days`, and the faults over before then do not happen.
   */
  fromDay?: number;
  /** Faults played besides monthFaults() (their actions on the simulator, their pages explained by them). */
  extraFaults?: MonthFault[];
  /** A channel's own definition (a YAML flow map) by name, given the receiver's URL; the others are webhooks to it. */
  channels?: (rxUrl: string) => Record<string, string>;
}

export interface MonthRun {
  run: RichRun;
  /** The configuration Steward ran with. */
  yaml: string;
  faults: MonthFault[];
  pages: () => MonthPage[];
  close: () => Promise<void>;
}

/**
 * The pace of the watchdog's looks, the check-ins' and promises' judging and the Cloud tenant's poll (MONTH_LOOK to
 * change it): every thirty simulated minutes. Those four loops were 60 % of a simulated day's CPU at five minutes and
 * still 55 % at ten (the watchdog's look alone 30 %, the tenant's poll 17 %: issue 89). Every fault here lasts an hour
 * or more and no test times a page: at thirty minutes the four weeks and the Butler-style nights page the same pages
 * as at ten, on the same channels for the same causes, the conditions' pages up to twenty minutes later. A fault
 * shorter than an hour added here needs a shorter look.
 */
const MONTH_LOOK = process.env.MONTH_LOOK ?? "30m";
/** MONTH_LOOK ("30m", "10m", "90s") in seconds. */
const durationSeconds = (d: string) => Number(d.slice(0, -1)) * ({ s: 1, m: 60, h: 3600 } as Record<string, number>)[d.slice(-1)]!;

function stewardYaml(sim: Simulator, rxUrl: string, o: MonthRunOptions): string {
  const routes = o.routes ?? documentedRoutes();
  const channels = [...new Set(routes.flatMap((r) => r.to))];
  const own = o.channels?.(rxUrl) ?? {};
  return [
    qlikYaml(sim),
    // The tenant polled every MONTH_LOOK (30 s by default).
    simCloudTenantYaml(sim, MONTH_LOOK),
    // Every watchdog default but the look (1 minute by default).
    `watchdog:\n  interval: ${MONTH_LOOK}\n`,
    // QRS's service states read every ten simulated minutes (30 s by default): the rule's 2 minutes still end on a
    // second read (a node down is paged at the second read that finds it so, at most twenty minutes after it went down;
    // the month's node is down for two hours), at a twentieth of the default's reads (the most frequent request here:
    // 16 % of a simulated day's CPU at two minutes, issue 89). Its page came twelve minutes later than at two (23:20
    // UTC), before the next look; the same pages for the same causes otherwise.
    "grouping: { nodeDown: { unreachable: { interval: 10m } } }\n",
    // Reconciliation with QRS every MONTH_LOOK (5 minutes by default): every datagram the simulator sends reaches
    // Steward here (the stepped clock waits for each), so a pass finds nothing to report, 9 % of a day's CPU at five.
    `intake: { reconcile: { intervalSeconds: ${durationSeconds(MONTH_LOOK)} } }\n`,
    // Check-ins and promises judged at the watchdog's pace too (their default is 30 s: two thirds of a simulated
    // day's CPU here, for alerts at most one look later).
    `checkins:\n  interval: ${MONTH_LOOK}\n  checks:\n`,
    `    ${CHECKIN.name}: { key: ${CHECKIN.key}, cron: "${CHECKIN.cron}", timeZone: UTC, feeds: { taskNames: ${JSON.stringify(CHECKIN.feeds)} } }\n`,
    `freshness:\n  interval: ${MONTH_LOOK}\n  promises:\n`,
    `    ${PROMISE.name}: { appNames: ["${PROMISE.app}"], freshBy: "${PROMISE.freshBy}", warnAt: "${PROMISE.warnAt}", days: [mon, tue, wed, thu, fri], timeZone: Europe/Stockholm }\n`,
    // The outbox keeps four weeks (14 days by default), so the noise report over the four weeks counts every page.
    "notify: { outbox: { keep: 28d } }\n",
    "channels:\n",
    ...channels.map((c) => `  ${c}: ${own[c] ?? `{ type: webhook, url: "${rxUrl}/${c}" }`}\n`),
    `routes: ${JSON.stringify(routes)}\n`,
    o.extraYaml ?? "",
  ].join("");
}

function pageOf(r: { path: string; headers: Headers; body: string }): MonthPage {
  const b = JSON.parse(r.body) as Record<string, unknown> & {
    kind: string;
    condition?: unknown;
    incident?: { id?: number } | null;
    causeId?: number;
  };
  // A watchdog, check-in or freshness condition's key (its kind, task or app and when it opened) is in the event.
  const event = b.stewardEvent as { condition?: { key?: string } } | undefined;
  const condition = event?.condition?.key ?? (typeof b.condition === "string" ? `${b.condition} ${b.taskName ?? b.appName ?? ""}` : undefined);
  const about =
    b.causeId !== undefined
      ? `cause #${b.causeId}`
      : b.incident?.id !== undefined
        ? `incident #${b.incident.id}`
        : condition
          ? `condition ${condition}`
          : "none";
  const str = (k: string) => (typeof b[k] === "string" && b[k] !== "" ? { [k]: b[k] as string } : {});
  return {
    at: Number(r.headers.get("x-steward-timestamp")) * 1000,
    channel: r.path.slice(1),
    kind: b.kind,
    ...(str("taskName").taskName ? { task: b.taskName as string } : {}),
    ...(str("appName").appName ? { app: b.appName as string } : {}),
    ...(typeof b.title === "string" ? { title: b.title } : {}),
    about,
    ...str("causeTitle"),
    ...str("causeStatus"),
    text: r.body,
  };
}

/** Runs the four weeks (or `days`) and returns the receiver's pages; the caller closes it. */
export async function runMonth(o: MonthRunOptions): Promise<MonthRun> {
  const fromDay = o.fromDay ?? 0;
  const start = MONTH_START + fromDay * DAY;
  const faults = [...monthFaults(), ...(o.extraFaults ?? [])].filter((f) => f.revertAt > start);
  const missed = monthFaults().find((f) => f.id === "checkin")!;
  const days = o.days ?? MONTH_DAYS;
  let yaml = "";
  let opened: RichRun | undefined;
  const running = runRichSite({
    dir: o.dir,
    startMs: start,
    days: days - fromDay,
    faults,
    tasks: monthSiteTasks(),
    stewardYaml: (sim, rxUrl) => {
      const base = stewardYaml(sim, rxUrl, o);
      yaml = o.transformYaml ? o.transformYaml(base) : base;
      return yaml;
    },
    opened: (r) => {
      opened = r;
    },
    started: (r) => {
      // The job before QVD 06 checks in each night, as a job's last line would (curl …/ping/<key>).
      for (const at of checkinPings(MONTH_START, days, missed).filter((ms) => ms >= start))
        r.site.clock.setTimeout(() => r.t.request(`/ping/${CHECKIN.key}`), at - r.site.clock.now());
    },
  });
  // A run that fails half-way still stops its simulator, Steward and receiver.
  const run = await running.catch(async (err: unknown) => {
    if (opened) await closeRichRun(opened);
    throw err;
  });
  return { run, yaml, faults, pages: () => run.rx.requests.map(pageOf), close: () => closeRichRun(run) };
}
