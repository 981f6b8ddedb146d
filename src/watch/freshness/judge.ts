// Judges each promise for each app it names, without side effects: an app is fresh for a deadline when its last
// successful reload came after the chain began (the previous deadline), started after its upstream jobs checked in
// and after its Qlik chain's runs of the cycle, none of which failed since (chain-feed.ts: the data came through). Not
// fresh at the warning time: a warning; at the deadline: a breach (one condition, escalated); fresh: it closes.
import type { CheckState } from "../checkins/checkin-store";
import type { ChainEta } from "./chain-eta";
import type { Deadlines } from "./deadlines";
import type { AppFreshness, Level } from "./freshness-store";
import { judgeMaxAge, type MaxAgeRule } from "./judge-max-age";
import { breachCertain } from "./at-risk";
import { isAutomationApp, namesAutomation } from "./automation-apps";
import { type ChainFeed, chainFeed, dataThrough } from "./chain-feed";
import type { TaskView } from "../watchdog/evaluate";
import { maxAgeData, maxAgeFeed } from "./max-age-feed";

export interface JudgedPromise {
  name: string;
  /** A "fresh by" promise's deadlines; absent for a "never older than" promise. */
  deadlines?: Deadlines;
  /** A "never older than" promise. */
  maxAge?: MaxAgeRule;
  /** For messages: "07:00 Mon, Tue (Europe/Stockholm)" or "never older than 2 h, 07:00–18:00 every day (UTC)". */
  text: string;
  appIds: ReadonlySet<string>;
  /** Lower-case. */
  appNames: ReadonlySet<string>;
  streams: ReadonlySet<string>;
  appTags: ReadonlySet<string>;
  /** Qlik Automate automations, by id or name (lower-case): automation-apps.ts. */
  automations?: ReadonlySet<string>;
}

/** A check-in job that feeds apps (checkins.checks.<name>.feeds). */
export interface Upstream {
  check: string;
  /** The latest due time at or before `t`. */
  dueAtOrBefore(t: number): number | undefined;
  appIds: ReadonlySet<string>;
  /** Lower-case. */
  appNames: ReadonlySet<string>;
}

export interface UpstreamStatus {
  check: string;
  dueMs: number;
  state: "not_checked_in" | "failed" | "running" | "done";
  atMs?: number;
}

export interface FreshnessFinding {
  key: string;
  promise: string;
  app: AppFreshness;
  deadlineMs: number;
  /** Since when a successful reload counts. */
  cycleStartMs?: number;
  upstream: UpstreamStatus[];
  /** When the app is now expected to be fresh, if the history says. */
  expectedMs?: number;
  /** The usual time from the upstream's success to fresh data (median of recent cycles). */
  usualLagMs?: number;
  /** A "never older than" promise: the most its data may be aged. */
  maxAgeMs?: number;
  /** The Qlik task chain that ends in the app's reload (from the watchdog's plan), when Steward knows it. */
  chain?: ChainEta;
  /** A warning opened before its time because the breach became certain: why. */
  atRisk?: string;
  /** The last successful reload ended after the data arrived but started before: it read the old data (issue 88). */
  readOldData?: { startMs: number; arrivedMs: number; checks: string[] };
  /** The Qlik tasks upstream of the app's reload this cycle (chain-feed.ts), when Steward knows them. */
  feed?: ChainFeed;
  /** A "never older than" promise whose chain failed after its data: the data is as of no later than that failure. */
  dataAsOfMs?: number;
  /** Fresh: what the reload that brought the data came after (its chain's runs, the check-in, or the cycle's start). */
  broughtBy?: { reloadMs: number; after: "chain" | "checkin" | "cycle" };
}

export interface OpenFreshness {
  key: string;
  deadlineMs: number;
  level: Level;
}

export interface FreshnessJudgement {
  opens: Array<FreshnessFinding & { level: Level }>;
  escalations: FreshnessFinding[];
  closes: FreshnessFinding[];
}

const lower = (s: string) => s.toLowerCase();
/**
 * A job that starts the Qlik task itself and then checks in: its reload starts a moment before the check-in, and read
 * the job's data. Up to a minute before counts (as a check-in up to a minute early counts for its due time).
 */
