// Steward's own Engine reloads as runs to come for a promised app: a person's "Reload the app" from an incident (a
// remediation action, before and while its job runs) and a reload job of PUT /v4/app/{id}/reload, queued or running.
// They reload the app itself, not a task: the Scheduler's triggers do not follow them, so they end a chain only at the
// app. One that failed or gave up is no longer read, so it counts as nothing (src/start/control/own-reloads.ts reads them).
import type { TaskView } from "../watchdog/evaluate";
import type { AppFreshness, FreshnessStore } from "./freshness-store";

export interface OwnReload {
  /** The app it reloads; absent while only its task is known (an action whose job is not submitted yet). */
  appId?: string;
  /** The task whose app it reloads (a remediation action's): the app is the task's, as the watchdog read it from QRS. */
  taskId?: string;
  /** When it starts (an action's due time, a queued job's request) or started (a running job). */
  startMs: number;
  running: boolean;
}

/** What the projection says of the one that ends first: when, and what the alert's Pending fact names. */
export interface OwnReloadFinish {
  atMs: number;
  /** The app's usual reload time is not known: atMs is only the earliest (its start), no time to tell. */
  guess?: true;
  startMs: number;
  running: boolean;
}

/** What the projection's via and the alert's Pending fact call it. */
export const OWN_RELOAD = "Engine reload by Steward";

/** The app an own reload is about, by its job's app or its action's task. */
function appOf(r: OwnReload, tasks: readonly TaskView[]): string | undefined {
  if (r.appId) return r.appId.toLowerCase();
  const id = r.taskId?.toLowerCase();
  return tasks.find((t) => t.id.toLowerCase() === id)?.appId?.toLowerCase();
}

/**
 * How long the app's reload usually takes: its reload task's learned duration (the watchdog's, as for the chain's
 * tasks), else its last successful reload's start to end (the store knows both when Steward heard the run).
 */
export function usualReloadMs(appId: string, tasks: readonly TaskView[], last?: { lastSuccessMs?: number; lastSuccessStartMs?: number }): number | undefined {
  const own = tasks.filter((t) => t.appId?.toLowerCase() === appId.toLowerCase() && t.usual);
  if (own.length > 0) return Math.min(...own.map((t) => t.usual!.medianMs));
  if (last?.lastSuccessMs !== undefined && last.lastSuccessStartMs !== undefined && last.lastSuccessMs >= last.lastSuccessStartMs)
    return last.lastSuccessMs - last.lastSuccessStartMs;
  return undefined;
}

/** The earliest of the app's own reloads to end: a running one at its start plus the usual time, a queued one from now. */
export function ownReloadFinish(
  appId: string,
  tasks: readonly TaskView[],
  reloads: readonly OwnReload[],
  nowMs: number,
  usualMs: number | undefined,
): OwnReloadFinish | undefined {
  const app = appId.toLowerCase();
  let best: OwnReloadFinish | undefined;
  for (const r of reloads) {
    if (appOf(r, tasks) !== app) continue;
    const start = r.running ? r.startMs : Math.max(nowMs, r.startMs);
    const atMs = Math.max(nowMs, start + (usualMs ?? 0));
    const f: OwnReloadFinish = { atMs, startMs: r.startMs, running: r.running, ...(usualMs === undefined ? { guess: true as const } : {}) };
    if (!best || f.atMs < best.atMs || (f.atMs === best.atMs && best.guess && !f.guess)) best = f;
  }
  return best;
}

/** What of the app's chain this cycle (chain-feed.ts's ChainFeed; not imported: chain-feed reads chain-eta, which reads this). */
interface FeedState {
  blocked?: unknown;
  running?: boolean;
  arrivedMs?: number;
}

/**
 * The own reloads that bring the data, by the judge's rule for a reload (chain-feed.ts dataThrough): none while a task
 * upstream of the app failed or runs (it would reload the old inputs), and only one that starts after the chain's data
 * arrived (a job started before Transform ended read the old model).
 */
export function reloadsThrough(feed: FeedState | undefined, reloads: readonly OwnReload[], slackMs: number): OwnReload[] {
  if (!feed) return [...reloads];
  if (feed.blocked || feed.running) return [];
  const arrived = feed.arrivedMs;
  return reloads.filter((r) => arrived === undefined || r.startMs >= arrived - slackMs || !r.running);
}

/** A reload job of Steward's that succeeded (its Engine start and end). */
export interface OwnReloadDone {
  appId: string;
  startMs?: number;
  endMs: number;
}

/**
 * Records Steward's own successful reloads as the app's (the reload a person asked for is fresh data, as a Scheduler's
 * run is; no Engine log needed): only one later than the app's last known success, so a look writes nothing twice.
 * Apps the store does not know yet (no promise's) are left to the app list. True when one was recorded.
 */
export async function recordOwnReloads(
  store: Pick<FreshnessStore, "recordReload">,
  apps: readonly AppFreshness[],
  done: readonly OwnReloadDone[],
): Promise<boolean> {
  let any = false;
  for (const d of done) {
    const app = apps.find((a) => a.appId === d.appId.toLowerCase());
    if (!app || (app.lastSuccessMs !== undefined && app.lastSuccessMs >= d.endMs)) continue;
    await store.recordReload({
      appId: app.appId,
      appName: app.appName,
      ...(app.stream ? { stream: app.stream } : {}),
      tags: app.tags,
      ok: true,
      atMs: d.endMs,
      ...(d.startMs !== undefined ? { startMs: d.startMs } : {}),
      task: OWN_RELOAD,
    });
    any = true;
  }
  return any;
}
