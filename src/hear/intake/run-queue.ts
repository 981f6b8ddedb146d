// The queue between the socket and the workers: a bounded work queue whose items are task runs, with the rule for
// a full queue (failures and aborts are kept over successes and distribution notices), each sender served in turn.
import type { Logger } from "pino";
import type { RunReport } from "../events/enrich-task-event";
import { createWorkQueue, type WorkQueue } from "./work-queue";

/** The rank of failures and aborts: a queue full of these takes nothing more. */
export const TOP_PRIORITY = 1;

/**
 * The shedding rule of a full queue: failures and aborts are kept over successes and distribution notices (an
 * alert is what a failure is for; a lost success only leaves a gap in the charts, and reconciliation with QRS
 * recovers either once the burst is over).
 */
export function priorityOf(outcome: string): number {
  return outcome === "failed" || outcome === "aborted" ? TOP_PRIORITY : 0;
}

export interface QueueItem {
  report: RunReport;
  /** The run's dedupe key (`ExecutionId:outcome`, or the distribute key). */
  key: string;
  /** The datagram's source address. */
  source: string;
  /**
   * The run's claim in the store, started when the queue took the run (so the claims of a burst share one
   * commit while the runs wait their turn); an Error when the store could not be written.
   */
  claim?: Promise<boolean | Error>;
}

export interface RunQueueConfig {
  queueSize: number;
  concurrency: number;
  backpressureWarnRatio: number;
}

export function createRunQueue(
  cfg: RunQueueConfig,
  deps: { log: Logger; now: () => number; worker: (item: QueueItem) => Promise<void> },
): WorkQueue<QueueItem> {
  return createWorkQueue<QueueItem>({
    name: "task-events",
    size: cfg.queueSize,
    concurrency: cfg.concurrency,
    warnRatio: cfg.backpressureWarnRatio,
    log: deps.log,
    now: deps.now,
    priority: (item) => priorityOf(item.report.outcome),
    // Each sender in turn: a flood from one address (forged, or a node's backlog) never holds back another's failure.
    fairBy: (item) => item.source,
    worker: deps.worker,
  });
}
