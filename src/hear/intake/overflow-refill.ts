// Moving runs from the overflow (overflow.ts) into the queue: once the queue is at most half full, the waiting runs
// (each source in turn, oldest first) fill it up again, each admitted as a datagram's run is (reserved in memory, a
// repeat of one in flight counted as a duplicate, claimed when queued, its QRS reads begun). One refill at a time; it is asked for whenever a worker
// finishes a run or a run is stored there, and at start for the runs a previous process left. New runs go to the
// overflow while any wait there (datagram-handler.ts), so the queue keeps the room a refill counted on.
import type { Logger } from "pino";
import { describeError } from "../../platform/core/errors";
import type { RunReport } from "../events/enrich-task-event";
import type { IntakeCounters } from "./intake-metrics";
import type { IntakeOverflow } from "./overflow";
import type { RunClaims } from "./run-claims";
import type { RunProcessor } from "./run-processor";
import type { QueueItem } from "./run-queue";
import type { WorkQueue } from "./work-queue";

export interface OverflowRefillDeps {
  overflow: Pick<IntakeOverflow, "depth" | "take" | "add">;
  queue: Pick<WorkQueue<QueueItem>, "depth" | "offer">;
  queueSize: number;
  processor: Pick<RunProcessor, "reserve" | "release">;
  claims: Pick<RunClaims, "claimOf" | "abandonInBackground">;
  counters: Pick<IntakeCounters, "dropped">;
  duplicate: (item: QueueItem, why: string) => void;
  queued?: (report: RunReport) => void;
  now: () => number;
  stopping: () => boolean;
  log: Logger;
}

/** Returns the trigger: call it whenever the queue may have room. */
export function createOverflowRefill(d: OverflowRefillDeps): () => void {
  const lowWater = Math.ceil(d.queueSize / 2);
  let running = false;

  function admit(item: QueueItem): void {
    const outcome = item.report.outcome;
    if (!d.processor.reserve(item.key, item.report.executionId)) {
      d.duplicate(item, "in flight when taken from the overflow");
      return;
    }
    // Heard now as far as this process's QRS reads go (the time it was heard may be another process's clock).
    item.report = { ...item.report, heardAtMs: d.now() };
    const offer = d.queue.offer(item);
    if (!offer.accepted) {
      d.processor.release(item.key);
      // Stopping: the run waits in the store for the next start, as it did before it was taken.
      d.overflow.add(item, (kept) => {
        if (!kept) d.counters.dropped.inc({ reason: d.stopping() ? "stopping" : "queue_full", outcome });
      });
      return;
    }
    void d.claims.claimOf(item);
    d.queued?.(item.report);
    if (offer.shed) {
      d.claims.abandonInBackground(offer.shed);
      d.counters.dropped.inc({ reason: "shed", outcome: offer.shed.report.outcome });
    }
  }

  async function refill(): Promise<void> {
    running = true;
    try {
      while (!d.stopping() && d.overflow.depth() > 0) {
        const room = d.queueSize - d.queue.depth();
        if (room < lowWater) break;
        const items = await d.overflow.take(room);
        if (items.length === 0) break;
        for (const item of items) admit(item);
      }
    } catch (err) {
      // The rows stay where they are: the next finished run asks again.
      d.log.error({ err: describeError(err) }, "could not take task runs from the intake's overflow");
    } finally {
      running = false;
    }
  }

  return () => {
    if (!running && d.overflow.depth() > 0) void refill();
  };
}
