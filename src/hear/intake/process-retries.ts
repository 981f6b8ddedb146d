// Runs whose announcement failed because the store was unreachable (the outbox could not take the alert), announced
// again by the Steward that still holds their claims as soon as the store answers: within seconds of its return,
// not when the claim runs out, and nobody else may take the run meanwhile.
import type { Logger } from "pino";
import type { Clock, Timer } from "../../platform/core/clock";

/** How often a held run is tried again while the store is down. */
export const PROCESS_RETRY_MS = 1_000;
/** Runs held at most; past it a run is given up at once (its claim released, or left to run out). */
export const MAX_HELD_RUNS = 5_000;

export interface ProcessRetriesDeps<R> {
  clock: Clock;
  log: Logger;
  /** Announces the run again: true when that is over (done, or failed for another reason), false while the store is still down. */
  attempt(run: R): Promise<boolean>;
  /** Gives a run up that waited past `maxAgeMs`, or at stop: its claim is released (or runs out) for reconciliation. */
  abandon(run: R): void;
  /** Oldest a held run may get before it is given up (under the claim's lease, so no one else takes it meanwhile). */
  maxAgeMs: number;
  retryMs?: number;
  maxRuns?: number;
}

export interface ProcessRetries<R> {
  /** Holds the run (a run already held stays as it is); false when too many are held: the caller gives it up. */
  hold(key: string, run: R): boolean;
  size(): number;
  /** No more tries; every held run is given up. */
  stop(): void;
  /** Takes runs again after stop(). */
  start(): void;
}

export function createProcessRetries<R>(deps: ProcessRetriesDeps<R>): ProcessRetries<R> {
  const retryMs = deps.retryMs ?? PROCESS_RETRY_MS;
  const maxRuns = deps.maxRuns ?? MAX_HELD_RUNS;
  const held = new Map<string, { run: R; since: number }>();
  let timer: Timer | undefined;
  let round: Promise<void> | undefined;
  let stopped = false;

  const arm = () => {
    if (stopped || timer || round || held.size === 0) return;
    timer = deps.clock.setTimeout(() => {
      timer = undefined;
      round = tryAgain().finally(() => {
        round = undefined;
        arm();
      });
      return round;
    }, retryMs);
    timer.unref?.();
  };

  /**
   * Oldest first. The first run that finds the store still down ends the round: the others would only wait on the
   * same outage (each try costs a connection attempt), so one probe per interval is enough.
   */
  async function tryAgain(): Promise<void> {
    for (const [key, entry] of [...held]) {
      if (stopped) return;
      if (deps.clock.now() - entry.since > deps.maxAgeMs) {
        held.delete(key);
        deps.log.error({ key, waitedMs: deps.clock.now() - entry.since }, "the store stayed unreachable; a task run is left to reconciliation");
        deps.abandon(entry.run);
        continue;
      }
      let over: boolean;
      try {
        over = await deps.attempt(entry.run);
      } catch (err) {
        // attempt never throws by contract; a bug here must not keep the run forever.
        deps.log.error({ key, err: String(err) }, "announcing a held task run failed");
        over = true;
      }
      if (!over) return;
      held.delete(key);
    }
  }

  return {
    hold(key, run) {
      if (held.has(key)) return true;
      if (stopped || held.size >= maxRuns) return false;
      held.set(key, { run, since: deps.clock.now() });
      arm();
      return true;
    },
    size: () => held.size,
    stop() {
      stopped = true;
      if (timer) deps.clock.clearTimeout(timer);
      timer = undefined;
      const left = [...held.values()];
      held.clear();
      for (const { run } of left) deps.abandon(run);
    },
    start() {
      stopped = false;
    },
  };
}
