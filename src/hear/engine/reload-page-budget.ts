// What a reload heard from the Engine may page (issue 75 E1, issue 86): failures and successes alike, per app and per
// node, each a token bucket. A success that follows a failure alerted here is that failure's recovery and always goes
// out; failures have their own budget, so recoveries cannot outnumber them. Spent budgets are said once a minute.
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import { createRefusalSummary } from "../intake/refusal-summary";
import type { EngineReloadsConfig } from "./config";
import { createBoundedSet, createTokenBuckets } from "./reload-budget";
import type { FinishedReload } from "./reload-tracker";

const HOUR_MS = 3_600_000;

export interface ReloadPageBudget {
  /** Takes a page for the run (its outcome's budget): a reason when spent (said in the minute's line), else undefined. */
  take(run: FinishedReload): string | undefined;
  /** A failure of the run's app was alerted: its next success is the recovery. */
  alerted(run: FinishedReload): void;
  stop(): void;
}

export function createReloadPageBudget(budget: EngineReloadsConfig["pageBudget"], clock: Clock, log: Logger): ReloadPageBudget {
  const ok = budget.successes;
  const buckets = (n: number) => createTokenBuckets(n, HOUR_MS / n, clock);
  const failPerApp = buckets(budget.perAppPerHour);
  const failPerNode = buckets(budget.perNodePerHour);
  const okPerApp = buckets(ok.perAppPerHour);
  const okPerNode = buckets(ok.perNodePerHour);
  const awaitingRecovery = createBoundedSet(10_000);
  const summaryOf = (what: string) =>
    createRefusalSummary({
      clock,
      log,
      what: "",
      line: (n, keys, list) =>
        `${n} ${what} Engine reload${n === 1 ? "" : "s"} of ${keys} app${keys === 1 ? "" : "s"} over engineReloads.pageBudget in the last minute: listed, not announced: ${list}`,
    });
  const failed = summaryOf("failed");
  const succeeded = summaryOf("successful");

  function failure(run: FinishedReload): string | undefined {
    if (!failPerApp.take(run.appId.toLowerCase()))
      return `more than ${budget.perAppPerHour} failed reloads of this app alerted in the hour (engineReloads.pageBudget.perAppPerHour): listed, not alerted`;
    if (!failPerNode.take(run.node.toLowerCase()))
      return `more than ${budget.perNodePerHour} failed reloads on ${run.node} alerted in the hour (engineReloads.pageBudget.perNodePerHour): listed, not alerted`;
    return undefined;
  }
  function success(run: FinishedReload): string | undefined {
    if (awaitingRecovery.delete(run.appId.toLowerCase())) return undefined;
    if (!okPerApp.take(run.appId.toLowerCase()))
      return `more than ${ok.perAppPerHour} successful reloads of this app announced in the hour (engineReloads.pageBudget.successes.perAppPerHour): listed, not announced`;
    if (!okPerNode.take(run.node.toLowerCase()))
      return `more than ${ok.perNodePerHour} successful reloads on ${run.node} announced in the hour (engineReloads.pageBudget.successes.perNodePerHour): listed, not announced`;
    return undefined;
  }
  return {
    take(run) {
      const spent = run.outcome === "succeeded" ? success(run) : failure(run);
      if (spent) (run.outcome === "succeeded" ? succeeded : failed).add(run.appId);
      return spent;
    },
    alerted: (run) => awaitingRecovery.add(run.appId.toLowerCase()),
    stop() {
      failed.stop();
      succeeded.stop();
    },
  };
}
