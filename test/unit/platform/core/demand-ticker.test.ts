// The demand ticker (src/platform/core/demand-ticker.ts): sweeps at the busy pace only while they find work, woken
// by a poke, and at the idle pace (when set) otherwise; on a manual clock, so the count of sweeps is exact.
import { expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createDemandTicker } from "../../../../src/platform/core/demand-ticker";

const MIN = 60_000;

test("with no work it sweeps once at start and then never, until poked; it keeps the busy pace while work is left", async () => {
  const clock = createManualClock(0);
  let work = 0;
  let sweeps = 0;
  const ticker = createDemandTicker(clock, { busyMs: MIN }, async () => {
    sweeps++;
    if (work > 0) work--;
    return work > 0;
  });
  ticker.start();
  await clock.advance(60 * MIN);
  expect(sweeps).toBe(1);
  work = 3;
  ticker.poke();
  ticker.poke(); // a second poke while armed does not put the sweep off
  await clock.advance(MIN);
  expect(sweeps).toBe(2);
  await clock.advance(10 * MIN);
  expect(sweeps).toBe(4); // two more while work was left, then none
  await clock.advance(60 * MIN);
  expect(sweeps).toBe(4);
  await ticker.stop();
});

test("with an idle pace it looks that often while it finds nothing; a failed sweep counts as work left; stop ends it", async () => {
  const clock = createManualClock(0);
  let sweeps = 0;
  let fail = false;
  const ticker = createDemandTicker(clock, { busyMs: MIN, idleMs: 60 * MIN }, async () => {
    sweeps++;
    if (fail) throw new Error("the store went away");
    return false;
  });
  ticker.start();
  await clock.advance(0);
  await clock.advance(3 * 60 * MIN);
  expect(sweeps).toBe(4);
  fail = true;
  await clock.advance(60 * MIN);
  expect(sweeps).toBe(5);
  await clock.advance(MIN); // failed: tried again at the busy pace
  expect(sweeps).toBe(6);
  await ticker.stop();
  await clock.advance(10 * 60 * MIN);
  expect(sweeps).toBe(6);
});
