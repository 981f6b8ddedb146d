// Where Steward's own jitter comes from: the seeded generator of a stepped simulation (src/platform/core/stepped-clock.ts),
// so a run replayed from its seed waits the same, and Math.random everywhere else.
import type { Clock } from "./clock";

/** A float in [0, 1): the clock's seeded generator when it has one, Math.random otherwise. */
export function randomOf(clock: Clock): () => number {
  const seeded = (clock as { random?: { next(): number } }).random;
  return seeded ? () => seeded.next() : Math.random;
}
