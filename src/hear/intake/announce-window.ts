// A short window in which enriched runs wait to be announced together (issue 89). A run announced alone pays two
// commits of its own (its incident record, then its seen mark with the dashboard's run row), each writing the same
// pages of the store's tables again; runs announced in one turn of the event loop share both. At a few hundred to a
// thousand datagrams a second each run arrives alone, so without a window every one pays them in full.
//
// The bound: a run waits at most `windowMs` on the Clock after the first run of its window, and a window holds at most
// `maxRuns`. A run that arrives when nothing was announced in the last `windowMs` is announced at once, so a site's
// usual lone failure is never held; only a run that follows another within `windowMs` waits. Nor is a run handed on
// while others are being announced (many a second): its writes join theirs in the store's next commit anyway, and
// holding it would leave the store idle between windows (at 10,000/s fewer runs were stored).
import type { Clock, Timer } from "../../platform/core/clock";

/** How long a run may wait for others to be announced with (ms on the Clock). */
export const ANNOUNCE_WINDOW_MS = 15;

export interface AnnounceWindow {
  /**
   * Calls `start` now, or with the runs of its window once the window ends or is full. `busy`: other runs are being
   * announced now; unless a window is open, this one goes at once.
   */
  hold(start: () => void, busy?: boolean): void;
  /** Starts every waiting run now (room wanted among the runs in flight, stop). */
  flush(): void;
  /** Runs waiting now. */
  readonly waiting: number;
}

export function createAnnounceWindow(clock: Clock, windowMs: number, maxRuns: number): AnnounceWindow {
  let held: Array<() => void> = [];
  let timer: Timer | undefined;
  /** When the last run (or window) was started: a run within windowMs of it waits. */
  let lastStartMs = Number.NEGATIVE_INFINITY;

  function flush(): void {
    if (timer) clock.clearTimeout(timer);
    timer = undefined;
    const starts = held;
    held = [];
    lastStartMs = clock.now();
    for (const start of starts) start();
  }

  return {
    hold(start, busy = false) {
      const now = clock.now();
      if (windowMs <= 0 || maxRuns <= 1 || (held.length === 0 && (busy || now - lastStartMs >= windowMs))) {
        lastStartMs = now;
        start();
        return;
      }
      held.push(start);
      if (held.length >= maxRuns) return flush();
      timer ??= clock.setTimeout(flush, windowMs);
    },
    flush,
    get waiting() {
      return held.length;
    },
  };
}

/** Runs fn's writes through the store in one transaction, resolved after its commit (the store seam's sharedCommit). */
export interface Together {
  run<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * Runs announced in the background, at most `ahead` at once (those waiting in the window count), each started through
 * the window. Adding one waits only for room. With `together`, the runs a window releases are announced in one store
 * transaction: their records, what the bus's subscribers write for them, and their seen marks share one commit.
 */
export function createAnnouncedAhead<R>(clock: Clock, windowMs: number, ahead: number, together?: Together) {
  const window = createAnnounceWindow(clock, windowMs, ahead);
  const announcing = new Set<Promise<R>>();
  /** Announcements released by the window and not yet over (those waiting in the window are in `announcing` too). */
  let running = 0;
  /** Released by the window in this turn, to start together. */
  let released: Array<{ start: () => Promise<R>; resolve: (p: Promise<R>) => void }> = [];
  const startReleased = () => {
    const group = released;
    released = [];
    const go = () =>
      Promise.allSettled(
        group.map(({ start, resolve }) => {
          const p = start().finally(() => running--);
          resolve(p);
          return p;
        }),
      );
    // A window's runs only: a lone run has nothing to share its commit with, and one handed on while others are being
    // announced (a backlog) joins the seam's next batch anyway; held in a shared transaction, a backlog's runs cost
    // more CPU (188-213 µs a datagram against 105-125, bench-intake-cpu.ts --per-turn 64), the store's other callers
    // waiting meanwhile. A failed shared commit is the runs' to handle (their seen marks wait for it).
    if (together && group.length > 1) void together.run(go).catch(() => undefined);
    else void go();
  };
  return {
    /**
     * Resolves, once there is room, with the run's announcement (`start`'s promise, started now or with its window),
     * wrapped: a promise resolved with a promise would wait for it. `released` is called when the window lets the run
     * go (the run then goes on even if the intake stops before it starts).
     */
    async add(start: () => Promise<R>, onRelease?: () => void): Promise<{ announced: Promise<R> }> {
      while (announcing.size >= ahead) {
        // Runs waiting in the window take room: they go now rather than hold the worker for the window's length.
        window.flush();
        await Promise.race(announcing);
      }
      const announced: Promise<R> = new Promise<R>((resolve) =>
        window.hold(() => {
          running++;
          onRelease?.();
          released.push({ start, resolve });
          // Alone, a run starts at once; in a shared transaction the runs a window releases in its one synchronous
          // loop start together once the loop is over.
          if (!together) startReleased();
          else if (released.length === 1) queueMicrotask(startReleased);
        }, running > 0),
      ).finally(() => announcing.delete(announced));
      announcing.add(announced);
      return { announced };
    },
    flush: window.flush,
    /** Starts the waiting runs and resolves once every announcement has settled. */
    async settled(): Promise<void> {
      window.flush();
      while (announcing.size > 0) await Promise.allSettled([...announcing]);
    },
    get size() {
      return announcing.size;
    },
  };
}
