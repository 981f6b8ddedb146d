// At most `limit` calls of run() in flight at once; the others wait in order. For a stage of a pipeline whose
// other stages may have more in flight (the intake enriches `intake.concurrency` events at a time while more
// wait for their shared store commits).
export interface Limiter {
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Calls running now. */
  active(): number;
}

export function createLimiter(limit: number): Limiter {
  let running = 0;
  const waiting: Array<() => void> = [];
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (running >= limit) await new Promise<void>((r) => waiting.push(r));
      else running++;
      // A waiter that is woken takes over the finished call's place (running is not decremented for it).
      try {
        return await fn();
      } finally {
        if (waiting.length > 0) waiting.shift()!();
        else running--;
      }
    },
    active: () => running,
  };
}
