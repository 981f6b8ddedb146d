import { expect, test } from "bun:test";
import { lookPace } from "../../../../src/watch/watchdog/look-pace";

const MIN = 60_000;
const T0 = Date.parse("2026-11-23T04:00:00Z");

test("looks that fit the interval are on pace; the default interval is not called lengthened", () => {
  const p = lookPace({ intervalMs: MIN, lastStartedMs: T0, lastDurationMs: 20_000, nowMs: T0 + 30_000 });
  expect(p).toMatchObject({ interval: "1m", lengthened: false, behind: false, note: null, effectiveIntervalMs: 80_000 });
  expect(p.lastLookStartedAt).toBe("2026-11-23T04:00:00.000Z");
});

test("a look in progress for longer than the interval is falling behind before it ends", () => {
  const p = lookPace({ intervalMs: 5 * MIN, lastStartedMs: T0, lastDurationMs: MIN, runningSinceMs: T0 + 6 * MIN, nowMs: T0 + 14 * MIN });
  expect(p.behind).toBe(true);
  expect(p.lengthened).toBe(true);
  expect(p.lookInProgressSince).toBe("2026-11-23T04:06:00.000Z");
  expect(p.note).toContain("the look in progress has taken 8m, longer than watchdog.interval (5m)");
  expect(p.note).toContain("a look starts only every 13m");
});

test("a look exactly as long as the interval is not yet behind", () => {
  expect(lookPace({ intervalMs: MIN, lastStartedMs: T0, lastDurationMs: MIN, nowMs: T0 + MIN }).behind).toBe(false);
});
