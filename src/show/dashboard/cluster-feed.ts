// In a cluster each event is handled by one Steward (runs are claimed once), so each Steward's own dashboard
// would show a slice of the site. The feed fixes that: every Steward writes the events it handles to one table of
// the shared store, and every Steward reads what the others wrote every second into its own timeline and run history
// (its local file), so the overview, the charts and the events are the whole site's on every node, each entry naming
// the Steward that handled it. A Steward's own events go to its pages once their row is committed, without being
// read back (at thousands of runs a second, reading and parsing its own rows again was most of the feed's cost).
import type { EventBus } from "../../platform/core/bus";
import { type Clock, every, systemClock } from "../../platform/core/clock";
import type { Component } from "../../platform/core/lifecycle";
import type { Logger } from "../../platform/core/logger";
import type { DomainEvent, DomainEvents } from "../../platform/events/types";
import type { MigrationSet } from "../../platform/store/database";
import type { SqlDb } from "../../platform/store/sql";
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
    {
      version: 2,
      name: "the Steward that wrote each feed row",
      // Which Steward's local store wrote the row (a random id kept there, unlike the name two nodes may share), so
      // it need not read its own rows back; rows of earlier versions have none and are read by every Steward.
      sql: "ALTER TABLE dashboard_feed ADD COLUMN writer TEXT",
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
  /** One event of the site, oldest first; `json`: the event as stored (its JSON text, to keep without writing it again). */
  take(event: DomainEvent, seenAt: number, steward: string, json?: string): void;
}

export interface ClusterFeed extends Component {
  /** Reads what is new now (the timer does it every second). */
  poll(): Promise<number>;
}

/** The payloads of rows first met below the newest id taken (committed late): their read left them out. */
async function latePayloads(db: SqlDb, ids: number[]): Promise<Map<number, string>> {
  const payloads = new Map<number, string>();
  if (ids.length === 0) return payloads;
  const sql = `SELECT id, payload FROM dashboard_feed WHERE id IN (${ids.map(() => "?").join(", ")})`;
  for (const r of await db.all<{ id: number; payload: string }>(sql, ids)) payloads.set(Number(r.id), r.payload);
  return payloads;
}

/** Rows older than KEEP_MS go, and beyond `maxRows` the oldest. */
async function prune(db: SqlDb, now: number, maxRows: number): Promise<void> {
  await db.run("DELETE FROM dashboard_feed WHERE seen_at < ?", [now - KEEP_MS]);
  await db.run("DELETE FROM dashboard_feed WHERE id <= (SELECT MAX(id) FROM dashboard_feed) - ?", [maxRows]);
}

/**
 * When the table is pruned: every 10 minutes, or once a tenth of maxRows was added (by anyone, as far as this
 * Steward knows) since the last prune. `alone()`: the prune of a timed look that read nothing (src/platform/cluster/peer-poll.ts).
 */
function pruneSchedule(db: SqlDb, now: () => number, maxRows: number, log: Logger) {
  let pruneAt = 0;
  let added = 0;
  let pruning: Promise<void> | undefined;
  const ifDue = async (): Promise<void> => {
    if (now() < pruneAt && added < maxRows / 10) return;
    pruneAt = now() + 10 * 60_000;
    added = 0;
    await prune(db, now(), maxRows);
  };
  return {
    added: (n: number) => void (added += n),
    ifDue,
    alone() {
      pruning ??= ifDue()
        .catch((err: Error) => void log.warn({ err: err.message }, "cannot prune the site-wide dashboard feed"))
        .finally(() => {
          pruning = undefined;
        });
    },
    settled: () => pruning,
  };
}

