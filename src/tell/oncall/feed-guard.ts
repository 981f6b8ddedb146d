// How many wrong calendar-feed tokens one client may present (issue 104). A feed's token is 256 random bits, so
// guessing cannot succeed; the bound keeps a guesser from costing store lookups without end and makes one show in
// the log. A client past it waits out the window, even with a right token (a hit must not show through the 429),
// while other clients, and the real calendars' polls (which present right tokens), are not counted at all.
// Per Steward, in memory: a guesser spread over a cluster's members gets one budget on each.
import type { Clock } from "../../platform/core/clock";

/** Wrong tokens one client may present in FEED_MISS_WINDOW_MS; a calendar program with a stale URL makes one every poll. */
export const FEED_MISSES_PER_CLIENT = 20;
export const FEED_MISS_WINDOW_MS = 10 * 60_000;
/** Clients remembered at most; past it the table starts over (so many addresses are not slowed by a per-client bound anyway). */
const MAX_CLIENTS = 10_000;

export interface FeedGuard {
  /** Seconds the client must wait before presenting any token, or 0. */
  waitSeconds(client: string): number;
  /** A wrong token from `client`; true when this one used up its budget (log it once). */
  miss(client: string): boolean;
}

export function createFeedGuard(clock: Clock): FeedGuard {
  const misses = new Map<string, { start: number; count: number }>();
  const windowOf = (client: string) => {
    const w = misses.get(client);
    if (w && clock.now() - w.start < FEED_MISS_WINDOW_MS) return w;
    if (w) misses.delete(client);
    return undefined;
  };
  return {
    waitSeconds(client) {
      const w = windowOf(client);
      if (!w || w.count < FEED_MISSES_PER_CLIENT) return 0;
      return Math.max(1, Math.ceil((w.start + FEED_MISS_WINDOW_MS - clock.now()) / 1000));
    },
    miss(client) {
      const w = windowOf(client);
      if (w) return ++w.count === FEED_MISSES_PER_CLIENT;
      if (misses.size >= MAX_CLIENTS) misses.clear();
      misses.set(client, { start: clock.now(), count: 1 });
      return false;
    },
  };
}
