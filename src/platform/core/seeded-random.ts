// One seeded generator for a simulation's random choices (durations, outcomes, jitter): the same seed gives the
// same sequence on any machine, so a failing run can be replayed from its seed.

export interface Random {
  readonly seed: number;
  /** A float in [0, 1), like Math.random. */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
}

/** mulberry32: 32 bits of state, fast, and good enough for choosing durations and outcomes (not for secrets). */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
  };
}
