// The intake's stop: its workers drained within the stop budget, their seen marks committed and the runs still queued
// handed back to reconciliation, before the store closes.
import type { Logger } from "pino";
import { type Timer, wallClock } from "../../platform/core/clock";
import type { IntakeCounters } from "./intake-metrics";
import type { RunClaims } from "./run-claims";
import type { RunProcessor } from "./run-processor";
import type { createRunQueue } from "./run-queue";

/**
 * Stops the intake's workers within `budgetMs` (on wall time: the store is about to close): the queue stops, the
 * seen marks waiting for their commit go first, then the runs left in the queue give their claims up.
 */
export async function drainWorkers(
  budgetMs: number,
  parts: {
    queue: ReturnType<typeof createRunQueue>;
    claims: RunClaims;
    processor: RunProcessor;
    counters: IntakeCounters;
    log: Logger;
    settled: () => Promise<void>;
  },
): Promise<void> {
  const { queue, claims, processor, counters, log, settled } = parts;
  const started = Date.now();
  const left = await queue.stop(Math.max(100, budgetMs - 200));
  // The seen marks still waiting for their commit: they go before the store closes.
  let timer: Timer | undefined;
  await Promise.race([settled(), new Promise<void>((r) => (timer = wallClock.setTimeout(r, Math.max(100, budgetMs - 200 - (Date.now() - started)))))]);
  wallClock.clearTimeout(timer);
  // Past this point the notifier stops too: whatever is still being enriched must not be emitted.
  processor.close();
  // Their claims are given up (the store is still open), so reconciliation picks the runs up at once.
  await Promise.race([Promise.allSettled(left.map(claims.abandon)), new Promise<void>((r) => (timer = wallClock.setTimeout(r, 200)))]);
  wallClock.clearTimeout(timer);
  if (left.length > 0) {
    counters.dropped.inc({ reason: "stopping" }, left.length);
    log.warn({ dropped: left.length }, "stopped with task datagrams still queued; reconciliation recovers them at the next start");
  }
}
