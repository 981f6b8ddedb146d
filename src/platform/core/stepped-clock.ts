// Discrete-event time for a simulation (Steward and the simulator in one process): time stands still while any
// work is in flight and jumps to the next due timer once everything is idle, so a week passes in seconds and the
// same events happen at the same simulated times on a fast or a busy machine.
import { type Clock, type Timer, wallClock } from "./clock";
import { createRandom, type Random } from "./seeded-random";
import { createTimerHeap } from "./timer-heap";

export interface SteppedClock extends Clock {
  /** Counts `work` as in flight until it settles (an HTTP call, a store write): time does not move meanwhile. */
  track<T>(work: Promise<T>, label: string): Promise<T>;
  /** A component's own idea of idle (its queue is empty, every datagram sent was received): time waits for it. */
  addIdleProbe(name: string, idle: () => boolean): void;
  /**
   * Fires the timers due up to `untilMs` one at a time in due order, each once everything is idle, and leaves the
   * clock at `untilMs`. Throws when the work in flight does not settle within `stallMs` of wall time.
   */
  runUntil(untilMs: number, opts?: { stallMs?: number }): Promise<void>;
  /** Timers armed and not yet fired. */
  pendingTimers(): number;
  /** Timers fired so far (a measure of how much happened). */
  firedTimers(): number;
  /** The run's seeded generator: Steward's own jitter (retry backoffs) draws from it (`randomOf` in clock-random.ts). */
  readonly random: Random;
  // The pieces of runUntil, for a simulation split over two processes (each with its own clock, one driving both:
  // test/helpers/linked-clock.ts).
  /** Resolves once nothing here is in flight, every probe is idle and a few turns pass with nothing new. */
  settle(stallMs?: number): Promise<void>;
  /** Bumped by anything that happens here: unchanged between two looks means nothing happened. */
  activity(): number;
  /** The timer due first (the earliest armed on a tie). */
  nextDue(): { id: number; due: number } | undefined;
  /** Moves time to timer `id`'s due moment and runs it (false when it is no longer armed). */
  fire(id: number): boolean;
  /** Moves time forward to `ms` (never back). */
  advanceTo(ms: number): void;
}

interface Entry {
  id: number;
  due: number;
  fn: () => unknown;
}

/** Macrotask turns with nothing new before time may jump: lets ready I/O callbacks and promise chains run. */
const QUIET_TURNS = 3;
/**
 * Turns a probe may stay busy with nothing in flight and nothing new before the wait for it polls every millisecond
 * instead of every turn: a datagram held on its way (a slow network) spun the event loop on a whole core meanwhile.
 */
