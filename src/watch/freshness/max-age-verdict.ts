// The verdict of a "never older than" promise for one app (issue 102: one truth for every page): its data's age read
// through the app's Qlik chain (max-age-feed.ts), not from its last reload. A dashboard refreshed again from the
// inputs of a failed run is as old as that run's data: /status, the Freshness page, the morning report and the API
// read this verdict (the data's time, when it becomes too old, what holds it up) instead of the raw last reload.
import type { PendingRun } from "./chain-eta";
import { heldUpBy } from "./chain-feed";
import type { AppFreshness } from "./freshness-store";
import type { JudgedPromise } from "./judge";
import { maxAgeDeadline } from "./judge-max-age";
import { maxAgeData, maxAgeFeed } from "./max-age-feed";
import type { TaskView } from "../watchdog/evaluate";
import type { FreshnessVerdict } from "./verdict";

export interface MaxAgeVerdictInput {
  promise: JudgedPromise & { maxAge: NonNullable<JudgedPromise["maxAge"]> };
  app: AppFreshness;
  /** The open condition's deadline (the moment the data became too old), when one is open. */
  openDeadlineMs?: number;
  /** Since when the promise is watched (data older than that counts from then, as the judge counts it). */
  sinceMs: number;
  nowMs: number;
  tasks?: readonly TaskView[];
  /** The data's time at the judge's last look (max-age-feed.ts). */
  keptMs?: number;
  pending?: readonly PendingRun[];
  /** A reload that started this long before the chain's data arrived still read it. */
  slackMs: number;
  at(ms: number): string;
}

export function maxAgeVerdict(i: MaxAgeVerdictInput): FreshnessVerdict | undefined {
  const { promise: p, app } = i;
  const aged = maxAgeData(app, i.tasks ? maxAgeFeed(app.appId, i.tasks) : undefined, i.slackMs, i.keptMs);
  const deadlineMs = i.openDeadlineMs ?? maxAgeDeadline(p.maxAge, aged.app, i.sinceMs);
  if (deadlineMs === undefined) return undefined;
  const asOf = aged.app.lastSuccessMs;
  // Fresh: the last reload read the chain's newest data, and that data is not too old yet.
  const fresh = i.openDeadlineMs === undefined && aged.through && asOf !== undefined && i.nowMs < deadlineMs;
  const held = fresh ? undefined : heldUpBy(aged.feed, deadlineMs, i.pending);
  return {
    promise: p.name,
    appId: app.appId,
    deadlineMs,
    fresh,
    ...(held ? { heldBy: `the run of "${held.task}" in its chain failed at ${i.at(held.atMs)}` } : {}),
    ...(fresh && app.lastSuccessMs !== undefined
      ? { broughtBy: { reloadMs: app.lastSuccessMs, after: aged.feed?.arrivedMs !== undefined ? "chain" : "cycle" } }
      : {}),
    ...(asOf !== undefined && asOf !== app.lastSuccessMs ? { dataAsOfMs: asOf } : {}),
    ...(asOf !== undefined ? { dataMs: asOf } : {}),
    maxAge: true,
  };
}
