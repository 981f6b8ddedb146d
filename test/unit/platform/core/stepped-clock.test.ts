// The stepped clock: time jumps to the next due timer only when nothing is in flight and every probe is idle, so a
// simulated week passes in a moment and one seed gives one history.
import { expect, test } from "bun:test";
import { createRandom } from "../../../../src/platform/core/seeded-random";
import { createSteppedClock, inFlight } from "../../../../src/platform/core/stepped-clock";

const T0 = Date.parse("2026-03-02T00:00:00Z");
const HOUR = 3_600_000;

test("an hourly timer fires 168 times in a simulated week, each at its due time", async () => {
  const clock = createSteppedClock(T0);
  const seen: number[] = [];
  const arm = (): void => {
    clock.setTimeout(() => {
      seen.push(clock.now());
      arm();
    }, HOUR);
  };
  arm();
  await clock.runUntil(T0 + 168 * HOUR);
  expect(seen.length).toBe(168);
  expect(seen.every((t, i) => t === T0 + (i + 1) * HOUR)).toBe(true);
  expect(clock.now()).toBe(T0 + 168 * HOUR);
});

test("time stands still while tracked work is in flight: what the work arms comes before a later timer", async () => {
  const clock = createSteppedClock(T0);
  const log: string[] = [];
  clock.setTimeout(() => log.push(`hourly at ${(clock.now() - T0) / 60_000} min`), HOUR);
  clock.setTimeout(() => {
    // Real I/O (here 100 ms of wall time): the hour must not pass while it is under way.
    void inFlight(clock, Bun.sleep(100), "a QRS call").then(() => {
      log.push(`answer at ${(clock.now() - T0) / 60_000} min`);
      clock.setTimeout(() => log.push(`follow-up at ${(clock.now() - T0) / 60_000} min`), 10 * 60_000);
    });
  }, 55 * 60_000);
  await clock.runUntil(T0 + 2 * HOUR);
  expect(log).toEqual(["answer at 55 min", "hourly at 60 min", "follow-up at 65 min"]);
});

test("a component that is not idle holds time until it is", async () => {
  const clock = createSteppedClock(T0);
  let queued = 1;
  clock.addIdleProbe("intake queue", () => queued === 0);
  let firedAt: number | undefined;
  clock.setTimeout(() => (firedAt = clock.now()), HOUR);
  const run = clock.runUntil(T0 + HOUR);
  await Bun.sleep(50);
  expect(firedAt).toBeUndefined();
  queued = 0;
  await run;
  expect(firedAt).toBe(T0 + HOUR);
});

test("a probe busy for a while (a datagram held on a slow network) is polled, not spun on", async () => {
  const clock = createSteppedClock(T0);
  let held = true;
  let asked = 0;
  clock.addIdleProbe("datagrams on their way", () => {
    asked++;
    return !held;
  });
  let firedAt: number | undefined;
  clock.setTimeout(() => (firedAt = clock.now()), HOUR);
  const run = clock.runUntil(T0 + HOUR);
  await Bun.sleep(200);
  expect(firedAt).toBeUndefined();
  held = false;
  await run;
  expect(firedAt).toBe(T0 + HOUR);
  // At most one look a millisecond after the first few turns (it was one per event-loop turn: tens of thousands).
  expect(asked).toBeLessThan(1_000);
});

test("work that never settles stops the run with what was busy, instead of hanging", async () => {
  const clock = createSteppedClock(T0);
  void clock.track(new Promise(() => {}), "an Engine call");
  clock.setTimeout(() => {}, HOUR);
  await expect(clock.runUntil(T0 + HOUR, { stallMs: 200 })).rejects.toThrow(/still busy.*an Engine call/);
});

test("a cleared timer does not fire; two runs from one seed give identical histories", async () => {
  const history = async (seed: number) => {
    const clock = createSteppedClock(T0);
    const random = createRandom(seed);
    const log: string[] = [];
    for (const task of ["a", "b", "c"]) {
      const run = (): unknown =>
        clock.setTimeout(() => {
          const ok = random.next() < 0.8;
          log.push(`${new Date(clock.now()).toISOString()} ${task} ${ok ? "ok" : "failed"}`);
          run();
        }, random.int(10, 90) * 60_000);
      run();
    }
    const never = clock.setTimeout(() => log.push("cleared timer fired"), 30 * 60_000);
    clock.clearTimeout(never);
    await clock.runUntil(T0 + 7 * 24 * HOUR);
    return log;
  };
  const a = await history(42);
  expect(a.length).toBeGreaterThan(300);
  expect(a).not.toContain("cleared timer fired");
  expect(await history(42)).toEqual(a);
  expect(await history(43)).not.toEqual(a);
});
