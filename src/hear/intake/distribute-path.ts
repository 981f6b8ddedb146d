// The path of a distribution notice (`/scheduler-distribute/`, which carries no outcome): the worker hands the run
// to the distribute poller, whose pending row is its claim; a refused one (too many pending) is counted and
// logged, and left to reconciliation.
import type { DistributePoller } from "./distribute-poller";
import type { IntakeCounters } from "./intake-metrics";
import type { ThrottledWarn } from "./log-throttle";
import type { RunProcessor } from "./run-processor";
import type { QueueItem } from "./run-queue";

export interface DistributePathDeps {
  poller: Pick<DistributePoller, "add">;
  processor: Pick<RunProcessor, "release">;
  counters: Pick<IntakeCounters, "distributeRefused">;
  warnOnce: ThrottledWarn;
  /** The limits named in the refusal's log line. */
  limits: { maxPending: number; maxPendingPerSource: number };
  duplicate(item: QueueItem, why: string): void;
}

/** The worker's path for a distribution notice. */
export function createDistributePath(deps: DistributePathDeps): (item: QueueItem) => Promise<void> {
  return async (item) => {
    const { report, key, source } = item;
    // The pending row is the claim: a second datagram (or another Steward) finds it there.
    const added = await deps.poller.add(report, source).finally(() => deps.processor.release(key));
    if (added === "duplicate") return deps.duplicate(item, "distribute run already waits for its poll");
    if (added === "added") return;
    // Reconciliation still finds a real run in QRS once it has ended.
    deps.counters.distributeRefused.inc({ reason: added });
    deps.warnOnce(
      `distribute|${added}|${added === "full" ? "" : source}`,
      { source, executionId: report.executionId, reason: added, ...deps.limits },
      "distribution announcement not polled: too many pending; reconciliation will pick a real run up from QRS",
    );
  };
}
