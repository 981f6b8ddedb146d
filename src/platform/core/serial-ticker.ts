// Work that runs every so often on a Clock and on demand, one run at a time: a run asked for during another
// starts after it (the change that asked for it may have come too late for the run in progress). Used by the
// periodic passes that a person's action can also call for (a silence ended, a maintenance window changed).
import type { Clock, Timer } from "./clock";

export interface SerialTicker<T> {
  /** Runs the work now, after the run in progress if any; resolves (or rejects) with this run's result. */
  run(): Promise<T>;
  /** Allows the timer to be armed again (after stop(), or before the first arm()). */
  resume(): void;
  /** Arms the timer for a run `delayMs` (default `everyMs`) from now, replacing one armed; a no-op once stopped. */
  arm(delayMs?: number): void;
  /** The delay the waiting timer was armed with; undefined while a timed run is in progress or when stopped. */
  armedFor(): number | undefined;
  /** Clears the timer and waits for the run in progress. */
  stop(): Promise<void>;
}

/**
 * `onError`: a timed run failed (the next one is armed all the same). `nextDelayMs`: after a timed run that
 * succeeded, how long until the next (default `everyMs`), for work that may look less often when it has nothing to do.
 */
export function createSerialTicker<T>(
  clock: Clock,
  everyMs: number,
  work: () => Promise<T>,
  onError: (err: unknown) => void,
  nextDelayMs?: () => Promise<number>,
): SerialTicker<T> {
  let timer: Timer | undefined;
  let armedMs: number | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let stopped = true;

  function run(): Promise<T> {
    const next = chain.then(() => work());
    chain = next.catch(() => undefined);
    return next;
  }

  function arm(delayMs = everyMs): void {
    if (stopped) return;
    if (timer) clock.clearTimeout(timer);
    armedMs = delayMs;
    timer = clock.setTimeout(async () => {
      timer = undefined;
      armedMs = undefined;
      let next = everyMs;
      try {
        await run();
        if (nextDelayMs) next = await nextDelayMs();
      } catch (err) {
        onError(err);
      }
      arm(next);
    }, delayMs);
    timer.unref?.();
  }

  return {
    run,
    resume() {
      stopped = false;
    },
    arm,
    armedFor: () => armedMs,
    async stop() {
      stopped = true;
      armedMs = undefined;
      if (timer) clock.clearTimeout(timer);
      await chain;
    },
  };
}
