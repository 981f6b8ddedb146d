// Fixed-window counting, window reset, header values and the once-per-window rejection flag.
import { describe, expect, test } from "bun:test";
import { createManualClock } from "../../../src/core/clock";
import { createRateLimiter, rateLimitHeaders } from "../../../src/security/rate-limiter";

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
});
