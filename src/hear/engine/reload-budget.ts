// Token buckets for what the Engine's lines may cost (issue 75, E1): reloads judged (a steady rate with a burst, in
// place of a fixed window that let twice the rate through at its edge), and pages per app and per node (a flood
// of one app's or one node's failures pages a few times, then is listed and counted). Keys are bounded: a forger
// naming a new app per line gets fresh buckets only until the table is full, then shares one.
import type { Clock } from "../../platform/core/clock";

export interface TokenBuckets {
  /** Takes a token from `key`'s bucket: false when it is empty. */
  take(key: string): boolean;
}

const MAX_KEYS = 10_000;
const OVERFLOW_KEY = "\u0000overflow";

/** `capacity` tokens at most, `perMs` milliseconds for each token to come back. */
export function createTokenBuckets(capacity: number, perMs: number, clock: Clock): TokenBuckets {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const now = clock.now();
      let k = key;
      if (!buckets.has(k) && buckets.size >= MAX_KEYS) {
        // Full buckets carry nothing worth keeping.
        for (const [bk, b] of buckets) if (Math.min(capacity, b.tokens + (now - b.at) / perMs) >= capacity) buckets.delete(bk);
        if (buckets.size >= MAX_KEYS) k = OVERFLOW_KEY;
      }
      const b = buckets.get(k) ?? { tokens: capacity, at: now };
      b.tokens = Math.min(capacity, b.tokens + (now - b.at) / perMs);
      b.at = now;
      buckets.set(k, b);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
  };
}

/** A set of at most `max` keys; past it the oldest key is forgotten (a forger naming new apps cannot grow it). */
export function createBoundedSet(max: number) {
  const keys = new Set<string>();
  return {
    add(key: string): void {
      keys.delete(key);
      keys.add(key);
      if (keys.size > max) keys.delete(keys.values().next().value as string);
    },
    delete: (key: string): boolean => keys.delete(key),
  };
}
