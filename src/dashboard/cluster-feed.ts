// In a cluster each event is handled by one Steward (runs are claimed once), so each Steward's own dashboard
// would show a slice of the site. The feed fixes that: every Steward writes the events it handles to one table of
// the shared store, and every Steward reads that table every second into its own timeline and run history (its
// local file), so the overview, the charts and the events are the whole site's on every node, each entry naming
// the Steward that handled it.
import type { EventBus } from "../core/bus";
import { type Clock, every, systemClock } from "../core/clock";
import type { Component } from "../core/lifecycle";
import type { Logger } from "../core/logger";
import type { DomainEvent, DomainEvents } from "../events/types";
import type { MigrationSet } from "../store/database";
import type { SqlDb } from "../store/sql";
import { createFeedWriter } from "./feed-writer";

export const dashboardFeedMigrations: MigrationSet = {
  module: "dashboard_feed",
  migrations: [
    {
      version: 1,
      name: "site-wide dashboard feed",
      sql: `CREATE TABLE dashboard_feed (id INTEGER PRIMARY KEY AUTOINCREMENT, seen_at INTEGER NOT NULL, steward TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL);
        CREATE INDEX dashboard_feed_seen ON dashboard_feed (seen_at);`,
    },
  ],
};

const POLL_MS = 1_000;
const ROWS_PER_POLL = 500;
/**
 * Ids are handed out at insert and committed in any order: a row with a lower id may become visible after a
 * higher one was read. Each poll re-reads this far behind the newest id seen and skips what it already took.
 */
const REREAD = 200;
const KEEP_MS = 24 * 3_600_000;
/** A flood of runs must not grow the shared table without end: beyond this many rows the oldest go. */
export const FEED_MAX_ROWS = 50_000;

export interface FeedSink {
  /** One event of the site, oldest first. */
  take(event: DomainEvent, seenAt: number, steward: string): void;
}

export interface ClusterFeed extends Component {
  /** Reads what is new now (the timer does it every second). */
  poll(): Promise<number>;
}

export function createClusterFeed(deps: {
  db: SqlDb;
  bus: EventBus<DomainEvents>;
  steward: string;
  sink: FeedSink;
  log: Logger;
  now?: () => number;
  /** The polls run on it (the system clock when left out). */
  clock?: Clock;
  /** How often to read what other Stewards wrote (POLL_MS when left out; src/cluster/peer-poll.ts). */
  pollMs?: () => number;
  /** Where a restart resumes (the local store's meta), so the timeline does not take the same events twice. */
  cursor: { get(): number | undefined; set(id: number): void };
  /** On a first start: how many of the newest events to take. */
  initial: number;
  /** Rows kept at most (FEED_MAX_ROWS). */
  maxRows?: number;
}): ClusterFeed {
  const now = deps.now ?? Date.now;
  const log = deps.log.child({ module: "dashboard-feed" });
  const seen = new Set<number>();
  let newest = 0;
  let stopPolls: (() => void) | undefined;
  let off: (() => void) | undefined;
  let polling: Promise<number> | undefined;
  let lastError = "";
  let pruneAt = 0;
  let prunedUpTo = 0;
  const maxRows = deps.maxRows ?? FEED_MAX_ROWS;

  const write = createFeedWriter(deps.db, deps.steward);
  const publish = (event: DomainEvent) => {
    const { scriptLog, ...rest } = event as DomainEvent & { scriptLog?: { text?: string } };
    // The whole script log stays out (the outbox has it); the excerpt the pages show stays in.
    const stored = scriptLog ? { ...rest, scriptLog: { ...scriptLog, text: undefined } } : rest;
    write({ seenAt: now(), kind: event.kind, payload: JSON.stringify(stored) })
      .then(readOwnWrite)
      .catch((err: Error) =>
        log.warn({ err: err.message }, "cannot add an event to the site-wide dashboard feed (it shows on this Steward's pages only after the store is back)"),
      );
  };
  /**
   * This Steward's own event is on its pages as soon as it is in the table, not at the next poll (slow while the
   * cluster has no other member): read after the write, after the read running now if one is (it may have missed it).
   */
  const readOwnWrite = () => {
    if (!off) return;
    if (polling) void polling.then(() => feed.poll());
    else void feed.poll();
  };

  async function readOnce(): Promise<number> {
    const rows = await deps.db.all<{ id: number; seen_at: number; steward: string; payload: string }>(
      "SELECT id, seen_at, steward, payload FROM dashboard_feed WHERE id > ? ORDER BY id LIMIT ?",
      [Math.max(0, newest - REREAD), ROWS_PER_POLL + REREAD],
    );
    let taken = 0;
    for (const r of rows) {
      const id = Number(r.id);
      if (seen.has(id) || id <= newest - REREAD) continue;
      seen.add(id);
      if (id > newest) newest = id;
      try {
        deps.sink.take(JSON.parse(r.payload) as DomainEvent, Number(r.seen_at), r.steward);
        taken++;
      } catch (err) {
        log.warn({ id, err: (err as Error).message }, "an entry of the dashboard feed could not be shown");
      }
    }
    for (const id of seen) if (id <= newest - REREAD) seen.delete(id);
    if (taken > 0) deps.cursor.set(newest);
    if (now() >= pruneAt || newest - prunedUpTo >= maxRows / 10) {
      pruneAt = now() + 10 * 60_000;
      prunedUpTo = newest;
      await deps.db.run("DELETE FROM dashboard_feed WHERE seen_at < ?", [now() - KEEP_MS]);
      await deps.db.run("DELETE FROM dashboard_feed WHERE id <= ?", [newest - maxRows]);
    }
    return taken;
  }

  const feed: ClusterFeed = {
    name: "dashboard-feed",
    async start() {
      const saved = deps.cursor.get();
      if (saved !== undefined) newest = saved;
      else {
        const max = Number((await deps.db.get<{ m: number | null }>("SELECT MAX(id) AS m FROM dashboard_feed"))?.m ?? 0);
        newest = Math.max(0, max - deps.initial);
      }
      // Ids up to the saved cursor were taken before the restart: only later ones are new.
      for (let id = Math.max(1, newest - REREAD + 1); id <= newest; id++) seen.add(id);
      off = deps.bus.onAny((_kind, payload) => publish(payload as DomainEvent));
      stopPolls = every(deps.clock ?? systemClock, deps.pollMs ?? POLL_MS, () => void feed.poll());
      await feed.poll();
    },
    async stop() {
      off?.();
      off = undefined;
      stopPolls?.();
      stopPolls = undefined;
      await polling;
    },
    poll() {
      polling ??= readOnce()
        .then((n) => {
          if (lastError) log.info("the site-wide dashboard feed is readable again");
          lastError = "";
          return n;
        })
        .catch((err: Error) => {
          if (err.message !== lastError) log.warn({ err: err.message }, "cannot read the site-wide dashboard feed; the pages show what was read before");
          lastError = err.message;
          return 0;
        })
        .finally(() => {
          polling = undefined;
        });
      return polling;
    },
  };
  return feed;
}
