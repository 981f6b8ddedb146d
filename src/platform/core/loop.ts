// A job that runs at start and then again a while after each run ends: never two runs at once, a run on demand
// shares the one in progress, and stop waits for it. The job handles its own errors (a rejected run is a bug).
import type { Clock, Timer } from "./clock";
import type { Component } from "./lifecycle";
import { inFlight } from "./stepped-clock";

export interface Loop extends Component {
  /** Runs now, or joins the run in progress. */
  runNow(): Promise<void>;
  /**
   * A run that begins after this call: during a run, the next one right after it (shared by the callers that came
   * during it). For a reading asked for after a change (`?refresh=true` after a license was renewed): the run in
   * progress may have read before the change.
   */
  runAfterNow(): Promise<void>;
  /**
   * The next run comes now instead of after the wait; during a run, right after it ends (what woke the loop may have
   * happened after the run read its state: a new API key while a poll with the old one was on its way).
   */
  wake(): void;
}

/** `delayAfter` is asked after every run: a fixed interval, or a wait a run asked for (a backoff, a Retry-After). */
export function createLoop(name: string, run: () => Promise<void>, delayAfter: () => number, clock: Clock): Loop {
  let timer: Timer | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  let wokenDuringRun = false;
  /** The timer fired and waits for the run in progress (its own or one on demand): it arms the next one itself. */
  let timerRun = false;
  const runNow = (): Promise<void> => {
    running ??= run().finally(() => {
      running = undefined;
      // A run on demand leaves the timer as it was; a wake during it still brings the next run forward.
      if (timerRun || !wokenDuringRun) return;
      wokenDuringRun = false;
      if (stopped) return;
      if (timer) clock.clearTimeout(timer);
      schedule(0);
    });
    return running;
  };
  /** The run after the one in progress, that callers of runAfterNow during it share. */
  let after: Promise<void> | undefined;
  const runAfterNow = (): Promise<void> => {
    if (!running) return runNow();
    // Whether the run in progress failed or not, the one after it runs (and a failed one leaves no stale promise).
    const next = () => {
      after = undefined;
      return runNow();
    };
    after ??= running.then(next, next);
    return after;
  };
  const schedule = (ms: number) => {
    // A wait that is no number (a setting the defaults lacked) made a timer that fired at once, over and over: the
    // loop stops with an error the last-resort guard logs instead of spinning a core.
    if (!(ms >= 0 && ms < Number.POSITIVE_INFINITY)) {
      stopped = true;
      throw new RangeError(`the ${name} loop was told to wait ${ms} ms before its next run; it stops (a bug: report it)`);
    }
    timer = clock.setTimeout(() => {
      timerRun = true;
      // On a stepped clock the run is work in flight (a Qlik Cloud poll's HTTPS calls, a watchdog look): time
      // waits for it. A run must therefore not wait on a timer of that clock itself (it yields with setImmediate).
      void inFlight(clock, runNow(), `the ${name} loop's run`).finally(() => {
        timerRun = false;
        if (stopped) return;
        const again = wokenDuringRun;
        wokenDuringRun = false;
        schedule(again ? 0 : delayAfter());
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
      if (timer) clock.clearTimeout(timer);
      await running;
    },
    runNow,
    runAfterNow,
    wake() {
      if (stopped) return;
      if (running) {
        wokenDuringRun = true;
        return;
      }
      if (timer) clock.clearTimeout(timer);
      schedule(0);
    },
  };
}
