// A job that runs at start and then again a while after each run ends: never two runs at once, a run on demand
// shares the one in progress, and stop waits for it. The job handles its own errors (a rejected run is a bug).
import type { Component } from "./lifecycle";

export interface Loop extends Component {
  /** Runs now, or joins the run in progress. */
  runNow(): Promise<void>;
  /** The next run comes now instead of after the wait (a run in progress schedules the next one itself). */
  wake(): void;
}

/** `delayAfter` is asked after every run: a fixed interval, or a wait a run asked for (a backoff, a Retry-After). */
export function createLoop(name: string, run: () => Promise<void>, delayAfter: () => number): Loop {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  const runNow = (): Promise<void> => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      void runNow().finally(() => {
        if (!stopped) schedule(delayAfter());
      });
    }, ms);
  };
  return {
    name,
    start() {
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    runNow,
    wake() {
      if (stopped || running) return;
      if (timer) clearTimeout(timer);
      schedule(0);
    },
  };
}
