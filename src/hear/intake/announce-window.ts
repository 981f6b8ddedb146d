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

/**
 * Runs announced in the background, at most `ahead` at once (those waiting in the window count), each started through
 * the window. Adding one waits only for room.
 */
export function createAnnouncedAhead<R>(clock: Clock, windowMs: number, ahead: number) {
  const window = createAnnounceWindow(clock, windowMs, ahead);
  const announcing = new Set<Promise<R>>();
  /** Announcements started and not yet over (those waiting in the window are in `announcing` too). */
  let running = 0;
  const run = (start: () => Promise<R>) => () => {
    running++;
    return start().finally(() => running--);
  };
  return {
    /**
     * Resolves, once there is room, with the run's announcement (`start`'s promise, started now or with its window),
     * wrapped: a promise resolved with a promise would wait for it.
     */
    async add(start: () => Promise<R>): Promise<{ announced: Promise<R> }> {
      while (announcing.size >= ahead) {
        // Runs waiting in the window take room: they go now rather than hold the worker for the window's length.
        window.flush();
        await Promise.race(announcing);
      }
      const announced: Promise<R> = new Promise<R>((resolve) => window.hold(() => resolve(run(start)()), running > 0)).finally(() =>
        announcing.delete(announced),
      );
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
