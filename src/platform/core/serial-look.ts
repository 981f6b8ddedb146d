// A look that runs on a timer that re-arms itself and on demand, one at a time: a look asked for while one runs joins
// it and makes it run once more when it ends (what asked may have changed after the running look read its state), so
// many asks during a look cost one more look, not many. Unlike serial-ticker.ts, whose runs queue one per call and each
// answer its caller, this serves looks that answer nobody: the rota's Slack group and notices, queued mails, actions.
import type { Clock, Timer } from "./clock";
import { inFlight } from "./stepped-clock";

export interface SerialLookOptions {
  clock: Clock;
  /** One look. */
  look: () => Promise<void>;
  /** A look threw: the module logs it; the loop goes on (a look asked for meanwhile still runs, the timer re-arms). */
  onError: (err: unknown) => void;
  /** After a timed look: how long until the next; undefined leaves the timer unarmed until arm() is called. */
  nextDelayMs: () => number | undefined | Promise<number | undefined>;
  /** Names the looks as work in flight on a stepped clock, so time waits for them; unset: not tracked. */
  label?: string;
}

export interface SerialLook {
  /** Looks now; during a look, once more after it (the asks meanwhile share that one). Never rejects. */
  run(): Promise<void>;
  /** Arms the timer for a look `delayMs` from now, replacing one armed; a no-op once stopped. */
  arm(delayMs: number): void;
  /** Whether the timer is armed. */
  armed(): boolean;
  /**
   * Allows the timer to be armed and asked-for looks to repeat (again, after stop()). With `firstDelayMs`: looks now
   * and arms the timer for the next look then, the start of a module that looks at start and then every so often.
   */
  start(firstDelayMs?: number): void;
  /** Whether stop() was called (and start() not since): a look may end its work early. */
  stopped(): boolean;
  /** Clears the timer, drops a look asked for meanwhile, and waits for the look in progress. */
  stop(): Promise<void>;
}

export function createSerialLook(o: SerialLookOptions): SerialLook {
  let timer: Timer | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  function run(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await o.look();
        } catch (err) {
          o.onError(err);
        }
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
    return o.label === undefined ? running : inFlight(o.clock, running, o.label);
  }

  /** The timer's work is returned: a manual or stepped clock waits for the look, so the re-armed timer fires in the same step. */
  async function fire(): Promise<void> {
    timer = undefined;
    if (stopped) return;
    await run();
    // Stopped meanwhile, or armed by a caller during the look (its time stands).
    if (stopped || timer !== undefined) return;
    const next = await o.nextDelayMs();
    if (next !== undefined) arm(next);
  }

  function arm(delayMs: number): void {
    if (stopped) return;
    if (timer !== undefined) o.clock.clearTimeout(timer);
    timer = o.clock.setTimeout(fire, delayMs);
    // The timer alone keeps no process alive: stop() clears it, and a Steward is kept up by its listeners.
    timer.unref?.();
  }

  return {
    run,
    arm,
    armed: () => timer !== undefined,
    start(firstDelayMs) {
      stopped = false;
      if (firstDelayMs === undefined) return;
      arm(firstDelayMs);
      void run();
    },
    stopped: () => stopped,
    async stop() {
      stopped = true;
      if (timer !== undefined) o.clock.clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
