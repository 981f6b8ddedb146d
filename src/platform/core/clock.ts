// Time as a dependency, so schedules, TTLs, rate limits and retries can be tested without waiting.
import { type PollInterval, pollMsOf } from "./poll-interval";

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** fn may return a promise (work on the store): the manual clock waits for it before it fires later timers. */
  setTimeout(fn: () => unknown, ms: number): Timer;
  /** Does nothing for undefined or a timer that has fired. */
  clearTimeout(timer: Timer | undefined): void;
}

export interface Timer {
  unref?(): unknown;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

/**
 * Wall time, whatever clock Steward runs on: only for deadlines on real I/O (a socket, a peer's answer, a child
 * process) and for shutdown budgets. These bound work that takes wall time even in a simulation, so a virtual
 * clock that jumps must not fire them early and a manual clock that stands still must not hold them back.
 * Schedules, intervals, retries, backoffs, leases and TTLs use the injected Clock instead.
 */
export const wallClock: Clock = systemClock;

/** Resolves after `ms` on `clock`, or at once when `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = clock.setTimeout(done, ms);
    function done() {
      clock.clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Calls `fn` every `ms` on `clock` (from `ms` after now) until the returned function is called; `ms` may be a
 * function, read each time the next call is armed.
 */
export function every(clock: Clock, ms: PollInterval, fn: () => unknown): () => void {
  let timer: Timer | undefined;
  let stopped = false;
  const arm = () => {
    timer = clock.setTimeout(() => {
      if (stopped) return;
      arm();
      fn();
    }, pollMsOf(ms));
  };
  arm();
  return () => {
    stopped = true;
    if (timer) clock.clearTimeout(timer);
  };
}

/** A clock that only moves when told to; timers fire in due order as time advances. */
export interface ManualClock extends Clock {
  advance(ms: number): Promise<void>;
  set(epochMs: number): Promise<void>;
}

export function createManualClock(startMs: number): ManualClock {
  let current = startMs;
  let seq = 0;
  const timers = new Map<number, { due: number; fn: () => unknown }>();
  const clock: ManualClock = {
    now: () => current,
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { due: current + Math.max(0, ms), fn });
      return { id } as unknown as Timer;
    },
    clearTimeout(timer) {
      if (timer) timers.delete((timer as unknown as { id: number }).id);
    },
    async advance(ms) {
      await clock.set(current + ms);
    },
    async set(target) {
      for (;;) {
        const next = [...timers.entries()].filter(([, t]) => t.due <= target).sort((a, b) => a[1].due - b[1].due)[0];
        if (!next) break;
        timers.delete(next[0]);
        current = Math.max(current, next[1].due);
        // A timer whose work is asynchronous (a purge on a remote store) re-arms itself when that work ends:
        // wait for it, so time moved in one step fires the re-armed timers too, as it would in real time.
        await next[1].fn();
        await Promise.resolve();
      }
      current = target;
    },
  };
  return clock;
}

/** A step back shorter than this is the offset's measuring noise, not a clock set right: time stays where it was. */
const JITTER_MS = 1_000;

/**
 * `base` with `offsetMs()` added to its time; timers are relative and run as on `base`. The offset is measured again
 * at every heartbeat and varies by a few milliseconds with the round trip, so a later read could give an earlier time
 * (a silence created now read back as not begun yet): such a small step back is held at the last time given.
 */
export function offsetClock(base: Clock, offsetMs: () => number): Clock {
  let last = Number.NEGATIVE_INFINITY;
  return {
    now: () => {
      const t = base.now() + offsetMs();
      if (t < last && last - t < JITTER_MS) return last;
      last = t;
      return t;
    },
    setTimeout: (fn, ms) => base.setTimeout(fn, ms),
    clearTimeout: (timer) => base.clearTimeout(timer),
  };
}
