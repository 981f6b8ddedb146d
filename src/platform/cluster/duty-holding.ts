// Which site-wide duties this Steward holds, and until when (monotonic time): a duty is given up the moment its
// lease may have run out, even while a renewal hangs. Listeners hear each change of holding.
import type { Logger } from "pino";
import { type Timer, wallClock } from "../core/clock";
import { DUTIES, type DutyName } from "./duties";

type Listener = (held: boolean) => void;

export function createDutyHolding(log: Logger, instanceName: string) {
  const listeners = new Map<DutyName, Set<Listener>>();
  /** Monotonic time (performance.now) until which this instance may act on a duty it holds. */
  const heldUntil = new Map<DutyName, number>();
  const emit = (duty: DutyName, held: boolean) => {
    for (const fn of listeners.get(duty) ?? []) {
      try {
        fn(held);
      } catch (err) {
        log.error({ duty, err: (err as Error).message }, "a duty listener failed");
      }
    }
  };
  const wanted = (): DutyName[] => DUTIES.filter((d) => (listeners.get(d)?.size ?? 0) > 0);
  const holds = (duty: DutyName) => (heldUntil.get(duty) ?? 0) > performance.now();

  /**
   * Per duty: gives it up the moment the lease may have run out, even while a renewal hangs. Wall time, like
   * heldUntil (performance.now): the lease runs out on the database's real clock whatever clock Steward runs on.
   */
  const expiryTimers = new Map<DutyName, Timer>();

  function setHeld(duty: DutyName, until: number | undefined): void {
    const before = heldUntil.has(duty);
    wallClock.clearTimeout(expiryTimers.get(duty));
    expiryTimers.delete(duty);
    if (until === undefined) heldUntil.delete(duty);
    else {
      heldUntil.set(duty, until);
      const t = wallClock.setTimeout(
        () => {
          if (!holds(duty)) setHeld(duty, undefined);
        },
        Math.max(0, until - performance.now()) + 1,
      );
      t.unref?.();
      expiryTimers.set(duty, t);
    }
    const after = heldUntil.has(duty);
    if (before !== after) {
      log.info({ duty, instance: instanceName }, after ? "this Steward now leads the duty" : "this Steward no longer leads the duty");
      emit(duty, after);
    }
  }

  return {
    holds,
    setHeld,
    wanted,
    /** Held as far as this Steward knows (the lease may be about to run out). */
    held: (duty: DutyName) => heldUntil.has(duty),
    heldDuties: (): DutyName[] => [...heldUntil.keys()],
    /** Adds a listener; `first`: nobody here wanted the duty before. */
    listen(duty: DutyName, fn: Listener): { first: boolean; unsubscribe: () => boolean } {
      const set = listeners.get(duty) ?? new Set<Listener>();
      listeners.set(duty, set);
      const first = set.size === 0;
      set.add(fn);
      return { first, unsubscribe: () => set.delete(fn) };
    },
  };
}
