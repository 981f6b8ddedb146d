// A "never older than" promise reads its app's data age through the app's Qlik chain, as a deadline promise does
// (issue 102: a reload of unchanged inputs is not freshness). A dashboard that refreshes itself every half hour while
// the extract before it keeps failing holds the data of the extract's last success: its age counts from the last
// reload that came through (as the judge last saw it), no later than the failed run, and a lapse ends only with a
// reload after the chain's data arrived again.
import type { TaskView } from "../watchdog/evaluate";
import { type ChainFeed, chainFeed } from "./chain-feed";
import type { AppFreshness } from "./freshness-store";

export interface MaxAgeData {
  /** The app as its data's age sees it: its last successful reload no later than a failed run upstream of it. */
  app: AppFreshness;
  /** The last reload read the chain's newest data: nothing upstream failed since, and it started after the data arrived. */
  through: boolean;
  feed?: ChainFeed;
}

/**
 * The chain's state for a "never older than" promise: every upstream task's last run, whenever it was (the promise has
 * no cycle). A failed task started again still holds the data until it succeeds: the reload meanwhile reads the old.
 */
export function maxAgeFeed(appId: string, tasks: readonly TaskView[]): ChainFeed | undefined {
  const settled = tasks.map((t) => (t.runningSinceMs === undefined ? t : { ...t, runningSinceMs: undefined }));
  return chainFeed(appId, settled, Number.NEGATIVE_INFINITY);
}

/**
 * `slackMs`: a reload that started this long before the data arrived still read it (a job starting its own reload).
 * `keptMs`: the data's time at the judge's last look (stored with its verdict). A reload that did not read the chain's
 * newest data brings nothing newer than that: without it, the next night's failure (the chain's last run is all
 * Steward keeps) would make yesterday's refresh of the old QVDs count as new data, and a chain failing every night
 * would never be too old.
 */
export function maxAgeData(app: AppFreshness, feed: ChainFeed | undefined, slackMs: number, keptMs?: number): MaxAgeData {
  if (!feed || app.lastSuccessMs === undefined) return { app, through: true, ...(feed ? { feed } : {}) };
  const start = app.lastSuccessStartMs ?? app.lastSuccessMs;
  const b = feed.blocked;
  const through = !b && (feed.arrivedMs === undefined || start >= feed.arrivedMs - slackMs);
  // Reloaded after the run upstream failed: it brought nothing newer than what was there when that run failed.
  const heldAt = b && start >= b.atMs - slackMs ? Math.min(app.lastSuccessMs, b.atMs) : undefined;
  const held = through ? undefined : Math.min(heldAt ?? app.lastSuccessMs, keptMs ?? Number.POSITIVE_INFINITY);
  return { app: held === undefined || held === app.lastSuccessMs ? app : { ...app, lastSuccessMs: held }, through, feed };
}
