// Token buckets for what the Engine's lines may cost (issue 75, E1): reloads judged (a steady rate with a burst, in
// place of a fixed window that let twice the rate through at its edge), and pages per app and per node (a flood
// of one app's or one node's failures pages a few times, then is listed and counted). Keys are bounded: a forger
// naming a new app per line gets fresh buckets only until the table is full, then shares one.
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import type { Counter } from "../../platform/core/metrics";
import { createRefusalSummary } from "../intake/refusal-summary";
import type { FinishedReload } from "./reload-tracker";
import { reloadBytes } from "./reload-store";

export interface TokenBuckets {
  /** Takes `cost` tokens (1 by default) from `key`'s bucket: false, and none taken, when it holds fewer. */
  take(key: string, cost?: number): boolean;
}

const MAX_KEYS = 10_000;
const OVERFLOW_KEY = "\u0000overflow";

/** `capacity` tokens at most, `perMs` milliseconds for each token to come back. */
export function createTokenBuckets(capacity: number, perMs: number, clock: Clock): TokenBuckets {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key, cost = 1) {
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
      if (b.tokens < cost) return false;
      b.tokens -= cost;
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

/**
 * The bytes each sender address may add to the store an hour (engineReloads.maxStoreBytesPerSourcePerHour): a sender
 * spoofing a node's address cannot churn the table (issue 86: the whole 32 MiB replaced in about 12 minutes within
 * maxRunsPerMinute). A reload past its sender's budget is counted (verdict source_budget) and said in one line a minute.
 */
export function createSourceBytes(perHour: number, deps: { clock: Clock; log: Logger; verdicts: Counter }) {
  const buckets = createTokenBuckets(perHour, 3_600_000 / perHour, deps.clock);
  const summary = createRefusalSummary({
    clock: deps.clock,
    log: deps.log,
    what: "",
    line: (n, senders, list) =>
      `dropped ${n} Engine reload${n === 1 ? "" : "s"} of ${senders} sender${senders === 1 ? "" : "s"} in the last minute, more than engineReloads.maxStoreBytesPerSourcePerHour (${perHour} bytes) from one address: ${list}`,
  });
  return {
    /** True when the reload's sender may still add it (a reload read back from the store has no sender: true). */
    admits(run: FinishedReload): boolean {
      if (run.source === undefined || buckets.take(run.source, reloadBytes(run))) return true;
      deps.verdicts.inc({ outcome: run.outcome, verdict: "source_budget" });
      summary.add(run.source);
      return false;
    },
    stop: () => summary.stop(),
  };
}
