// Counts the noise of a window from the pages that went out and what their incidents became: per route and kind,
// the noisiest tasks and routes, and the budget line. Pure: the inputs are read by sources.ts.
import type { NoiseBudget, NoiseIncident, NoisePage, NoiseReport, NoiseRoute, NoiseRow, NoisySource } from "./types";

export interface NoiseBudgetConfig {
  pagesPerPerson: number;
  onCallPeople: number;
  actedOnGoal: number;
}

export interface MeasureInput {
  from: number;
  to: number;
  zone: string;
  pages: readonly NoisePage[];
  incidents: ReadonlyMap<number, NoiseIncident>;
  /** Runs the Scheduler's retry recovered in the window. */
  retried: ReadonlyArray<{ taskId: string; taskName: string }>;
  budget: NoiseBudgetConfig;
  top: number;
  /** Routes with a pageAfter of their own, as "2 within 1d". */
  routePageAfter: ReadonlyMap<string, string>;
  /** When the outbox's oldest delivery was made: the report knows nothing before it. Unset: the window's start. */
  firstRecordAt?: number;
}

const DAY = 86_400_000;

/** The facts of one sent page that the shares count. */
interface Judged {
  page: NoisePage;
  ackMs: number | null;
  acknowledged: boolean;
  /** Someone acted on its incident: acknowledged it, snoozed it, asked for a retry or re-run, started it by hand. */
  acted: boolean;
  /** Its incident ended without anybody acting on it (acknowledging, snoozing, retrying, starting it by hand). */
  alone: boolean;
}

function judge(page: NoisePage, incidents: ReadonlyMap<number, NoiseIncident>): Judged {
  const inc = page.incidentId !== undefined ? incidents.get(page.incidentId) : undefined;
  const acknowledged = inc?.acknowledgedAt != null;
  return {
    page,
    acknowledged,
    acted: acknowledged || inc?.actedOn !== undefined,
    ackMs: acknowledged ? Math.max(0, inc!.acknowledgedAt! - page.at) : null,
    // A snooze, a retry asked for, a start by hand: someone acted, so it did not end by itself.
    alone: inc !== undefined && inc.closedAt !== null && !acknowledged && inc.actedOn === undefined,
  };
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

const share = (n: number, of: number): number | null => (of === 0 ? null : n / of);

function zoneParts(zone: string) {
  const f = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", hourCycle: "h23" });
  return (ms: number) => {
    const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
    return { day: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour) % 24 };
  };
}

function rowsOf(sent: readonly Judged[], held: readonly NoisePage[]): NoiseRow[] {
  const keyOf = (p: NoisePage) => `${p.route}\u0000${p.kind}`;
  const groups = new Map<string, { route: string; kind: string; sent: Judged[]; held: number }>();
  const group = (p: NoisePage) => {
    let g = groups.get(keyOf(p));
    if (!g) groups.set(keyOf(p), (g = { route: p.route, kind: p.kind, sent: [], held: 0 }));
    return g;
  };
  for (const j of sent) group(j.page).sent.push(j);
  for (const p of held) group(p).held++;
  return [...groups.values()]
    .map((g) => ({
      route: g.route,
      kind: g.kind,
      pages: g.sent.length,
      held: g.held,
      acknowledged: share(g.sent.filter((j) => j.acknowledged).length, g.sent.length),
      medianAckMs: median(g.sent.flatMap((j) => (j.ackMs === null ? [] : [j.ackMs]))),
      recoveredAlone: share(g.sent.filter((j) => j.alone).length, g.sent.length),
    }))
    .sort((a, b) => b.pages - a.pages || a.route.localeCompare(b.route) || a.kind.localeCompare(b.kind));
}

/** Whether a page is about an incident that already paged on the same route (the pages come in time order). */
function repeatJudge(): (p: NoisePage) => boolean {
  const seen = new Set<string>();
  return (p) => {
    if (p.incidentId === undefined) return false;
    const key = `${p.route}\u0000${p.incidentId}`;
    if (seen.has(key)) return true;
    seen.add(key);
    return false;
  };
}

/**
 * The noisiest sources. One event told on several routes is one page of its source (its routes are listed), and the
 * causes it was told under count once each: a fault that paged once per cause is not counted as many pages.
 */
