// Time limits of tests that wait on real work scale with TEST_TIME_SCALE (npm test sets it for a slower or busier
// machine), and a stepped-clock run is bounded by its simulated progress rather than by its wall time.
import { expect, test } from "bun:test";
import { stalledSimulation, timeScale, wallLimit } from "../../helpers/time-limit";

test("the factor comes from TEST_TIME_SCALE, 1 when unset, and a wrong value is refused saying what to set", () => {
  expect(timeScale({})).toBe(1);
  expect(timeScale({ TEST_TIME_SCALE: "3" })).toBe(3);
  expect(timeScale({ TEST_TIME_SCALE: "1.5" })).toBe(1.5);
  expect(() => timeScale({ TEST_TIME_SCALE: "fast" })).toThrow("TEST_TIME_SCALE=fast: expected a number above 0 and at most 100 (e.g. 3)");
  expect(() => timeScale({ TEST_TIME_SCALE: "0" })).toThrow("expected a number above 0");
  expect(wallLimit(30_000)).toBe(Math.round(30_000 * timeScale()));
});

test("a simulation whose clock stands still fails with the simulated time it stopped at", async () => {
  const at = Date.parse("2026-04-06T01:00:00Z");
  const watch = stalledSimulation({ now: () => at, firedTimers: () => 7 }, 200);
  const started = performance.now();
  await expect(watch.stalled).rejects.toThrow("the simulated clock stood still at 2026-04-06T01:00:00.000Z for");
  expect(performance.now() - started).toBeGreaterThanOrEqual(wallLimit(200) - 20);
});

test(
  "a simulation that keeps moving, however slowly, is not stopped",
  async () => {
    let t = 0;
    const watch = stalledSimulation({ now: () => t }, 500);
    let failed = false;
    watch.stalled.catch(() => {
      failed = true;
    });
    // Moves every 100 ms of wall time, for twice the quiet bound.
    for (let i = 0; i < (wallLimit(500) * 2) / 100; i++) {
      await Bun.sleep(100);
      t += 60_000;
    }
    watch.stop();
    expect(failed).toBe(false);
  },
  wallLimit(20_000),
);

test(
  "timers firing at one simulated instant count as progress: thousands due at 01:00 leave the clock still while they fire",
  async () => {
    let fired = 0;
    const watch = stalledSimulation({ now: () => 0, firedTimers: () => fired }, 500);
    let failed = false;
    watch.stalled.catch(() => {
      failed = true;
    });
    for (let i = 0; i < (wallLimit(500) * 2) / 100; i++) {
      await Bun.sleep(100);
      fired++;
    }
    watch.stop();
    expect(failed).toBe(false);
  },
  wallLimit(20_000),
);
