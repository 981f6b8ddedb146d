// Fixed-window counting, window reset, header values and the once-per-window rejection flag.
import { describe, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { MAX_TRACKED_CALLERS, createRateLimiter, rateLimitHeaders } from "../../../../src/platform/security/rate-limiter";

describe("rate limiter", () => {
  test("counts per key within a window and resets after it", async () => {
    const clock = createManualClock(1_000_000);
    const rl = createRateLimiter({ requests: 2, windowMs: 30_000 }, clock);
    expect(rl.hit("a")).toMatchObject({ allowed: true, remaining: 1, resetSeconds: 30 });
    expect(rl.hit("a")).toMatchObject({ allowed: true, remaining: 0 });
    await clock.advance(12_500);
    const third = rl.hit("a");
    expect(third).toMatchObject({ allowed: false, remaining: 0, resetSeconds: 18, firstRejection: true });
    expect(rl.hit("a").firstRejection).toBe(false);
    expect(rl.hit("b").allowed).toBe(true);
    await clock.advance(17_500);
    expect(rl.hit("a")).toMatchObject({ allowed: true, remaining: 1, resetSeconds: 30 });
    expect(rateLimitHeaders(third)).toEqual({
      "RateLimit-Limit": "2",
      "RateLimit-Remaining": "0",
      "RateLimit-Reset": "18",
      "RateLimit-Policy": "2;w=30",
      "Retry-After": "18",
    });
  });

  test("expired windows are swept when the table is large", async () => {
    const clock = createManualClock(0);
    const rl = createRateLimiter({ requests: 1, windowMs: 1000 }, clock);
    for (let i = 0; i < 10_000; i++) rl.hit(`ip-${i}`);
    expect(rl.size()).toBe(10_000);
    await clock.advance(1000);
    rl.hit("new");
    expect(rl.size()).toBe(1);
  });

  test("a flood of distinct callers in one window stays bounded: the table starts over past MAX_TRACKED_CALLERS, and is swept once the window is over", async () => {
    // Before: every new caller past 10,000 swept the whole table (quadratic: 40,000 callers took 21 s of CPU), and
    // the table grew without limit within a window.
    const clock = createManualClock(0);
    const rl = createRateLimiter({ requests: 5, windowMs: 60_000 }, clock);
    for (let i = 0; i < MAX_TRACKED_CALLERS; i++) rl.hit(`2001:db8::${i.toString(16)}`);
    expect(rl.size()).toBe(MAX_TRACKED_CALLERS);
    for (let i = 0; i < 50_000; i++) rl.hit(`2001:db8:1::${i.toString(16)}`);
    expect(rl.size()).toBe(50_000);
    // Callers seen since the table started over are counted as before.
    for (let i = 0; i < 4; i++) rl.hit("2001:db8:1::1");
    expect(rl.hit("2001:db8:1::1")).toMatchObject({ allowed: false, firstRejection: true });
    await clock.advance(60_000);
    rl.hit("2001:db8::ffff:1");
    expect(rl.size()).toBe(1);
  }, 60_000);
});