function sourcesOf(sent: readonly Judged[], retried: MeasureInput["retried"], zone: string): NoisySource[] {
  const parts = zoneParts(zone);
  const isRepeat = repeatJudge();
  type Counting = NoisySource & { dayKeys: Set<string>; times: number[]; events: Set<string>; causes: Set<number> };
  const bySource = new Map<string, Counting>();
  for (const j of sent) {
    const p = j.page;
    const key = (p.taskId ?? p.subject).toLowerCase();
    let s = bySource.get(key);
    if (!s) {
      s = {
        name: p.taskName ?? p.subject,
        pages: 0,
        acknowledged: 0,
        actedOn: 0,
        recoveredAlone: 0,
        recoveredByRetry: 0,
        routes: [],
        kinds: [],
        hours: [],
        days: 0,
        apps: [],
        chainPages: 0,
        scheduled: 0,
        minGapMs: null,
        repeats: 0,
        dayKeys: new Set(),
        times: [],
        events: new Set(),
        causes: new Set(),
      };
      if (p.taskId) s.taskId = p.taskId;
      bySource.set(key, s);
    }
    if (!s.routes.includes(p.route)) s.routes.push(p.route);
    // The route's own count of repeats goes on; the source counts each event once.
    const repeat = isRepeat(p);
    if (s.events.has(p.eventId)) continue;
    s.events.add(p.eventId);
    const at = parts(p.at);
    s.pages++;
    if (j.acknowledged) s.acknowledged++;
    if (j.acted) s.actedOn++;
    if (j.alone) s.recoveredAlone++;
    if (!s.kinds.includes(p.kind)) s.kinds.push(p.kind);
    s.hours.push(at.hour);
    s.dayKeys.add(at.day);
    s.times.push(p.at);
    if (repeat) s.repeats++;
    if (p.startedBy === "schedule") s.scheduled++;
    if (p.node && !s.node) s.node = p.node;
    for (const app of [...(p.appName ? [p.appName] : []), ...(p.cause && p.cause.tasks > 1 ? p.cause.apps : [])]) if (!s.apps.includes(app)) s.apps.push(app);
    if (p.cause && p.cause.tasks > 1) s.causes.add(p.cause.id);
  }
  for (const r of retried) {
    const s = bySource.get(r.taskId.toLowerCase());
    if (s) s.recoveredByRetry++;
  }
  return [...bySource.values()]
    .map(({ dayKeys, times, events, causes, ...s }) => ({ ...s, days: dayKeys.size, chainPages: causes.size, minGapMs: minGap(times) }))
    .sort((a, b) => b.pages - a.pages || a.name.localeCompare(b.name));
}

/** The shortest time between two of the times; null with fewer than two. */
export function minGap(times: readonly number[]): number | null {
  const s = [...times].sort((a, b) => a - b);
  let gap: number | null = null;
  for (let i = 1; i < s.length; i++) gap = gap === null ? s[i]! - s[i - 1]! : Math.min(gap, s[i]! - s[i - 1]!);
  return gap;
}

function routesOf(sent: readonly Judged[], pageAfter: ReadonlyMap<string, string>): NoiseRoute[] {
  const by = new Map<string, NoiseRoute & { times: Map<string, number[]>; noisy: Set<string> }>();
  const isRepeat = repeatJudge();
  for (const j of sent) {
    const name = j.page.route;
    let r = by.get(name);
    if (!r)
      by.set(
        name,
        (r = {
          name,
          pages: 0,
          acknowledged: 0,
          recoveredAlone: 0,
          minGapMs: null,
          repeats: 0,
          noisySources: 0,
          times: new Map(),
          noisy: new Set(),
          ...(pageAfter.has(name) ? { pageAfter: pageAfter.get(name)! } : {}),
        }),
      );
    r.pages++;
    if (j.acknowledged) r.acknowledged++;
    if (j.alone) r.recoveredAlone++;
    if (isRepeat(j.page)) r.repeats++;
    const task = (j.page.taskId ?? j.page.subject).toLowerCase();
    if (j.alone) r.noisy.add(task);
    r.times.set(task, [...(r.times.get(task) ?? []), j.page.at]);
  }
  return [...by.values()]
    .map(({ times, noisy, ...r }) => {
      const gaps = [...times.values()].map(minGap).filter((g): g is number => g !== null);
      return { ...r, noisySources: noisy.size, minGapMs: gaps.length ? Math.min(...gaps) : null };
    })
    .sort((a, b) => b.pages - a.pages || a.name.localeCompare(b.name));
}

function budgetOf(sent: readonly Judged[], days: number, b: NoiseBudgetConfig): NoiseBudget {
  const pagesPerWeek = Math.round(((sent.length * 7) / Math.max(days, 1 / 24)) * 10) / 10;
  const budget = b.pagesPerPerson * b.onCallPeople;
  return {
    pagesPerWeek,
    budget,
    over: pagesPerWeek > budget,
    actedOn: share(sent.filter((j) => j.acknowledged).length, sent.length),
    actedOnGoal: b.actedOnGoal,
  };
}

/** The report without its proposals (propose.ts adds them). */
export function measureNoise(input: MeasureInput): Omit<NoiseReport, "proposals"> {
  // In time order: a page is a repeat when an earlier one told the same incident.
  const sent = input.pages
    .filter((p) => p.status === "sent")
    .sort((a, b) => a.at - b.at)
    .map((p) => judge(p, input.incidents));
  const held = input.pages.filter((p) => p.status === "held");
  const days = (input.to - input.from) / DAY;
  const allTasks = sourcesOf(sent, input.retried, input.zone);
  return {
    from: input.from,
    to: input.to,
    days: Math.round(days * 100) / 100,
    historyDays: Math.round((Math.max(0, input.to - Math.max(input.from, input.firstRecordAt ?? input.from)) / DAY) * 100) / 100,
    zone: input.zone,
    pages: sent.length,
    held: held.length,
    rows: rowsOf(sent, held),
    routes: routesOf(sent, input.routePageAfter),
    tasks: allTasks.slice(0, input.top),
    recoveredByRetry: input.retried.length,
    budget: budgetOf(sent, days, input.budget),
  };
}