export function createClusterFeed(deps: {
  db: SqlDb;
  bus: EventBus<DomainEvents>;
  steward: string;
  /**
   * Names this Steward's rows, so that its polls leave them out (its own events reach the sink once written): the
   * same across its restarts (kept in its local store), and no other Steward's.
   */
  writer: string;
  sink: FeedSink;
  log: Logger;
  now?: () => number;
  /** The polls run on it (the system clock when left out). */
  clock?: Clock;
  /** How often to read what other Stewards wrote (POLL_MS when left out; src/platform/cluster/peer-poll.ts). */
  pollMs?: () => number;
  /**
   * Asked before each timed read: false skips it (alone in the cluster, nobody joined or left since the last read:
   * src/platform/cluster/peer-poll.ts); the table's prune still runs when due. `missed()` after a failed read.
   */
  lookGate?: (() => boolean) & { missed(): void };
  /** Where a restart resumes (the local store's meta), so the timeline does not take the same events twice. */
  cursor: { get(): number | undefined; set(id: number): void };
  /** On a first start: how many of the newest events to take. */
  initial: number;
  /** Rows kept at most (FEED_MAX_ROWS). */
  maxRows?: number;
}): ClusterFeed {
  const now = deps.now ?? Date.now;
  const log = deps.log.child({ module: "dashboard-feed" });
  /** Ids of other Stewards' rows taken within REREAD of `floor`. */
  const seen = new Set<number>();
  /** The newest id taken from another Steward: above it rows come with their payload. */
  let newest = 0;
  /** Polls read from REREAD below it: the newest id taken, or one of this Steward's rows a complete poll passed. */
  let floor = 0;
  /** The newest id of this Steward's rows committed so far. */
  let ownNewest = 0;
  let stopPolls: (() => void) | undefined;
  let off: (() => void) | undefined;
  let polling: Promise<number> | undefined;
  let lastError = "";
  const prunes = pruneSchedule(deps.db, now, deps.maxRows ?? FEED_MAX_ROWS, log);
  /** This Steward's rows on their way: stop waits for them (a restart does not read them back). */
  const writing = new Set<Promise<void>>();
  let stopped = false;
  /** The cursor as last kept. */
  let saved: number | undefined;

  const write = createFeedWriter(deps.db, deps.steward, deps.writer);
  const publish = (event: DomainEvent) => {
    const { scriptLog, ...rest } = event as DomainEvent & { scriptLog?: { text?: string } };
    // The whole script log stays out (the outbox has it); the excerpt the pages show stays in.
    const stored = (scriptLog ? { ...rest, scriptLog: { ...scriptLog, text: undefined } } : rest) as DomainEvent;
    const seenAt = now();
    const payload = JSON.stringify(stored);
    const written = write({ seenAt, kind: event.kind, payload })
      .then((id) => {
        // On this Steward's pages as soon as it is in the table (as the others will show it), not read back.
        prunes.added(1);
        if (id > ownNewest) ownNewest = id;
        if (!stopped) deps.sink.take(stored, seenAt, deps.steward, payload);
      })
      .catch((err: Error) => log.warn({ err: err.message }, "cannot add an event to the site-wide dashboard feed (no dashboard shows it)"))
      .finally(() => writing.delete(written));
    writing.add(written);
  };

  /** Rows taken before are read again without their payload (a late commit below the newest one is what is looked for). */
  const READ = `SELECT id, seen_at, steward, CASE WHEN id > ? THEN payload END AS payload FROM dashboard_feed
    WHERE id > ? AND (writer IS NULL OR writer <> ?) ORDER BY id LIMIT ?`;
  async function readOnce(): Promise<number> {
    const from = floor;
    // This Steward's rows committed before this read are passed by it (a read not cut short by its limit sees every
    // row up to them, but for a late commit, which the REREAD window is for), so later reads start above them.
    const ownBefore = ownNewest;
    const rows = await deps.db.all<{ id: number; seen_at: number; steward: string; payload: string | null }>(READ, [
      newest,
      Math.max(0, from - REREAD),
      deps.writer,
      ROWS_PER_POLL + REREAD,
    ]);
    const payloads = await latePayloads(
      deps.db,
      rows.filter((r) => r.payload === null && !seen.has(Number(r.id))).map((r) => Number(r.id)),
    );
    let taken = 0;
    for (const r of rows) {
      const id = Number(r.id);
      if (seen.has(id) || id <= from - REREAD) continue;
      seen.add(id);
      if (id > newest) newest = id;
      if (id > floor) floor = id;
      try {
        const json = r.payload ?? payloads.get(id)!;
        deps.sink.take(JSON.parse(json) as DomainEvent, Number(r.seen_at), r.steward, json);
        taken++;
      } catch (err) {
        log.warn({ id, err: (err as Error).message }, "an entry of the dashboard feed could not be shown");
      }
    }
    if (rows.length < ROWS_PER_POLL + REREAD && ownBefore > floor) floor = ownBefore;
    for (const id of seen) if (id <= floor - REREAD) seen.delete(id);
    if (floor !== saved) deps.cursor.set((saved = floor));
    prunes.added(taken);
    await prunes.ifDue();
    return taken;
  }

  /** A timed look: the read, or (the gate says nobody else can have written) only the prune when it is due. */
  const timedPoll = () => void (!deps.lookGate || deps.lookGate() ? feed.poll() : polling || prunes.alone());

  const feed: ClusterFeed = {
    name: "dashboard-feed",
    async start() {
      saved = deps.cursor.get();
      if (saved !== undefined) newest = saved;
      else {
        const max = Number((await deps.db.get<{ m: number | null }>("SELECT MAX(id) AS m FROM dashboard_feed"))?.m ?? 0);
        newest = Math.max(0, max - deps.initial);
      }
      floor = newest;
      // Ids up to the saved cursor were taken (or written here) before the restart: only later ones are new.
      for (let id = Math.max(1, newest - REREAD + 1); id <= newest; id++) seen.add(id);
      stopped = false;
      off = deps.bus.onAny((_kind, payload) => publish(payload as DomainEvent));
      stopPolls = every(deps.clock ?? systemClock, deps.pollMs ?? POLL_MS, timedPoll);
      await feed.poll();
    },
    async stop() {
      off?.();
      off = undefined;
      stopPolls?.();
      stopPolls = undefined;
      await polling;
      await prunes.settled();
      while (writing.size > 0) await Promise.allSettled([...writing]);
      stopped = true;
    },
    poll() {
      polling ??= readOnce()
        .then((n) => {
          if (lastError) log.info("the site-wide dashboard feed is readable again");
          lastError = "";
          return n;
        })
        .catch((err: Error) => {
          deps.lookGate?.missed();
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
