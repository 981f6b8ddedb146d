// The key-value store's contract with the wings that write to it without owning it (a start request's
// `keyvaluestore` items): the one write they need, and the longest TTL a key may have.

/** Ten years: longer TTLs are almost certainly unit mistakes and would overflow timers downstream. */
export const MAX_TTL_MS = 10 * 365 * 24 * 3600 * 1000;

/** The one KV call a start request needs (Butler's `keyvaluestore` body items); the KV store implements it. */
export interface KeyValueWriter {
  setKey(namespace: string, key: string, value: string, ttlMs?: number): void | Promise<void>;
}
