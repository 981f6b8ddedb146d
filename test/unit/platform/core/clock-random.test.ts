// Steward's own jitter (delivery backoffs, QRS retries) draws from a stepped run's seeded generator, so a run
// replayed from its seed waits the same; on any other clock it stays Math.random.
import { expect, test } from "bun:test";
import { createManualClock, systemClock } from "../../../../src/platform/core/clock";
import { randomOf } from "../../../../src/platform/core/clock-random";
import { createSteppedClock } from "../../../../src/platform/core/stepped-clock";
import { backoffDelay } from "../../../../src/tell/notify/backoff";

const draws = (random: () => number, n = 8) => Array.from({ length: n }, () => random());

test("a stepped clock's seed decides the jitter: one seed, one sequence of backoffs", () => {
  const a = randomOf(createSteppedClock(0, { seed: 7 }));
  const b = randomOf(createSteppedClock(0, { seed: 7 }));
  const backoffs = (r: () => number) => [1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, 5_000, 600_000, r));
  expect(backoffs(a)).toEqual(backoffs(b));
  expect(draws(randomOf(createSteppedClock(0, { seed: 7 })))).not.toEqual(draws(randomOf(createSteppedClock(0, { seed: 8 }))));
  // Without a seed a stepped run is still reproducible (seed 1).
  expect(draws(randomOf(createSteppedClock(0)))).toEqual(draws(randomOf(createSteppedClock(5, { seed: 1 }))));
});

test("other clocks keep Math.random", () => {
  expect(randomOf(systemClock)).toBe(Math.random);
  expect(randomOf(createManualClock(0))).toBe(Math.random);
});