export const STARTED_WITH_CHECKIN_MS = 60_000;

/** Does the promise name this app (by id, name, stream or tag)? */
export function promises(p: JudgedPromise, a: { appId: string; appName: string; stream?: string; tags: readonly string[] }): boolean {
  if (isAutomationApp(a.appId)) return namesAutomation(p.automations, a);
  return (
    p.appIds.has(a.appId) ||
    p.appNames.has(lower(a.appName)) ||
    (a.stream !== undefined && p.streams.has(lower(a.stream))) ||
    a.tags.some((t) => p.appTags.has(lower(t)))
  );
}

export function promisedApps(p: JudgedPromise, apps: readonly AppFreshness[]): AppFreshness[] {
  const out = apps.filter((a) => promises(p, a));
  // An app named by id that never reloaded since Steward started watching: it is not fresh.
  for (const id of p.appIds) if (!out.some((a) => a.appId === id)) out.push({ appId: id, appName: id, tags: [], lagsMs: [] });
  return out;
}

export function upstreamsOf(app: AppFreshness, upstreams: readonly Upstream[]): Upstream[] {
  return upstreams.filter((u) => u.appIds.has(app.appId) || u.appNames.has(lower(app.appName)));
}

const median = (xs: readonly number[]) => {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** What a finding is judged with besides the promise and the app. */
export interface FindingContext {
  upstreams: readonly Upstream[];
  checkStates: ReadonlyMap<string, CheckState>;
  nowMs: number;
  /** The watchdog's view of the Qlik tasks (their triggers and last runs): the chains that feed the apps. */
  tasks?: readonly TaskView[];
  /** A "never older than" promise's data time at the judge's last look, by condition key (max-age-feed.ts). */
  dataTimes?: ReadonlyMap<string, number>;
}

/**
 * The app's finding for one deadline of the promise: when its chain began, what upstream did, whether it is fresh.
 * `asOfDeadline`: a past deadline no condition is open for, asked "was it fresh then?": what upstream did after it (the
 * next cycle's check-in, runs) is not held against it. Otherwise (the deadline ahead, or one missed and still open)
 * what happened since counts: a later check-in or re-run is the data a reload must come after.
 */
export function findingFor(
  p: JudgedPromise,
  app: AppFreshness,
  deadlineMs: number,
  ctx: FindingContext,
  asOfDeadline = false,
): FreshnessFinding & { fresh: boolean } {
  const { nowMs } = ctx;
  const ups = upstreamsOf(app, ctx.upstreams);
  // For a "never older than" promise the upstream counts at its latest due time before now.
  const dues = ups.flatMap((u) => {
    const due = u.dueAtOrBefore(p.maxAge ? Math.min(nowMs, deadlineMs) : deadlineMs);
    return due === undefined ? [] : [{ u, due }];
  });
  const maxAgeStart = p.maxAge ? deadlineMs - p.maxAge.maxAgeMs : undefined;
  const cycleStartMs = maxAgeStart ?? (dues.length > 0 ? Math.max(...dues.map((d) => d.due)) : p.deadlines?.atOrBefore(deadlineMs - 1));
  const upstream: UpstreamStatus[] = dues.map(({ u, due }) =>
    status(u.check, due, asOfDeadline ? ofCycle(ctx.checkStates.get(u.check), (t) => (u.dueAtOrBefore(t) ?? due) > due) : ctx.checkStates.get(u.check)),
  );
  // A deadline's chain completes when every job before Qlik succeeded and a reload followed: a reload that
  // ran on without them read yesterday's data.
  // The data arrived when the job checked in, even when that check-in is a later cycle's (only the latest is kept): a
  // reload before it read what was there before, so a missed check-in's promise is not made fresh by it (issue 102).
  // Asked of a past deadline, a later cycle's check-in says nothing of it: its due time counts.
  const doneAtFor = (i: number) => {
    const s = upstream[i]!;
    if (!asOfDeadline) return s.atMs!;
    const laterDue = dues[i]!.u.dueAtOrBefore(s.atMs!);
    return laterDue !== undefined && laterDue > s.dueMs ? s.dueMs : s.atMs!;
  };
  const chainDone = upstream.every((s) => s.state === "done")
    ? Math.max(cycleStartMs ?? Number.NEGATIVE_INFINITY, ...upstream.map((_, i) => doneAtFor(i)))
    : undefined;
  // The data arrived when the last job before Qlik checked in: a reload that started before then read the old data,
  // however late it ended (issue 88). When Steward knows only the reload's end (QRS's last reload time), that counts.
  const arrivedMs = upstream.length > 0 && chainDone !== undefined ? Math.max(...upstream.map((_, i) => doneAtFor(i))) : undefined;
  const readArrived =
    arrivedMs === undefined || (app.lastSuccessStartMs ?? app.lastSuccessMs ?? Number.NEGATIVE_INFINITY) >= arrivedMs - STARTED_WITH_CHECKIN_MS;
  // Fresh means the data came through (issue 102): a reload after its Qlik chain's runs of the cycle, none failed since.
  // A "never older than" promise too (max-age-feed.ts): its data's age counts through the chain, not from any reload.
  const feed = !ctx.tasks
    ? undefined
    : p.maxAge
      ? maxAgeFeed(app.appId, ctx.tasks)
      : chainFeed(app.appId, ctx.tasks, cycleStartMs ?? deadlineMs - 86_400_000, asOfDeadline ? deadlineMs : undefined);
  const chainThrough = dataThrough(feed, app, STARTED_WITH_CHECKIN_MS);
  const aged = p.maxAge ? maxAgeData(app, feed, STARTED_WITH_CHECKIN_MS, ctx.dataTimes?.get(`freshness:${p.name}:${app.appId}`)) : undefined;
  const dataAsOfMs = aged && aged.app.lastSuccessMs !== app.lastSuccessMs ? aged.app.lastSuccessMs : undefined;
  const fresh = aged
    ? aged.through && aged.app.lastSuccessMs !== undefined && aged.app.lastSuccessMs > maxAgeStart!
    : app.lastSuccessMs !== undefined &&
      chainDone !== undefined &&
      (!Number.isFinite(chainDone) || app.lastSuccessMs >= chainDone) &&
      readArrived &&
      chainThrough;
  const after = feed?.arrivedMs !== undefined ? "chain" : arrivedMs !== undefined ? "checkin" : "cycle";
  const oldRead = !p.maxAge && !readArrived && app.lastSuccessMs !== undefined && arrivedMs !== undefined && app.lastSuccessMs >= arrivedMs;
  const usualLagMs = median(app.lagsMs);
  const doneAt = upstream.every((s) => s.state === "done") && upstream.length > 0 ? Math.max(...upstream.map((s) => s.atMs!)) : undefined;
  return {
    key: `freshness:${p.name}:${app.appId}`,
    promise: p.name,
    app,
    deadlineMs,
    ...(cycleStartMs !== undefined ? { cycleStartMs } : {}),
    upstream,
    ...(usualLagMs !== undefined ? { usualLagMs } : {}),
    ...(doneAt !== undefined && usualLagMs !== undefined ? { expectedMs: Math.max(nowMs, doneAt + usualLagMs) } : {}),
    ...(p.maxAge ? { maxAgeMs: p.maxAge.maxAgeMs } : {}),
    ...(oldRead ? { readOldData: { startMs: app.lastSuccessStartMs!, arrivedMs: arrivedMs!, checks: upstream.map((u) => u.check) } } : {}),
    ...(feed ? { feed } : {}),
    ...(dataAsOfMs !== undefined ? { dataAsOfMs } : {}),
    ...(fresh && app.lastSuccessMs !== undefined ? { broughtBy: { reloadMs: app.lastSuccessMs, after } } : {}),
    fresh,
  };
}

export function judgeFreshness(input: {
  promises: readonly JudgedPromise[];
  apps: readonly AppFreshness[];
  upstreams: readonly Upstream[];
  checkStates: ReadonlyMap<string, CheckState>;
  open: readonly OpenFreshness[];
  since: ReadonlyMap<string, number>;
  nowMs: number;
  /** The app's Qlik task chain this cycle (the watchdog's plan), to see a breach coming before the warning time. */
  etaOf?: (f: FreshnessFinding) => ChainEta | undefined;
  /** The watchdog's view of the Qlik tasks: the chains whose runs the app's data must come through. */
  tasks?: readonly TaskView[];
  /** A "never older than" promise's data time at the last look, by condition key. */
  dataTimes?: ReadonlyMap<string, number>;
}): FreshnessJudgement {
  const { nowMs } = input;
  const out: FreshnessJudgement = { opens: [], escalations: [], closes: [] };
  const openByKey = new Map(input.open.map((o) => [o.key, o]));
  for (const p of input.promises) {
    const since = input.since.get(p.name) ?? nowMs;
    for (const app of promisedApps(p, input.apps)) {
      const finding = (deadlineMs: number, asOfDeadline = false) => findingFor(p, app, deadlineMs, input, asOfDeadline);
      const key = `freshness:${p.name}:${app.appId}`;
      const open = openByKey.get(key);
      if (p.maxAge) {
        const aged = maxAgeData(app, input.tasks ? maxAgeFeed(app.appId, input.tasks) : undefined, STARTED_WITH_CHECKIN_MS, input.dataTimes?.get(key));
        const v = judgeMaxAge(p.maxAge, aged.app, open, since, nowMs, aged.through);
        if (v.action === "open") out.opens.push({ ...finding(v.deadlineMs), level: v.level });
        else if (v.action === "escalate") out.escalations.push(finding(v.deadlineMs));
        else if (v.action === "close") out.closes.push(finding(v.deadlineMs));
        continue;
      }
      const deadlines = p.deadlines;
      if (!deadlines) continue;
      if (open) {
        const f = finding(open.deadlineMs);
        if (f.fresh) out.closes.push(f);
        else if (open.level === "warning" && nowMs >= open.deadlineMs) out.escalations.push(f);
        continue;
      }
      const prev = deadlines.atOrBefore(nowMs);
      if (prev !== undefined && prev >= since) {
        const f = finding(prev, true);
        if (!f.fresh) {
          out.opens.push({ ...f, level: "breached" });
          continue;
        }
      }
      const next = deadlines.after(nowMs);
      // The breach is certain before the warning time: warn now, saying why (once: it is the promise's warning).
      if (next !== undefined) {
        const f = finding(next);
        const begun = f.cycleStartMs === undefined || (f.cycleStartMs <= nowMs && f.cycleStartMs >= since);
        const why = !f.fresh && begun ? breachCertain(f, input.etaOf?.(f), nowMs) : undefined;
        if (why) {
          out.opens.push({ ...f, level: "warning", atRisk: why });
          continue;
        }
      }
      const warnAt = next === undefined ? undefined : next - deadlines.warnBeforeMs;
      if (next !== undefined && warnAt !== undefined && deadlines.warnBeforeMs > 0 && nowMs >= warnAt && warnAt >= since) {
        const f = finding(next);
        if (!f.fresh) out.opens.push({ ...f, level: "warning" });
      }
    }
  }
  return out;
}

/**
 * Asked of a past deadline: a failure or a start of a later cycle says nothing of it (this morning's failed delivery
 * does not make yesterday's promise late; issue 106's record found it). Its success stays: doneAtFor reads it.
 */
function ofCycle(s: CheckState | undefined, later: (t: number) => boolean): CheckState | undefined {
  if (!s) return s;
  const { lastFailMs, lastStartMs, ...rest } = s;
  return {
    ...rest,
    ...(lastFailMs !== undefined && !later(lastFailMs) ? { lastFailMs } : {}),
    ...(lastStartMs !== undefined && !later(lastStartMs) ? { lastStartMs } : {}),
  };
}

function status(check: string, dueMs: number, s: CheckState | undefined): UpstreamStatus {
  const success = s?.lastSuccessMs;
  const fail = s?.lastFailMs;
  const start = s?.lastStartMs;
  // Only what happened for this due time counts (a ping up to a minute early included).
  const early = dueMs - 60_000;
  if (success !== undefined && success >= early && (fail === undefined || success >= fail)) return { check, dueMs, state: "done", atMs: success };
  if (fail !== undefined && fail >= early) return { check, dueMs, state: "failed", atMs: fail };
  if (start !== undefined && start >= early) return { check, dueMs, state: "running", atMs: start };
  return { check, dueMs, state: "not_checked_in" };
}
