// Issue 105: which of the watch's thresholds two configs judge differently (a promise's deadline, warnAt, maxAge,
// warnAfter, hours, days, zone or apps; the queue's backlog threshold; the property apps' own promises are read from),
// and each config's recorded events with those judged again on the recorded runs in place of the ones the watch raised
// with the thresholds in force. What both configs judge alike keeps its recorded events, so a rehearsal of the config
// in force against itself changes nothing.
import type { WatchdogEvent } from "../../platform/events/types";
import { FRESHNESS_EVENT_KINDS } from "../../platform/events/types";
import type { FreshnessPromiseConfig } from "../../watch/freshness/config";
import { compilePromise } from "../../watch/freshness/compile-promise";
import type { RecordedEvent } from "../noise/replay";
import { type BacklogLabel, type BacklogThreshold, type QueueWait, rejudgeBacklog } from "./rejudge-backlog";
import { isOwnPromiseEvent, ownPromiseLabels, promiseOf } from "./own-promises";
import type { RecordedChains } from "./recorded-chains";
import { type AppMeta, type FreshnessLabel, type RecordedReload, rejudgeFreshness } from "./rejudge-freshness";

/** What of a config the watch's re-judging reads. */
export interface WatchThresholds {
  /** The config file's promises (freshness.promises; none when freshness is off). */
  promises: Readonly<Record<string, FreshnessPromiseConfig>>;
  backlog: BacklogThreshold;
  /** The app custom property apps' own promises are read from (none when freshness is off): own-promises.ts. */
  ownPromises?: string;
}

/** What of a whole config the thresholds are read from. */
export interface ThresholdsView {
  freshness?: { enabled?: boolean; promises?: Readonly<Record<string, FreshnessPromiseConfig>>; customProperty?: string };
  watchdog?: { enabled?: boolean; queue?: { enabled?: boolean; backlogAfter?: number } };
}

/** The freshness watch's own default custom property (freshness.customProperty). */
const DEFAULT_PROPERTY = "StewardFreshBy";
/** The queue watch's own default threshold (watchdog.queue.backlogAfter). */
const DEFAULT_BACKLOG_MS = 15 * 60_000;

export const watchThresholdsOf = (c: ThresholdsView): WatchThresholds => ({
  promises: c.freshness?.enabled === false ? {} : (c.freshness?.promises ?? {}),
  backlog: {
    enabled: c.watchdog?.enabled !== false && c.watchdog?.queue?.enabled !== false,
    backlogAfterMs: c.watchdog?.queue?.backlogAfter ?? DEFAULT_BACKLOG_MS,
  },
  ...(c.freshness?.enabled === false ? {} : { ownPromises: c.freshness?.customProperty ?? DEFAULT_PROPERTY }),
});

/** The recorded runs the thresholds are judged on (read only when a threshold differs). */
export interface RecordedRuns {
  reloads: RecordedReload[];
  apps: AppMeta[];
  waits: QueueWait[];
  /** The Qlik chains of the watchdog's plan and their upstream tasks' runs: what a "fresh by" promise's data comes through. */
  chains?: RecordedChains;
  host: string;
  /** Set when a read hit its bound: the runs are complete only up to this time, and are judged up to it. */
  truncatedAt?: number;
}

