// How many wrong calendar-feed tokens one client may present (issue 104). A feed's token is 256 random bits, so
// guessing cannot succeed; the bound keeps a guesser from costing store lookups without end and makes one show in
// the log. A client past it waits out the window, even with a right token (a hit must not show through the 429),
// while other clients, and the real calendars' polls (which present right tokens), are not counted at all.
// Kept in the store (issue 103), so on PostgreSQL the budget is the cluster's: a guesser spread over the Stewards
// behind a load balancer gets one budget, not one on each. One row per client address, expiring with its window.
import type { Clock } from "../../platform/core/clock";
import type { MigrationSet } from "../../platform/store/database";
import type { SqlDb } from "../../platform/store/sql";

/** Wrong tokens one client may present in FEED_MISS_WINDOW_MS; a calendar program with a stale URL makes one every poll. */
export const FEED_MISSES_PER_CLIENT = 20;
export const FEED_MISS_WINDOW_MS = 10 * 60_000;
/** Clients remembered at most; past it the table starts over (so many addresses are not slowed by a per-client bound anyway). */
export const FEED_GUARD_MAX_CLIENTS = 10_000;
/** An address is at most 45 characters (IPv6 with an IPv4 tail); anything longer is cut, so a row's bytes are bounded. */
const MAX_CLIENT_CHARS = 64;

export const feedGuardMigrations: MigrationSet = {
  module: "oncall-feed-guard",
  migrations: [
    {
      version: 1,
      name: "wrong calendar feed tokens per client address",
      sql: `
        CREATE TABLE oncall_feed_misses (client TEXT PRIMARY KEY, window_start INTEGER NOT NULL, misses INTEGER NOT NULL);
        CREATE INDEX oncall_feed_misses_window ON oncall_feed_misses (window_start);
      `,
    },
  ],
};

export interface FeedGuard {
  /** Seconds the client must wait before presenting any token, or 0. */
  waitSeconds(client: string): Promise<number>;
  /** A wrong token from `client`; true when this one used up its budget (logged once on the whole site). */
  miss(client: string): Promise<boolean>;
}

export function createFeedGuard(db: SqlDb, clock: Clock): FeedGuard {
  const key = (client: string) => client.slice(0, MAX_CLIENT_CHARS);
  return {
    async waitSeconds(client) {
      const now = clock.now();
      const row = await db.get<{ window_start: number; misses: number }>("SELECT window_start, misses FROM oncall_feed_misses WHERE client = ?", [key(client)]);
      const start = Number(row?.window_start ?? 0);
      if (!row || Number(row.misses) < FEED_MISSES_PER_CLIENT || now - start >= FEED_MISS_WINDOW_MS) return 0;
      return Math.max(1, Math.ceil((start + FEED_MISS_WINDOW_MS - now) / 1000));
    },
    async miss(client) {
      const now = clock.now();
      const since = now - FEED_MISS_WINDOW_MS;
      // One statement counts the miss on any Steward: a window still open goes on, an expired one starts again.
      const row = await db.get<{ misses: number; window_start: number }>(
        `INSERT INTO oncall_feed_misses (client, window_start, misses) VALUES (?, ?, 1)
         ON CONFLICT (client) DO UPDATE SET
           misses = CASE WHEN oncall_feed_misses.window_start > ? THEN oncall_feed_misses.misses + 1 ELSE 1 END,
           window_start = CASE WHEN oncall_feed_misses.window_start > ? THEN oncall_feed_misses.window_start ELSE excluded.window_start END
         RETURNING misses, window_start`,
        [key(client), now, since, since],
      );
      const misses = Number(row?.misses ?? 1);
      // A new window: the rows of windows gone by go, and past the bound the table starts over.
      if (misses === 1) {
        await db.run("DELETE FROM oncall_feed_misses WHERE window_start <= ?", [since]);
        const n = Number((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM oncall_feed_misses"))?.n ?? 0);
        if (n > FEED_GUARD_MAX_CLIENTS) await db.run("DELETE FROM oncall_feed_misses WHERE client <> ?", [key(client)]);
      }
      return misses === FEED_MISSES_PER_CLIENT;
    },
  };
}
