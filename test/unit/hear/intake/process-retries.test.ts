// Held runs (their announcement failed on a store outage) are tried again on the clock until the store answers:
// one probe per interval while it is down, all of them once it answers, given up past their age or at stop.
import { expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createProcessRetries } from "../../../../src/hear/intake/process-retries";

function setup(opts: { maxRuns?: number } = {}) {
  const clock = createManualClock(1_000_000);
  let storeUp = false;
  const tried: string[] = [];
  const abandoned: string[] = [];
  const retries = createProcessRetries<string>({
    clock,
    log: createSilentLogger(),
    maxAgeMs: 10_000,
    retryMs: 1_000,
    ...opts,
    attempt: async (run) => {
      tried.push(run);
      return storeUp;
    },
    abandon: (run) => void abandoned.push(run),
  });
  return { clock, retries, tried, abandoned, up: () => void (storeUp = true) };
}

test("while the store is down one held run is probed per interval; once it answers every held run is announced", async () => {
  const s = setup();
  expect(s.retries.hold("a", "a")).toBe(true);
  expect(s.retries.hold("b", "b")).toBe(true);
  // Held again (the try of a held run failed again): still one entry.
  expect(s.retries.hold("a", "a")).toBe(true);
  await s.clock.advance(999);
  expect(s.tried).toEqual([]);
  await s.clock.advance(1);
  expect(s.tried).toEqual(["a"]);
  await s.clock.advance(1_000);
  expect(s.tried).toEqual(["a", "a"]);
  s.up();
  await s.clock.advance(1_000);
  expect(s.tried).toEqual(["a", "a", "a", "b"]);
  expect(s.retries.size()).toBe(0);
  await s.clock.advance(5_000);
  expect(s.tried).toHaveLength(4);
  expect(s.abandoned).toEqual([]);
});

test("a run held past its age is given up; stop gives up the rest; past the limit a run is refused", async () => {
  const s = setup({ maxRuns: 2 });
  s.retries.hold("old", "old");
  await s.clock.advance(6_000);
  s.retries.hold("new", "new");
  expect(s.retries.hold("third", "third")).toBe(false);
  await s.clock.advance(5_000);
  expect(s.abandoned).toEqual(["old"]);
  expect(s.retries.size()).toBe(1);
  s.retries.stop();
  expect(s.abandoned).toEqual(["old", "new"]);
  expect(s.retries.hold("late", "late")).toBe(false);
  const triedAtStop = s.tried.length;
  await s.clock.advance(5_000);
  expect(s.tried).toHaveLength(triedAtStop);
  s.retries.start();
  expect(s.retries.hold("again", "again")).toBe(true);
});
