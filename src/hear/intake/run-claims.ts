// The claim-and-mark path of a queued run (not a distribution notice): the run is claimed in the store when the
// queue takes it, so the claims of a burst share a commit; a worker processes it once the claim is ours and moves
// on while its seen mark commits with the next batch. A claim the store could not take is tried again for a
// while; a run that will not be processed (shed, or left at stop) gives its claim up.
import type { Logger } from "pino";
import { type Clock, systemClock, type Timer } from "../../platform/core/clock";
import { createFullDiskLines } from "../../platform/store/full-disk-lines";
import { isStoreUnavailable } from "../../platform/store/sql";
import type { RunProcessor } from "./run-processor";
import type { QueueItem } from "./run-queue";

/** A claim refused by a store outage is tried again this often, this many times, for at most this many runs. */
export const CLAIM_RETRY_MS = 2_000;
const CLAIM_RETRIES = 60;
const MAX_CLAIM_RETRIES = 1_000;

export interface RunClaimsDeps {
  processor: Pick<RunProcessor, "claimStored" | "giveUp" | "release" | "process">;
  log: Logger;
  /** The waits before a claim is tried again run on it (the system clock when left out). */
  clock?: Clock;
  /** Puts a run whose claim is tried again back into the queue; false when the queue refused it. */
  requeue(item: QueueItem): boolean;
  /** True once the intake is stopping: no more retries. */
  stopping(): boolean;
  /** A run that turned out to be handled already (another Steward's claim, or a repeat). */
  duplicate(item: QueueItem, why: string): void;
  retryMs?: number;
}

export interface RunClaims {
  /** The run's store claim, started now unless it was already: true when it is ours, an Error when the store failed. */
  claimOf(item: QueueItem): Promise<boolean | Error>;
  /** The worker's path for a run: its claim, then processing, the seen mark committed in the background. */
  work(item: QueueItem): Promise<void>;
  /** Gives the claim of a run that will not be processed up (its reservation holds until then). */
  abandon(item: QueueItem): Promise<void>;
  /** The same without waiting; settled() waits for it. */
  abandonInBackground(item: QueueItem): void;
  /** Resolves when the give-ups started so far are committed. */
  settled(): Promise<void>;
  /** Runs waiting to retry their claim. */
  retrying(): number;
  /** Drops the retries (their runs are left to reconciliation) and releases their reservations. */
  stop(): void;
}

export function createRunClaims(deps: RunClaimsDeps): RunClaims {
  const { processor, log } = deps;
  const retryMs = deps.retryMs ?? CLAIM_RETRY_MS;
  const clock = deps.clock ?? systemClock;
  const fullDisk = createFullDiskLines(() => clock.now());

  function claimOf(item: QueueItem): Promise<boolean | Error> {
    item.claim ??= processor
      .claimStored(item.key, item.report.executionId, item.report.source)
      .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    return item.claim;
  }

  /**
   * A run whose claim failed because the store was unreachable (PostgreSQL restarting, this Steward cut off from
   * it) is tried again every couple of seconds for up to two minutes, instead of waiting for the next
   * reconciliation pass: the Steward leading reconciliation may not have seen any outage (a partition of this
   * node only). Its reservation holds meanwhile, so a repeat datagram stays a duplicate. Bounded in number.
   */
  const retries = new Map<string, { item: QueueItem; tries: number }>();
  let retryTimer: Timer | undefined;
  function retryLater(item: QueueItem): boolean {
    const entry = retries.get(item.key) ?? { item, tries: 0 };
    if (deps.stopping() || entry.tries >= CLAIM_RETRIES || (!retries.has(item.key) && retries.size >= MAX_CLAIM_RETRIES)) {
      retries.delete(item.key);
      return false;
    }
    entry.tries++;
    retries.set(item.key, entry);
    retryTimer ??= clock.setTimeout(retryDue, retryMs);
    retryTimer.unref?.();
    return true;
  }
  function retryDue(): void {
    retryTimer = undefined;
    for (const { item } of [...retries.values()]) {
      item.claim = undefined;
      // Back into the queue (its place by priority); if refused, reconciliation is left to find it.
      if (deps.requeue(item)) {
        void claimOf(item);
        retries.delete(item.key);
      }
    }
    if (retries.size > 0) retryTimer = clock.setTimeout(retryDue, retryMs);
  }

  /** Shed runs whose claims are being given up: a repeat is a duplicate until their give-up is committed. */
  const abandoning = new Set<Promise<void>>();

  /**
   * A queued run that will not be processed (shed, or left at stop): its store claim is given up, so a repeat or
   * reconciliation can pick the run up; its reservation here holds until then, so a repeat in between is a
   * duplicate rather than a run that finds its own stale claim.
   */
  function abandon(item: QueueItem): Promise<void> {
    if (!item.claim) {
      processor.release(item.key);
      return Promise.resolve();
    }
    return item.claim.then((ours) => (ours === true ? processor.giveUp(item.key) : undefined)).finally(() => processor.release(item.key));
  }

  return {
    claimOf,
    async work(item) {
      const ours = await claimOf(item);
      if (ours instanceof Error) {
        if (isStoreUnavailable(ours) && retryLater(item)) return;
        fullDisk("claim", ours, (said) =>
          log.error(
            { executionId: item.report.executionId, err: ours.message, ...said },
            "cannot claim a task run in the store; reconciliation will pick it up",
          ),
        );
        return;
      }
      if (!ours) return deps.duplicate(item, "run already handled or claimed by another Steward");
      // The worker takes the next run once the event is on the bus; the mark commits with the next batch.
      // The source address goes with the run: QRS's unconfirmed runs are paged per address (unconfirmed-sources.ts).
      await processor.process({ ...item.report, sentFrom: item.source }, item.key, { markInBackground: true, announceAhead: true });
    },
    abandon,
    abandonInBackground(item) {
      const done = abandon(item).finally(() => abandoning.delete(done));
      abandoning.add(done);
    },
    async settled() {
      while (abandoning.size > 0) await Promise.allSettled([...abandoning]);
    },
    retrying: () => retries.size,
    stop() {
      if (retryTimer) clock.clearTimeout(retryTimer);
      retryTimer = undefined;
      for (const { item } of retries.values()) processor.release(item.key);
      retries.clear();
    },
  };
}
