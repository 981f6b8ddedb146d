// What a reload heard from the Engine is: the Scheduler's (its own datagrams report it; never alerted here), or one
// started outside it, and then whether its failure is alerted (engineReloads.alertFor, alwaysUsers, ignoreUsers).
import { compileGlob } from "../../platform/core/glob";
import { and, compare, eq } from "../../platform/qlik/qrs-filter";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { EngineReloadsConfig } from "./config";
import type { FinishedReload } from "./reload-tracker";

/** A Scheduler run is this far around the Engine's reload of the same app (node clocks differ a little). */
const SLACK_MS = 60_000;
/** Scheduler runs that began this long before the reload ended are looked at (a reload task of a day at most). */
const LOOK_BACK_MS = 86_400_000;
/** QRS states that mean the run is under way: Triggered, Started, Queued, AbortInitiated, Aborting, Retry. */
const UNDER_WAY = new Set([1, 2, 3, 4, 5, 10]);
const NEVER = "1753";

export interface AlertDecision {
  alert: boolean;
  reason: string;
}

export function createReloadJudge(cfg: EngineReloadsConfig, deps: { qrs?: QrsClient; timeoutMs: number }) {
  const globs = (xs: readonly string[]) => xs.map(compileGlob);
  const scheduler = globs(cfg.schedulerUsers);
  const service = globs(cfg.serviceAccounts);
  const always = globs(cfg.alwaysUsers);
  const ignore = globs(cfg.ignoreUsers);
  const any = (gs: ReturnType<typeof globs>, user: string) => gs.some((g) => g.test(user));

  /**
   * Why the reload is the Scheduler's, or undefined. Its account decides at once. Otherwise a line that came through
   * the Qlik Proxy is a person's in the hub; one that did not may be a Scheduler running as another account: QRS is
   * asked for a run of a reload task of the same app under way around that time.
   */
  async function bySchedulerOf(run: FinishedReload): Promise<string | undefined> {
    if (run.user && any(scheduler, run.user)) return `run as the Scheduler's account ${run.user} (engineReloads.schedulerUsers)`;
    const viaProxy = run.proxySessionId !== "" && run.proxySessionId !== "0";
    if (viaProxy || !deps.qrs) return undefined;
    const begin = run.startMs ?? run.endMs;
    const results = await deps.qrs.getExecutionResults(
      and(
        eq("appID", run.appId),
        compare("startTime", "le", new Date(begin + SLACK_MS).toISOString()),
        compare("startTime", "ge", new Date(run.endMs - LOOK_BACK_MS).toISOString()),
      ),
      { timeoutMs: deps.timeoutMs, retries: 1 },
    );
    const covering = results.find((r) => {
      const stop = r.stopTime && !r.stopTime.startsWith(NEVER) ? Date.parse(r.stopTime) : undefined;
      return UNDER_WAY.has(r.status) || (stop !== undefined && stop >= run.endMs - SLACK_MS);
    });
    return covering ? `a reload task of the app was running on the Scheduler then (execution ${covering.executionID ?? covering.id})` : undefined;
  }

  /**
   * The Scheduler's run of a reload task of the app that ended within SLACK_MS of `atMs` (QRS's lastReloadTime of the
   * app), or undefined: that time is then the Scheduler's reload's, and confirms no line outside it (issue 103: a
   * forged success sent just after a real Scheduler reload ended the app's Engine cause).
   */
  async function schedulerRunAt(appId: string, atMs: number): Promise<string | undefined> {
    if (!deps.qrs) return undefined;
    const results = await deps.qrs.getExecutionResults(
      and(
        eq("appID", appId),
        compare("stopTime", "ge", new Date(atMs - SLACK_MS).toISOString()),
        compare("stopTime", "le", new Date(atMs + SLACK_MS).toISOString()),
      ),
      { timeoutMs: deps.timeoutMs, retries: 1 },
    );
    const run = results.find((r) => r.stopTime && !r.stopTime.startsWith(NEVER) && Math.abs(Date.parse(r.stopTime) - atMs) <= SLACK_MS);
    return run ? (run.executionID ?? run.id) : undefined;
  }

  /** Whether a failed reload outside the Scheduler is alerted; `published` undefined: QRS could not say. */
  function alertFor(user: string, published: boolean | undefined): AlertDecision {
    const who = user || "an unnamed session";
    if (user && any(always, user)) return { alert: true, reason: `${who} is in engineReloads.alwaysUsers` };
    if (user && any(ignore, user)) return { alert: false, reason: `${who} is in engineReloads.ignoreUsers` };
    // A line without a user is the Engine's own doing, not a person's.
    const isService = !user || any(service, user);
    if (published === true && cfg.alertFor.publishedApps) return { alert: true, reason: "a published app (engineReloads.alertFor.publishedApps)" };
    if (isService && cfg.alertFor.serviceAccounts) return { alert: true, reason: `${who} is a service account (engineReloads.alertFor.serviceAccounts)` };
    if (published === undefined) return { alert: true, reason: "QRS could not say whether the app is published: alerted rather than missed" };
    if (!isService && published === false && cfg.alertFor.developers)
      return { alert: true, reason: `${who} on an unpublished app (engineReloads.alertFor.developers)` };
    if (published === true) return { alert: false, reason: "a published app, but engineReloads.alertFor.publishedApps is off" };
    return isService
      ? { alert: false, reason: `${who} is a service account, but engineReloads.alertFor.serviceAccounts is off` }
      : { alert: false, reason: `${who} on an unpublished app: a developer's reload (engineReloads.alertFor.developers is off)` };
  }

  return { bySchedulerOf, schedulerRunAt, alertFor };
}

export type ReloadJudge = ReturnType<typeof createReloadJudge>;
