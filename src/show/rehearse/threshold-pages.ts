// Issue 105: the pages of the watch's re-judged thresholds that appear or vanish between the two configs, per route
// and channel, each named ("Sales app late on Tue 02:21 under the new deadline 02:15"); and the real lateness or
// backlog that paged under the config in force and would page no one under the new one: a fault left unpaged.
import { formatDuration } from "../../platform/core/duration";
import { spanText } from "../../tell/notify/time-format";
import type { ReplayedPage } from "../noise/replay";
import type { ThresholdLabel } from "./rejudge";
import type { ThresholdPage, UnpagedFault } from "./types";

/** What each side's re-judging said of its events, and its deadlines in words (the config's freshBy, per promise). */
export interface ThresholdSide {
  pages: readonly ReplayedPage[];
  labels: ReadonlyMap<string, ThresholdLabel>;
  freshBy: (promise: string) => { freshBy?: string; warnAt?: string; maxAge?: number; warnAfter?: number; timeZone: string } | undefined;
  /** The backlog threshold in words ("15 min", "off"). */
  backlog: string;
  /** The custom property apps' own promises are read from (none: freshness off). */
  ownPromises?: string;
}

/** A promise's deadlines of one day are the same lateness under both configs (a deadline moved within the day). */
const SAME_DAY_MS = 12 * 3_600_000;

function sameCause(a: ThresholdLabel, b: ThresholdLabel): boolean {
  if (a.type === "backlog" || b.type === "backlog") return a.type === "backlog" && b.type === "backlog" && a.key === b.key && a.sinceMs === b.sinceMs;
  return a.key === b.key && a.what === b.what && Math.abs(a.deadlineMs - b.deadlineMs) < SAME_DAY_MS;
}

