// The final execution result of the run a report names: the task's last execution when it is this run, else read
// from QRS, re-read while QRS has not recorded the run's end (finalStatusAttempts × finalStatusDelayMs).
import type { IntakeConfig } from "../intake/config";
import type { Clock } from "../../platform/core/clock";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { FINAL_EXECUTION_STATUSES, executionStatusName, type QrsExecutionResult, type QrsTask } from "../../platform/qlik/qrs-schemas";
import type { EnrichReaders } from "./enrich-readers";
import type { Lookups } from "./qrs-lookups";
import type { RunReport } from "./run-report";
import { findUnnamedRun } from "./unnamed-run";
import type { TaskEvent } from "../../platform/events/types";

type Missing = TaskEvent["missing"];

export interface FinalExecutionDeps {
  clock: Clock;
  sleep(ms: number): Promise<void>;
  /** How many runs whose execution QRS has not shown may be re-read at once (EnricherDeps.maxWaitingForExecution). */
  maxWaitingForExecution?: number;
}

export function createFinalExecutionFinder(cfg: IntakeConfig["enrichment"], deps: FinalExecutionDeps) {
  const sleep = deps.sleep;
  /** Runs whose execution QRS has not shown yet, being re-read right now (see EnricherDeps.maxWaitingForExecution). */
  let waitingForExecution = 0;

  return async function executionFor(
    qrs: QrsClient,
    read: EnrichReaders,
    r: RunReport,
    task: QrsTask | undefined,
    missing: Missing,
    look: Lookups,
  ): Promise<QrsExecutionResult | undefined> {
    if (r.executionIdAsSent !== undefined)
      return findUnnamedRun(qrs, r, task, missing, look, {
        attempts: cfg.finalStatusAttempts,
        delayMs: cfg.finalStatusDelayMs,
        sleep,
        now: () => deps.clock.now(),
      });
    let result = r.execution;
    let lastTry: Missing = [];
    let waiting = false;
    const stopWaiting = () => {
      if (waiting) waitingForExecution--;
      waiting = false;
    };
    try {
      for (let attempt = 1; attempt <= cfg.finalStatusAttempts; attempt++) {
        if (result && FINAL_EXECUTION_STATUSES.has(result.status)) return result;
        if (result) stopWaiting();
        else if (attempt > 1 && !waiting) {
          // Forged datagrams name runs QRS never shows: only so many may wait for one, so that the others
          // cannot hold every worker while real runs queue behind them.
          if (waitingForExecution >= (deps.maxWaitingForExecution ?? Number.POSITIVE_INFINITY)) break;
          waitingForExecution++;
          waiting = true;
        }
        if (attempt > 1) await sleep(cfg.finalStatusDelayMs);
        const last = attempt === 1 ? task?.operational?.lastExecutionResult : undefined;
        if (last && (last.executionID ?? "").toLowerCase() === r.executionId) {
          result = last;
          continue;
        }
        lastTry = [];
        const rows = await look.run(
          "execution",
          (o) => read.execution.read(r.executionId, { ...o, notBefore: attempt === 1 ? r.heardAtMs : undefined }),
          undefined,
          lastTry,
        );
        const newest = rows?.sort((a, b) => (b.stopTime ?? "").localeCompare(a.stopTime ?? ""))[0];
        if (newest) result = newest;
        if (look.down) break;
      }
    } finally {
      stopWaiting();
    }
    if (result && !FINAL_EXECUTION_STATUSES.has(result.status)) {
      missing.push({ item: "execution", reason: `QRS had not recorded the end of the run yet (status ${executionStatusName(result.status)})` });
    } else if (!result) {
      missing.push(...(lastTry.length ? lastTry : [{ item: "execution", reason: `QRS has no execution result for execution ${r.executionId}` }]));
    }
    return result;
  };
}
