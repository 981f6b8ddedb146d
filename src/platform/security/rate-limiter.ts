// Fixed-window request counters per caller (IP or key name), with the numbers the RateLimit-* and Retry-After
// headers need. Memory and work are bounded: past 10,000 callers expired windows are swept, at most once per
// window (a sweep per new caller made a flood of distinct addresses quadratic: 20,000 callers in one window took
// 7 s of CPU), and past 100,000 callers within one window the table starts over (so many addresses are not slowed
// by a per-address limit anyway; dropping the oldest one by one costs ~80 µs each in a Map that large).
import type { Clock } from "../core/clock";

export interface RateRule {
  requests: number;
  windowMs: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (at least 1). */
  resetSeconds: number;
  windowSeconds: number;
  /** True only for the first rejected request of a window (so denials are audited once per window). */
  firstRejection: boolean;
}

export interface RateLimiter {
  hit(key: string): RateDecision;
  readonly rule: RateRule;
  /** Number of callers currently tracked. */
  size(): number;
}

interface Window {
  start: number;
  count: number;
}

const SWEEP_AT = 10_000;
/** Callers tracked at most; a new caller beyond it clears the table. */
export const MAX_TRACKED_CALLERS = 100_000;

export function createRateLimiter(rule: RateRule, clock: Clock): RateLimiter {
  const windows = new Map<string, Window>();
  let lastSweep = Number.NEGATIVE_INFINITY;
  const sweep = (now: number) => {
    lastSweep = now;
    for (const [k, w] of windows) if (now - w.start >= rule.windowMs) windows.delete(k);
  };
  return {
    rule,
    hit(key) {
      const now = clock.now();
      let w = windows.get(key);
      if (!w || now - w.start >= rule.windowMs) {
        if (!w && windows.size >= SWEEP_AT && now - lastSweep >= rule.windowMs) sweep(now);
        if (!w && windows.size >= MAX_TRACKED_CALLERS) windows.clear();
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      w.count++;
      const allowed = w.count <= rule.requests;
      return {
        allowed,
        limit: rule.requests,
        remaining: Math.max(0, rule.requests - w.count),
        resetSeconds: Math.max(1, Math.ceil((w.start + rule.windowMs - now) / 1000)),
        windowSeconds: Math.max(1, Math.round(rule.windowMs / 1000)),
        firstRejection: w.count === rule.requests + 1,
      };
    },
    size: () => windows.size,
  };
}

/** The RateLimit header fields (IETF httpapi-ratelimit-headers draft) plus Retry-After when rejected. */
export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  return {
    "RateLimit-Limit": String(d.limit),
    "RateLimit-Remaining": String(d.remaining),
    "RateLimit-Reset": String(d.resetSeconds),
    "RateLimit-Policy": `${d.limit};w=${d.windowSeconds}`,
    ...(d.allowed ? {} : { "Retry-After": String(d.resetSeconds) }),
  };
}
