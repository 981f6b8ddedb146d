// A test's time limit is a guard against a hang, not a measure of speed: the same test takes several times longer on
// a machine three times slower than this one with the suite's five workers beside it (issue 89: attack-inputs.test.ts
// failed at 30 s and four-weeks.test.ts's hook at 1,800 s there, both passing here in a tenth of that). Limits of
// tests that wait on real work (servers, HTTP, a simulated month's CPU) are written as this machine's generous bound
// and scaled by TEST_TIME_SCALE, which `npm test` sets (scripts/test.ts; 1 for a plain `bun test`). Where a test
// simulates time, its bound is on simulated progress instead (stalledSimulation below). The name is outside STEWARD_*,
// which the Stewards the tests start would read as config.

export const TIME_SCALE_ENV = "TEST_TIME_SCALE";

/** The factor from the environment: a positive number, 1 when unset; anything else is refused with what to set. */
export function timeScale(env: Record<string, string | undefined> = process.env): number {
  const raw = env[TIME_SCALE_ENV];
  if (raw === undefined || raw.trim() === "") return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 100) throw new Error(`${TIME_SCALE_ENV}=${raw}: expected a number above 0 and at most 100 (e.g. 3)`);
  return n;
}

/** `ms` (this machine's generous bound for a test or hook) scaled for a slower or busier one. */
export function wallLimit(ms: number): number {
  return Math.round(ms * timeScale());
}

/** What a stepped simulation shows of its progress: its time, and (a SteppedClock's) the timers fired so far. */
export interface SimulationProgress {
  now(): number;
  firedTimers?(): number;
}

/**
 * Rejects when the simulation has not moved for `quietMs` of wall time (scaled): neither its clock nor the count of
 * timers fired (thousands due at one simulated instant, a ×50 site's 01:00, leave the clock still while they fire). A
 * stepped-clock run that hangs (a timer's work that never ends) is reported with the simulated time it stopped at,
 * however long the run is, while a slow machine that still makes progress is left to finish. `stop()` ends the watch.
 */
export function stalledSimulation(sim: SimulationProgress, quietMs: number): { stalled: Promise<never>; stop(): void } {
  const limit = wallLimit(quietMs);
  const mark = () => `${sim.now()} ${sim.firedTimers?.() ?? ""}`;
  let last = mark();
  let lastMoved = performance.now();
  let timer: ReturnType<typeof setInterval> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(
      () => {
        const m = mark();
        if (m !== last) {
          last = m;
          lastMoved = performance.now();
        } else if (performance.now() - lastMoved >= limit) {
          clearInterval(timer);
          reject(
            new Error(
              `the simulated clock stood still at ${new Date(sim.now()).toISOString()} for ${Math.round(limit / 1000)} s of wall time: a timer's work that never ends`,
            ),
          );
        }
      },
      Math.min(5_000, Math.max(10, limit / 4)),
    );
  });
  // A rejection nobody awaits (the run ended first) is not an error.
  stalled.catch(() => undefined);
  return { stalled, stop: () => clearInterval(timer) };
}
