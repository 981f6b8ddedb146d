// A page budget for the runs a datagram reports and QRS could not confirm (issue 86). While QRS cannot be asked, a
// forged run cannot be told from a real one and is announced, marked unconfirmed (intake.confirm.alertUnconfirmed):
// without a budget, a sender spoofing a node's address pages as often as it sends, successes included where a route
// sends task.succeeded to a pager. Confirmed runs need none: QRS has each one once.
import type { Clock } from "../../platform/core/clock";
import { createTokenBuckets } from "../engine/reload-budget";
import type { Counter } from "../../platform/core/metrics";
import type { TaskEvent, UnconfirmedFlood } from "../../platform/events/types";
import type { RunReport } from "../events/run-report";
import type { ThrottledWarn } from "./log-throttle";
import { createUnconfirmedSources, type SummaryClaim, type UnconfirmedSources } from "./unconfirmed-sources";
import type { Logger } from "pino";
import type { IntakeStore } from "./intake-store";
import { runKey } from "../events/run-key";
import type { SqlDb } from "../../platform/store/sql";
import { createUnconfirmedStore } from "./unconfirmed-store";

/** Which runs QRS did not confirm still reach the bus (marked `unconfirmed`): see `intake.confirm`. */
export type AlertUnconfirmed = "never" | "qrsUnavailable" | "always";

export interface UnconfirmedBudgetConfig {
  perTaskPerHour: number;
  perOutcomePerHour: number;
  perSource: number;
  perSourceWindowMinutes: number;
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

/**
 * Whether a run QRS did not confirm still goes on the bus (`intake.confirm.alertUnconfirmed`, within the budgets);
 * counted and warned either way. `summary`: its page stands for its source's flood (unconfirmed-sources.ts), the text
 * to show as the reason it is unconfirmed.
 */
export async function passesUnconfirmed(
  deps: {
    alertUnconfirmed: AlertUnconfirmed;
    counters: { unconfirmed: Counter };
    warnOnce: ThrottledWarn;
    unconfirmedBudget?: UnconfirmedBudget | undefined;
    unconfirmedSources?: UnconfirmedSources | undefined;
  },
  report: RunReport,
  u: NonNullable<TaskEvent["unconfirmed"]>,
): Promise<{ pass: boolean; summary?: { title: string; text: string; flood: UnconfirmedFlood } }> {
  const allowed = deps.alertUnconfirmed === "always" || (deps.alertUnconfirmed === "qrsUnavailable" && u.qrs === "unavailable");
  const sources = deps.unconfirmedSources;
  // One budget for the site: the runs this Steward would page spend it in the store the cluster shares.
  let bySource = allowed && report.sentFrom !== undefined ? await sources?.judge(report, report.sentFrom) : undefined;
  // Once for the cluster: another Steward that receives the same flood may have paged it already.
  if (bySource?.verdict === "summary" && sources && !(await sources.summaryOnce(report.sentFrom ?? "", report.outcome)))
    bySource = { verdict: "held", why: `another Steward of the cluster already paged the unconfirmed ${report.outcome} runs from ${report.sentFrom} as one` };
  // The summary is one page per source's flood: the per-task and per-outcome budgets, which it replaces, do not hold it back.
  const spent = !allowed
    ? undefined
    : bySource?.verdict === "held"
      ? bySource.why
      : bySource?.verdict === "summary"
        ? undefined
        : deps.unconfirmedBudget?.take(report);
  const pass = allowed && spent === undefined;
  deps.counters.unconfirmed.inc({ qrs: u.qrs, action: pass ? "emitted" : spent ? "over_budget" : "dropped" });
  deps.warnOnce(
    `unconfirmed|${u.qrs}${spent ? "|budget" : ""}${bySource?.verdict === "summary" ? `|summary|${report.sentFrom}` : ""}`,
    { executionId: report.executionId, taskId: report.taskId, outcome: report.outcome, host: report.host, source: report.sentFrom, why: spent ?? u.reason },
    pass
      ? bySource?.verdict === "summary"
        ? "QRS could not confirm more runs from this address than intake.confirm.unconfirmedBudget.perSource allows; they are paged as one, and its further unconfirmed runs are counted, not paged"
        : "QRS did not confirm a run a datagram reported; it is announced marked unconfirmed and starts no task"
      : spent
        ? "QRS did not confirm a run a datagram reported, and the page budget of unconfirmed runs is spent; it is not announced (reconciliation reports a real one once QRS answers)"
        : "QRS did not confirm a run a datagram reported (forged, or QRS lost it); it is not announced",
  );
  return bySource?.verdict === "summary" && pass ? { pass, summary: { title: bySource.title, text: bySource.text, flood: bySource.flood } } : { pass };
}

/**
 * The event as it goes on the bus, or undefined when a run QRS did not confirm stays off it (passesUnconfirmed). A
 * datagram's run QRS confirmed ends its source's summary (unconfirmed-sources.ts); a run whose page stands for its
 * source's flood says so where it says why it is unconfirmed.
 */
export function judgeUnconfirmed(
  deps: Parameters<typeof passesUnconfirmed>[0],
  report: RunReport,
  event: TaskEvent,
): TaskEvent | undefined | Promise<TaskEvent | undefined> {
  if (event.unconfirmed) return judgeUnconfirmedRun(deps, report, event, event.unconfirmed);
  // Most runs: confirmed, from an address with no summary open. No promise then (issue 89: a run's path awaits less).
  const ended = report.sentFrom !== undefined && event.source === "udp" ? deps.unconfirmedSources?.confirmed(report.sentFrom) : undefined;
  return ended ? ended.then(() => event) : event;
}

async function judgeUnconfirmedRun(
  deps: Parameters<typeof passesUnconfirmed>[0],
  report: RunReport,
  event: TaskEvent,
  unconfirmed: NonNullable<TaskEvent["unconfirmed"]>,
): Promise<TaskEvent | undefined> {
  const judged = await passesUnconfirmed(deps, report, unconfirmed);
  if (!judged.pass) return undefined;
  if (judged.summary === undefined) return event;
  // The page's headline and subject name the flood, not the one forged task whose run carries it; `flood` makes it
  // the page of the address's cause (tell/grouping/unconfirmed-flood.ts), which ends by itself when the flood is over.
  const { title, text, flood } = judged.summary;
  return { ...event, task: { ...event.task, name: title }, unconfirmed: { ...unconfirmed, reason: text, flood } };
}

/** The budgets of `intake.confirm.unconfirmedBudget`: per task, per outcome, and per sending address. */
export function createUnconfirmedBounds(
  cfg: UnconfirmedBudgetConfig,
  deps: { clock: Clock; log: Logger; store: Pick<IntakeStore, "claim">; db: SqlDb; instanceId: string },
): { unconfirmedBudget: UnconfirmedBudget; unconfirmedSources: UnconfirmedSources } {
  const { clock, store } = deps;
  // The summary's claim is a run claim in the store every Steward of a cluster shares, under an id of its own (no
  // execution id has a "|"); the store's keys name a kind after the id, and "failed" serves for every outcome.
  const once: SummaryClaim = (id, leaseMs) => store.claim(runKey(id, "failed"), id, "unconfirmed-summary", clock.now(), leaseMs, deps.instanceId);
  const shared = createUnconfirmedStore(deps.db);
  return {
    unconfirmedBudget: createUnconfirmedBudget(cfg, clock),
    unconfirmedSources: createUnconfirmedSources(
      { perSource: cfg.perSource, windowMinutes: cfg.perSourceWindowMinutes },
      { now: () => clock.now(), log: deps.log, once, shared },
    ),
  };
}