const BUSY_TURNS = 50;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `seed` (default 1) makes the run's random choices, and so the run, the same each time. */
export function createSteppedClock(startMs: number, opts: { seed?: number } = {}): SteppedClock {
  let current = startMs;
  let seq = 0;
  let fired = 0;
  /** Bumped by anything that happens (a timer armed or cleared, work started or settled): quiet means unchanged. */
  let activity = 0;
  /** The settles waiting for tracked work, woken by every change of `activity`. */
  const waiting = new Set<() => void>();
  const bump = () => {
    activity++;
    for (const wake of waiting) wake();
  };
  /**
   * Until something happens (tracked work settles, a timer is armed…) or `ms` of wall time pass. While work is in
   * flight only its settling can make the clock idle, so waiting for it leaves the core to the I/O (PostgreSQL, the
   * simulator's HTTP) instead of turning the event loop thousands of times a second.
   */
  const nextActivity = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        waiting.delete(wake);
        wallClock.clearTimeout(timer);
        resolve();
      };
      const timer = wallClock.setTimeout(wake, Math.max(1, ms));
      waiting.add(wake);
    });
  const timers = new Map<number, Entry>();
  const order = createTimerHeap<Entry>();
  const inFlight = new Map<number, string>();
  const probes = new Map<string, () => boolean>();

  const busy = (): string[] => [...new Set(inFlight.values()), ...[...probes].filter(([, idle]) => !idle()).map(([name]) => `${name} (not idle)`)];
  /** busy() is empty, asked every turn of every step without building its list (that is for the stall message). */
  const idle = (): boolean => {
    if (inFlight.size > 0) return false;
    for (const probe of probes.values()) if (!probe()) return false;
    return true;
  };
  const nextDue = (): Entry | undefined => order.first((t) => timers.get(t.id) === t);
  /** Timers cleared or fired out of order wait in the heap until they come first; past twice what is armed, dropped. */
  const compact = () => {
    if (order.size() > 2 * timers.size + 1024) order.rebuild(timers.values());
  };

  /** Resolves once nothing is in flight, every probe is idle and a few turns pass with nothing new. */
  async function settle(stallMs = 30_000): Promise<void> {
    const deadline = performance.now() + stallMs;
    let quiet = 0;
    /** Turns in a row with nothing in flight and nothing new, while a probe said it was busy. */
    let probeBusy = 0;
    while (quiet < QUIET_TURNS) {
      const before = activity;
      if (inFlight.size > 0) await nextActivity(deadline - performance.now());
      else if (probeBusy > BUSY_TURNS) await nextActivity(1);
      else await turn();
      const calm = before === activity;
      const nowIdle = calm && idle();
      quiet = nowIdle ? quiet + 1 : 0;
      probeBusy = calm && !nowIdle && inFlight.size === 0 ? probeBusy + 1 : 0;
      if (quiet === 0 && performance.now() > deadline) {
        throw new Error(
          `simulation stalled at ${new Date(current).toISOString()}: still busy after ${stallMs} ms: ${busy().join(", ") || "activity without end"}`,
        );
      }
    }
  }

  const clock: SteppedClock = {
    now: () => current,
    setTimeout(fn, ms) {
      const id = ++seq;
      const entry = { id, due: current + Math.max(0, ms), fn };
      timers.set(id, entry);
      order.push(entry);
      bump();
      return { id } as unknown as Timer;
    },
    clearTimeout(timer) {
      if (!timer || !timers.delete((timer as unknown as { id: number }).id)) return;
      compact();
      bump();
    },
    track(work, label) {
      const id = ++seq;
      inFlight.set(id, label);
      bump();
      const done = () => {
        inFlight.delete(id);
        bump();
      };
      work.then(done, done);
      return work;
    },
    addIdleProbe(name, idle) {
      probes.set(name, idle);
    },
    async runUntil(untilMs, opts = {}) {
      for (;;) {
        await settle(opts.stallMs);
        const next = nextDue();
        if (!next || next.due > untilMs) break;
        clock.fire(next.id);
      }
      current = Math.max(current, untilMs);
    },
    settle,
    activity: () => activity,
    nextDue() {
      const next = nextDue();
      return next && { id: next.id, due: next.due };
    },
    fire(id) {
      const next = timers.get(id);
      if (!next) return false;
      timers.delete(id);
      compact();
      current = Math.max(current, next.due);
      fired++;
      const result = next.fn();
      if (result instanceof Promise) clock.track(result, "a timer's work");
      return true;
    },
    advanceTo(ms) {
      current = Math.max(current, ms);
    },
    pendingTimers: () => timers.size,
    firedTimers: () => fired,
    random: createRandom(opts.seed ?? 1),
  };
  return clock;
}

/** True for a stepped clock: its time is a simulation's, with nothing to do with any machine's. */
export function isStepped(clock: Clock): clock is SteppedClock {
  return typeof (clock as Partial<SteppedClock>).track === "function";
}

/** `work`, counted as in flight when `clock` is a stepped clock (time must not jump while it runs). */
export function inFlight<T>(clock: Clock, work: Promise<T>, label: string): Promise<T> {
  return isStepped(clock) ? clock.track(work, label) : work;
}
