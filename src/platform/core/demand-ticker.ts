// A sweep that runs on a timer only while it has work. An idle Steward must not wake every few seconds for tables that
// are empty on almost every site (issue 89: each such sweep is a timer and a statement or two, 60-120 an hour); the
// work is written here, which wakes the sweep (`poke`), or by another Steward of a cluster, which a slow idle look
// finds (`idleMs`, unset on a store no other Steward writes to).
import type { Clock, Timer } from "./clock";

export interface DemandTicker {
  /** Runs a sweep at once, then keeps the pace its answer asks for. */
  start(): void;
  /** Work was written here: a sweep within `busyMs`, and that pace while the sweeps find work. */
  poke(): void;
  /** No more sweeps; resolves when the one under way has ended. */
  stop(): Promise<void>;
}

export function createDemandTicker(
  clock: Clock,
  o: { busyMs: number; idleMs?: number },
  /** One sweep; true while work is left for a later one. Its errors are its own to log: a failed sweep counts as work left. */
  sweep: () => Promise<boolean>,
): DemandTicker {
  let timer: Timer | undefined;
  let armedFor: "busy" | "idle" | undefined;
  let stopped = true;
  let running: Promise<void> = Promise.resolve();

  function arm(pace: "busy" | "idle", ms: number) {
    if (timer) clock.clearTimeout(timer);
    armedFor = pace;
    timer = clock.setTimeout(tick, ms);
  }

  /** Returns the sweep's promise: a stepped or manual clock waits for it before it moves on. */
  function tick(): Promise<void> {
    timer = undefined;
    armedFor = undefined;
    running = running.then(async () => {
      if (stopped) return;
      const more = await sweep().catch(() => true);
      if (stopped || armedFor === "busy") return;
      if (more) arm("busy", o.busyMs);
      else if (o.idleMs !== undefined) arm("idle", o.idleMs);
    });
    return running;
  }

  return {
    start() {
      stopped = false;
      // Through the clock, so a stepped or manual clock runs the first sweep and waits for it like any other.
      arm("busy", 0);
    },
    poke() {
      if (stopped || armedFor === "busy") return;
      arm("busy", o.busyMs);
    },
    async stop() {
      stopped = true;
      if (timer) clock.clearTimeout(timer);
      timer = undefined;
      armedFor = undefined;
      await running;
    },
  };
}