/** "Tue 3 Mar 07:40", to the nearest minute (a reload ends a second before the minute as often as after). */
const dayTime = (ms: number, timeZone: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
    .format(Math.round(ms / 60_000) * 60_000)
    .replace(",", "");

/** The page's words: what it was about, when, and under which threshold. */
function named(l: ThresholdLabel, side: ThresholdSide, whose: "the new" | "the config in force's"): string {
  if (l.type === "backlog")
    return `reload queue on ${l.node} backed up ${dayTime(l.sinceMs, "UTC")} UTC for ${spanText(l.untilMs - l.sinceMs)}: paged after ${spanText(l.thresholdMs)} under ${whose} threshold`;
  const p = side.freshBy(l.promise);
  const zone = p?.timeZone ?? "UTC";
  if (l.own) return ownPage(l, whose);
  if (l.maxAgeMs !== undefined) return tooOld(l, p, zone, whose);
  const when = l.freshMs !== undefined ? `${dayTime(l.freshMs, zone)} (fresh then)` : `${dayTime(l.deadlineMs, zone)} (not fresh in the window)`;
  return l.what === "late"
    ? `${l.app} late on ${when} under ${whose} deadline ${p?.freshBy ?? "?"} (promise ${l.promise})`
    : `${l.app} not fresh at ${whose} warning time ${p?.warnAt ?? "?"} on ${dayTime(l.deadlineMs, zone)} (promise ${l.promise})`;
}

/**
 * A "never older than" page: since when the data was too old (or old enough to warn), until a reload brought new data.
 * The ages are written as the config writes them ("1d10m"): a span rounded for people would hide the change rehearsed.
 */
function tooOld(l: ThresholdLabel & { type: "freshness" }, p: ReturnType<ThresholdSide["freshBy"]>, zone: string, whose: string): string {
  const until = l.freshMs !== undefined ? `until ${dayTime(l.freshMs, zone)} (fresh then)` : "(not fresh in the window)";
  return l.what === "late"
    ? `${l.app} older than ${formatDuration(l.maxAgeMs!)} from ${dayTime(l.deadlineMs, zone)} ${until} under ${whose} maxAge (promise ${l.promise})`
    : `${l.app} older than ${whose} warnAfter ${p?.warnAfter !== undefined ? formatDuration(p.warnAfter) : "?"} before ${dayTime(l.deadlineMs, zone)} (promise ${l.promise})`;
}

/** A page of an app's own promise (its custom property): as recorded, in UTC (the property's zone is not kept). */
function ownPage(l: ThresholdLabel & { type: "freshness" }, whose: "the new" | "the config in force's"): string {
  const fresh = l.freshMs !== undefined ? `, fresh ${dayTime(l.freshMs, "UTC")} UTC` : "";
  const what = l.what === "late" ? "late" : "at risk";
  const by = whose === "the new" ? "the new config" : "the config in force";
  return `${l.app} ${what} at ${dayTime(l.deadlineMs, "UTC")} UTC${fresh} under its own promise ${l.promise} (its custom property), read by ${by}`;
}

/** The new config's limit in words, for a fault it leaves unpaged. */
function newLimit(p: ReturnType<ThresholdSide["freshBy"]>, l: ThresholdLabel & { type: "freshness" }, next: ThresholdSide): string {
  if (l.own) return next.ownPromises ? `config (apps' own promises read from ${next.ownPromises})` : "config (freshness off: no app's own promise)";
  if (!p) return "config (no such promise)";
  if (p.maxAge !== undefined) return `maxAge (${formatDuration(p.maxAge)})`;
  return `deadline (${p.freshBy ?? "none"})`;
}

interface Labelled {
  page: ReplayedPage;
  label: ThresholdLabel;
  channel: string;
}

function labelled(side: ThresholdSide): Labelled[] {
  return side.pages.flatMap((page) => {
    const label = side.labels.get(page.eventId);
    return label ? page.channels.map((channel) => ({ page, label, channel })) : [];
  });
}

/** The re-judged pages one side has and the other has not, route and channel alike. */
function missingFrom(mine: readonly Labelled[], theirs: readonly Labelled[]): Labelled[] {
  return mine.filter((m) => !theirs.some((t) => t.page.route === m.page.route && t.channel === m.channel && sameCause(m.label, t.label)));
}

export function thresholdPages(current: ThresholdSide, next: ThresholdSide, at: (eventId: string) => number): ThresholdPage[] {
  const a = labelled(current);
  const b = labelled(next);
  const row = (x: Labelled, change: ThresholdPage["change"], side: ThresholdSide): ThresholdPage => ({
    route: x.page.route,
    channel: x.channel,
    change,
    what: x.label.type === "backlog" ? "backlog" : x.label.what,
    at: new Date(at(x.page.eventId)).toISOString(),
    text: named(x.label, side, change === "appears" ? "the new" : "the config in force's"),
  });
  return [...missingFrom(b, a).map((x) => row(x, "appears", next)), ...missingFrom(a, b).map((x) => row(x, "vanishes", current))].sort(
    (x, y) => x.at.localeCompare(y.at) || x.route.localeCompare(y.route) || x.channel.localeCompare(y.channel),
  );
}

/**
 * A lateness (a breach) or a backlog that paged a route under the config in force and pages it on no channel under the
 * new one: judged per route, as the incidents' faults are.
 */
export function unpagedThresholds(current: ThresholdSide, next: ThresholdSide, at: (eventId: string) => number): UnpagedFault[] {
  const a = labelled(current).filter((x) => x.label.type === "backlog" || x.label.what === "late");
  const b = labelled(next);
  const out = new Map<string, UnpagedFault>();
  for (const x of a) {
    if (b.some((y) => y.page.route === x.page.route && sameCause(x.label, y.label))) continue;
    const key = `${x.page.route}\u0000${x.page.eventId}`;
    if (out.has(key)) continue;
    const l = x.label;
    out.set(key, {
      taskName: l.type === "backlog" ? `reload queue on ${l.node}` : l.app,
      route: x.page.route,
      firstPagedAt: new Date(at(x.page.eventId)).toISOString(),
      why: `${named(l, current, "the config in force's")}; the new ${l.type === "backlog" ? `threshold (${next.backlog})` : newLimit(next.freshBy(l.promise), l, next)} does not page it`,
    });
  }
  return [...out.values()];
}
