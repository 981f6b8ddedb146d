// Time as a dependency, so schedules, TTLs, rate limits and retries can be tested without waiting.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** fn may return a promise (work on the store): the manual clock waits for it before it fires later timers. */
  setTimeout(fn: () => unknown, ms: number): Timer;
  clearTimeout(timer: Timer): void;
}

export interface Timer {
  unref?(): unknown;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

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
      timers.delete((timer as unknown as { id: number }).id);
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

/** `base` with `offsetMs()` added to its time; timers are relative and run as on `base`. */
export function offsetClock(base: Clock, offsetMs: () => number): Clock {
  return {
    now: () => base.now() + offsetMs(),
    setTimeout: (fn, ms) => base.setTimeout(fn, ms),
    clearTimeout: (timer) => base.clearTimeout(timer),
  };
}
