// The audit log's retention: entries older than maxAge go, and past maxEntries the oldest, denials first. It runs when
// the log may hold its slack above the cap, from the hourly timer, and when asked (prune()). Every statement deletes a
// bounded chunk and the event loop turns between two: on the SQLite file the statements run on the event loop.
import { setImmediate } from "node:timers";
import type { Clock } from "../core/clock";
import type { SqlDb } from "../store/sql";

export interface AuditRetention {
  maxAgeMs: number;
  maxEntries: number;
}

export const DEFAULT_AUDIT_RETENTION: AuditRetention = { maxAgeMs: 90 * 86_400_000, maxEntries: 200_000 };

/**
 * The cap is a bound with a slack: retention runs when the log may hold this share of maxEntries more than the cap
 * (by the count its last run left plus the entries recorded since), and deletes back down to the cap. Pruning a few
 * rows after every write past the cap cost each write a count and a scan (a KV set went from about 42 to 70 µs past
 * the default cap). With several Stewards writing one PostgreSQL store, each counts its own entries, so the log holds
 * at most the cap plus this slack per Steward.
 */
export const AUDIT_PRUNE_SLACK = 0.01;

/**
 * Rows one retention statement deletes at most, with a turn of the event loop between two: one delete of the 2,000
 * rows of the slack held the event loop about 3 ms, ten times a second under a steady load of KV sets (issue 69); a
 * chunk of 500 takes about a fifth of that.
 */
export const AUDIT_DELETE_CHUNK = 500;

const DELETE_OLDER = "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < ? LIMIT ?)";
const COUNT = "SELECT COUNT(*) AS n FROM audit";
// Denials go first: a flood of refused requests must not push task starts and key changes out of the log.
const DELETE_OLDEST_DENIED = "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE result = 'denied' ORDER BY id LIMIT ?)";
const DELETE_OLDEST = "DELETE FROM audit WHERE id IN (SELECT id FROM audit ORDER BY id LIMIT ?)";

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface Retention {
  /** Runs retention (or joins the run under way); `count`: the store counts the log rather than the estimate. */
  prune(count: boolean): Promise<number>;
  /** The run under way, if any. */
  running(): Promise<number> | undefined;
  /** Entries written (or on their way): starts a run once the log may hold its slack above the cap. */
  counted(n: number): void;
}

export function createRetention(
  db: SqlDb,
  clock: Clock,
  retention: AuditRetention,
  deps: {
    /** The audit batch being written now, if any. */
    writing(): Promise<void> | undefined;
    onError(err: Error, what: string): void;
  },
): Retention {
  /** Entries the log held when retention last ran (undefined until it has), and entries recorded since it started. */
  let heldAfterPrune: number | undefined;
  let insertsSincePrune = 0;
  let pruning: Promise<number> | undefined;
  const pruneAt = retention.maxEntries + Math.max(1, Math.ceil(retention.maxEntries * AUDIT_PRUNE_SLACK));

  /** Runs `sql` (its last parameter the chunk's size) until it deletes fewer than a chunk or `most` rows are gone. */
  const deleteInChunks = async (sql: string, params: readonly string[], most: number): Promise<number> => {
    let deleted = 0;
    while (deleted < most) {
      const chunk = Math.min(AUDIT_DELETE_CHUNK, most - deleted);
      const changes = (await db.run(sql, [...params, chunk])).changes;
      deleted += changes;
      if (changes < chunk) break;
      await nextTurn();
    }
    return deleted;
  };

  /**
   * With `count` (prune(), the hourly run, the first run, and always on PostgreSQL, where other Stewards write too)
   * the store counts the log; else it is the count the last run left plus the entries recorded since: on the SQLite
   * file this process is the only writer, and counting 200,000 rows held the event loop 4-8 ms at every run.
   */
  const run = async (count: boolean): Promise<number> => {
    // Count with the entries recorded before this run written (the batch on its way, then the one holding what
    // is queued now), so the next estimate starts from them; no longer, or a steady load would hold it off.
    for (let i = 0; i < 2; i++) {
      const writing = deps.writing();
      if (!writing) break;
      await writing;
    }
    const estimate = heldAfterPrune === undefined ? undefined : heldAfterPrune + insertsSincePrune;
    const counting = count || estimate === undefined || db.dialect !== "sqlite";
    // A count kept on SQLite starts from the rows the COUNT saw: entries committed while this run waited for it are
    // in the COUNT, and must not be counted again on top of it (the kept count would stay high until the next COUNT).
    const countKept = counting && db.dialect === "sqlite";
    if (!countKept) insertsSincePrune = 0;
    const old = await deleteInChunks(DELETE_OLDER, [new Date(clock.now() - retention.maxAgeMs).toISOString()], Number.POSITIVE_INFINITY);
    let held = Math.max(0, (estimate ?? 0) - old);
    if (counting) {
      held = Number((await db.get<{ n: number }>(COUNT))?.n ?? 0);
      if (countKept) insertsSincePrune = 0;
    }
    const excess = held - retention.maxEntries;
    let trimmed = 0;
    if (excess > 0) {
      trimmed = await deleteInChunks(DELETE_OLDEST_DENIED, [], excess);
      if (trimmed < excess) trimmed += await deleteInChunks(DELETE_OLDEST, [], excess - trimmed);
    }
    heldAfterPrune = held - trimmed;
    return old + trimmed;
  };

  const prune = (count: boolean): Promise<number> =>
    (pruning ??= run(count)
      .catch((err: unknown) => {
        // The store refused or could not be reached: try again once the next slack's worth of entries is recorded
        // (counting the log as at its cap), not on every entry meanwhile; the hourly run tries too. While retention
        // cannot run the bound cannot hold; the first run that can deletes back down to the cap.
        heldAfterPrune = retention.maxEntries;
        insertsSincePrune = 0;
        throw err;
      })
      .finally(() => {
        pruning = undefined;
        // Entries committed after its count that bring the log to its slack again: the next run now, not at the next
        // entry, so a log that goes quiet (and flush(), which waits for retention) ends within the cap and its slack.
        if (heldAfterPrune !== undefined && heldAfterPrune + insertsSincePrune >= pruneAt) inBackground();
      }));
  const inBackground = () => void prune(false).catch((err: Error) => deps.onError(err, "audit retention"));

  return {
    prune,
    running: () => pruning,
    counted(n) {
      insertsSincePrune += n;
      if (!pruning && (heldAfterPrune === undefined || heldAfterPrune + insertsSincePrune >= pruneAt)) inBackground();
    },
  };
}
