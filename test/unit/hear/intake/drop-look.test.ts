// The look at QRS after dropped datagrams (drop-look.ts, issue 86): it waits for the short pass's settle time after a
// drop, then runs once for every drop of that time, from any source; at most one every 5 s however many come; drops
// during a look ask for one more after it.
import { expect, test } from "bun:test";
import { createDropLook } from "../../../../src/hear/intake/drop-look";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";

test("a flood of drops makes one look a settle time after the first, then at most one every gap", async () => {
  const clock = createManualClock(0);
  const looks: number[] = [];
  let release: (() => void) | undefined;
  const look = createDropLook({
    clock,
    log: createSilentLogger(),
    settleMs: 3_500,
    gapMs: 5_000,
    look: () => {
      looks.push(clock.now());
      return new Promise<void>((r) => (release = r));
    },
  });
  for (let i = 0; i < 10_000; i++) look.dropped(i % 2 ? "127.0.0.1" : "10.0.0.9");
  await clock.advance(3_499);
  expect(looks).toEqual([]);
  await clock.advance(1);
  expect(looks).toEqual([3_500]);
  // Drops while the look runs: one more once it ends, not before the gap is up.
  for (let i = 0; i < 1_000; i++) look.dropped("127.0.0.1");
  await clock.advance(1_000);
  release!();
  await Bun.sleep(0);
  await clock.advance(3_999);
  expect(looks).toEqual([3_500]);
  await clock.advance(1);
  expect(looks).toEqual([3_500, 8_500]);
  release!();
  await Bun.sleep(0);
  // No drop since: no look.
  await clock.advance(60_000);
  expect(looks).toHaveLength(2);
  expect(look.stats).toEqual({ looks: 2, asked: 11_000 });
  await look.stop();
});
