// A page budget for the runs a datagram reports and QRS could not confirm (issue 86). While QRS cannot be asked, a
// forged run cannot be told from a real one and is announced, marked unconfirmed (intake.confirm.alertUnconfirmed):
// without a budget, a sender spoofing a node's address pages as often as it sends, successes included where a route
// sends task.succeeded to a pager. Confirmed runs need none: QRS has each one once.
import type { Clock } from "../../platform/core/clock";
import { createTokenBuckets } from "../engine/reload-budget";
import type { Counter } from "../../platform/core/metrics";
import type { TaskEvent } from "../../platform/events/types";
import type { RunReport } from "../events/run-report";
import type { ThrottledWarn } from "./log-throttle";

/** Which runs QRS did not confirm still reach the bus (marked `unconfirmed`): see `intake.confirm`. */
export type AlertUnconfirmed = "never" | "qrsUnavailable" | "always";

export interface UnconfirmedBudgetConfig {
  perTaskPerHour: number;
  perOutcomePerHour: number;
}

export interface UnconfirmedBudget {
  /** Takes a page from the budget of the run's task and outcome: a reason when spent, else undefined. */
  take(report: RunReport): string | undefined;
}

const HOUR_MS = 3_600_000;

export function createUnconfirmedBudget(cfg: UnconfirmedBudgetConfig, clock: Clock): UnconfirmedBudget {
  const perTask = createTokenBuckets(cfg.perTaskPerHour, HOUR_MS / cfg.perTaskPerHour, clock);
  // Per outcome, so a flood of forged successes cannot spend the budget a real failure needs.
  const perOutcome = createTokenBuckets(cfg.perOutcomePerHour, HOUR_MS / cfg.perOutcomePerHour, clock);
  return {
    take(report) {
      if (!perTask.take(`${report.taskId.toLowerCase()}|${report.outcome}`))
        return `more than ${cfg.perTaskPerHour} unconfirmed ${report.outcome} runs of this task announced in the hour (intake.confirm.unconfirmedBudget.perTaskPerHour)`;
      if (!perOutcome.take(report.outcome))
        return `more than ${cfg.perOutcomePerHour} unconfirmed ${report.outcome} runs announced in the hour (intake.confirm.unconfirmedBudget.perOutcomePerHour)`;
      return undefined;
    },
  };
}

/** Whether a run QRS did not confirm still goes on the bus (`intake.confirm.alertUnconfirmed`); counted and warned either way. */
export function passesUnconfirmed(
  deps: {
    alertUnconfirmed: AlertUnconfirmed;
    counters: { unconfirmed: Counter };
    warnOnce: ThrottledWarn;
    unconfirmedBudget?: UnconfirmedBudget | undefined;
  },
  report: RunReport,
  u: NonNullable<TaskEvent["unconfirmed"]>,
): boolean {
  const allowed = deps.alertUnconfirmed === "always" || (deps.alertUnconfirmed === "qrsUnavailable" && u.qrs === "unavailable");
  const spent = allowed ? deps.unconfirmedBudget?.take(report) : undefined;
  const pass = allowed && spent === undefined;
  deps.counters.unconfirmed.inc({ qrs: u.qrs, action: pass ? "emitted" : spent ? "over_budget" : "dropped" });
  deps.warnOnce(
    `unconfirmed|${u.qrs}${spent ? "|budget" : ""}`,
    { executionId: report.executionId, taskId: report.taskId, outcome: report.outcome, host: report.host, why: spent ?? u.reason },
    pass
      ? "QRS did not confirm a run a datagram reported; it is announced marked unconfirmed and starts no task"
      : spent
        ? "QRS did not confirm a run a datagram reported, and the page budget of unconfirmed runs is spent; it is not announced (reconciliation reports a real one once QRS answers)"
        : "QRS did not confirm a run a datagram reported (forged, or QRS lost it); it is not announced",
  );
  return pass;
}
