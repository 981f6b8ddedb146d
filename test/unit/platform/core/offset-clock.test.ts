// The clock of a Steward on PostgreSQL is its machine's plus the offset to the database's clock, measured again at each
// heartbeat. The measure varies by a few milliseconds with the round trip: a silence created "now" and read back a
// moment later was once "pending" (its start after the time read), beside four busy loops. A small step back is held;
// a real correction (the machine's clock set right by seconds) still moves time back.
import { expect, test } from "bun:test";
import { type Clock, offsetClock } from "../../../../src/platform/core/clock";

function machine(times: number[]): Clock {
  let i = 0;
  return { now: () => times[Math.min(i++, times.length - 1)]!, setTimeout: () => 0 as never, clearTimeout: () => {} };
}

test("a later read never gives an earlier time when the measured offset shrinks by milliseconds", () => {
  const offsets = [5, 1, 0, 4];
  let k = 0;
  const clock = offsetClock(machine([1_000, 1_001, 1_002, 1_003]), () => offsets[k++]!);
  const reads = [clock.now(), clock.now(), clock.now(), clock.now()];
  expect(reads).toEqual([1_005, 1_005, 1_005, 1_007]);
  for (let i = 1; i < reads.length; i++) expect(reads[i]!).toBeGreaterThanOrEqual(reads[i - 1]!);
});

test("a correction of seconds (the machine's clock set right) moves time back at once", () => {
  const offsets = [0, -30_000];
  let k = 0;
  const clock = offsetClock(machine([100_000, 100_010]), () => offsets[k++]!);
  expect([clock.now(), clock.now()]).toEqual([100_000, 70_010]);
});