export interface ThresholdChanges {
  /** The config file's promises (fresh by or never older than) judged differently, by name. */
  promises: Set<string>;
  backlog: boolean;
  /** The property the config in force read apps' own promises from, when the new config reads another or none. */
  ownPromises?: string;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function thresholdChanges(current: WatchThresholds, next: WatchThresholds): ThresholdChanges {
  const promises = new Set<string>();
  for (const name of new Set([...Object.keys(current.promises), ...Object.keys(next.promises)])) {
    const a = current.promises[name];
    const b = next.promises[name];
    if (!same(a, b)) promises.add(name);
  }
  const backlog = current.backlog.enabled !== next.backlog.enabled || (next.backlog.enabled && current.backlog.backlogAfterMs !== next.backlog.backlogAfterMs);
  const own = current.ownPromises !== undefined && current.ownPromises !== next.ownPromises ? current.ownPromises : undefined;
  return { promises, backlog, ...(own !== undefined ? { ownPromises: own } : {}) };
}

export const hasChanges = (c: ThresholdChanges) => c.promises.size > 0 || c.backlog || c.ownPromises !== undefined;

export type ThresholdLabel = ({ type: "freshness" } & FreshnessLabel) | ({ type: "backlog" } & BacklogLabel);

export interface RejudgedHistory {
  recorded: RecordedEvent[];
  /** The re-judged events that page (a warning, a breach, a backlog), by event id. */
  labels: Map<string, ThresholdLabel>;
}

const FRESHNESS = new Set<string>(FRESHNESS_EVENT_KINDS);

function rejudgedHere(e: RecordedEvent["event"], changes: ThresholdChanges): boolean {
  const w = e as WatchdogEvent;
  if (FRESHNESS.has(e.kind)) {
    const p = promiseOf(w);
    return p !== undefined && changes.promises.has(p);
  }
  return changes.backlog && (e.kind === "scheduler.queue_backlog" || (e.kind === "task.on_track" && w.condition?.type === "queue_backlog"));
}

/** The queue timeout each node's recorded backlog pages named, by node key. */
function engineTimeouts(recorded: readonly RecordedEvent[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const { event } of recorded) {
    if (event.kind !== "scheduler.queue_backlog") continue;
    const d = (event as WatchdogEvent).data;
    if (typeof d.node === "string" && typeof d.engineTimeoutMin === "number") out.set(d.node.trim().toLowerCase(), d.engineTimeoutMin);
  }
  return out;
}

/**
 * The promises of the window's recorded freshness events that neither config file holds: an app's own promise (its
 * custom property, StewardFreshBy) is read from QRS live and not kept in the store, so it cannot be judged again; its
 * recorded events stand for both configs, and the rehearsal says so.
 */
export function unjudgedPromises(recorded: readonly RecordedEvent[], current: WatchThresholds, next: WatchThresholds): string[] {
  const out = new Set<string>();
  const gone = thresholdChanges(current, next).ownPromises;
  for (const { event } of recorded) {
    // The apps' own promises of a property the new config does not read are judged: they vanish, named.
    if (!FRESHNESS.has(event.kind) || (gone !== undefined && isOwnPromiseEvent(event, gone))) continue;
    const p = promiseOf(event as WatchdogEvent);
    if (p !== undefined && !current.promises[p] && !next.promises[p]) out.add(p);
  }
  return [...out].sort();
}

/** `cfg`'s recorded history: the events the changed thresholds raised replaced by what `cfg`'s would have raised. */
export function rejudgeHistory(
  cfg: WatchThresholds,
  changes: ThresholdChanges,
  recorded: readonly RecordedEvent[],
  runs: RecordedRuns,
  window: { from: number; to: number },
): RejudgedHistory {
  const labels = new Map<string, ThresholdLabel>();
  // Past a cut read, a missing reload would read as a late app: nothing is judged there.
  window = { from: window.from, to: Math.min(window.to, runs.truncatedAt ?? window.to) };
  let out = recorded.filter((r) => !rejudgedHere(r.event, changes));
  const own = changes.ownPromises;
  if (own !== undefined && cfg.ownPromises === own) for (const [id, l] of ownPromiseLabels(recorded, own)) labels.set(id, { type: "freshness", ...l });
  else if (own !== undefined) out = out.filter((r) => !isOwnPromiseEvent(r.event, own));
  const promises = [...changes.promises].flatMap((name) => (cfg.promises[name] ? [compilePromise(name, cfg.promises[name]!)] : []));
  const fresh = rejudgeFreshness(promises, runs.reloads, runs.apps, { ...window, host: runs.host, ...(runs.chains ? { chains: runs.chains } : {}) });
  out.push(...fresh.events);
  for (const [id, l] of fresh.labels) labels.set(id, { type: "freshness", ...l });
  if (changes.backlog) {
    const backlog = rejudgeBacklog(runs.waits, cfg.backlog, { ...window, engineTimeoutMin: engineTimeouts(recorded) });
    out.push(...backlog.events);
    for (const [id, l] of backlog.labels) labels.set(id, { type: "backlog", ...l });
  }
  return { recorded: out.sort((a, b) => a.at - b.at), labels };
}
