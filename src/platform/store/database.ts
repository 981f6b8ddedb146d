// The store: one node:sqlite database file in the data directory, WAL mode, per-module numbered migrations,
// and an instance lock so a second Steward on the same data directory fails with a clear message.
import { DatabaseSync } from "node:sqlite";
import { mkdirSync, existsSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "../core/errors";
import { createSqliteDb } from "./sqlite-db";
import { createGroupCommit, type GroupCommit } from "./group-commit";
import { setImmediate } from "node:timers";
import { migrationSql } from "./migration-dialect";
import type { Migration, MigrationSet } from "./migration-types";
import type { SqlDb } from "./sql";
import { startWalCheckpointer, type WalCheckpointer } from "./wal-checkpointer";
import { createWriteHealth, type WriteHealth, type WriteHealthLog } from "./write-health";
import { type Clock, systemClock } from "../core/clock";
import { signalWrites } from "./write-signal";

export type { Migration, MigrationSet } from "./migration-types";

export interface Store {
  /** The SQLite connection of modules not yet moved to `sql`. */
  readonly db: DatabaseSync;
  /** The async seam (src/platform/store/sql.ts) on the same connection: what a module that can run on PostgreSQL uses. */
  readonly sql: SqlDb;
  /** Group commit for synchronous writes on `db` (modules not on the seam): one commit per turn of the event loop. */
  readonly writes: GroupCommit;
  readonly file: string;
  /** The WAL checkpoints the checkpoint thread ran, and why SQLite's own took over if they did (wal-checkpointer.ts). */
  readonly walCheckpoints: WalCheckpointer["stats"];
  /** Whether writes fail for a full disk (write-health.ts): /ready, the log and /metrics say it. */
  readonly writeHealth: WriteHealth;
  /**
   * Runs fn in one transaction (BEGIN IMMEDIATE … COMMIT), rolled back if it throws. Called while a `sql`
   * transaction is open on the connection (possible only from a microtask between its statements), it nests as a
   * savepoint instead of failing.
   */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export const STORE_FILE = "steward.db";

/**
 * Where the checkpoint thread cannot run (wal-checkpointer.ts falls back): SQLite copies the WAL into the database
 * inside the commit that takes it past this many pages (4 KiB each), the event loop waiting while it copies and
 * syncs. At SQLite's default of 1,000 pages a busy store paid that every few hundred commits (8.1-8.8 ms at p99 of
 * a KV set; 5.8-6.4 with 10,000, bench/README.md). The WAL is emptied when Steward stops.
 */
export const WAL_CHECKPOINT_PAGES = 10_000;
/** The instance lock: a small SQLite file of its own, held exclusively while the store is open. */
export const LOCK_FILE = "steward.lock";

/**
 * Holds the data directory for this Steward: a second one (another process, or another open in this one) fails to
 * take it. The store itself is opened in normal locking mode, so that the checkpoint thread's connection can work on it.
 */
function takeInstanceLock(dataDir: string, pidFile: string): DatabaseSync {
  let lock: DatabaseSync | undefined;
  try {
    lock = new DatabaseSync(join(dataDir, LOCK_FILE));
    lock.exec("PRAGMA busy_timeout = 0");
    lock.exec("PRAGMA locking_mode = EXCLUSIVE");
    // BEGIN EXCLUSIVE takes the file's exclusive lock, and exclusive locking mode keeps it past the transaction's end
    // until the connection closes; the ROLLBACK leaves even an empty file unwritten, and with the journal in memory no
    // journal file is made. The three writes this once made each wrote a journal and synced the file: about 1.3 ms of
    // CPU and 40-60 ms of waiting on the disk a start. An older build's lock (a `held` table) and this one refuse each
    // other just the same.
    lock.exec("PRAGMA journal_mode = MEMORY");
    lock.exec("BEGIN EXCLUSIVE; ROLLBACK");
    return lock;
  } catch (err) {
    lock?.close();
    const msg = String((err as Error).message);
    if (!/locked|busy/i.test(msg)) throw err;
    const owner = existsSync(pidFile) ? ` (process ${readFileSync(pidFile, "utf8").trim()})` : "";
    throw new AppError(
      "STORE_LOCKED",
      `the data directory ${dataDir} is in use by another Steward instance${owner}; stop it or give this one its own dataDir`,
      { cause: err },
    );
  }
}

export interface StoreOptions {
  /** Told when the checkpoint thread stops and SQLite's own checkpoints take over (a warning for the log). */
  onCheckpointFallback?(reason: string): void;
  /** Times the minute of failed writes and the checkpoint thread's tries on a full disk; the system clock by default. */
  clock?: Clock;
  /** Where a full disk is said: a line a minute while writes fail, one when they commit again. */
  log?: WriteHealthLog & { warn(fields: Record<string, unknown>, msg: string): void };
}

export function openStore(dataDir: string, migrationSets: MigrationSet[], options: StoreOptions = {}): Store {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, STORE_FILE);
  const pidFile = join(dataDir, "steward.pid");
  const lock = takeInstanceLock(dataDir, pidFile);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file);
    // The checkpoint thread's restart holds the writers for a millisecond or two: a write waits for it.
    db.exec("PRAGMA busy_timeout = 2000");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    // The checkpoint thread copies the WAL on (wal-checkpointer.ts); this connection only restarts it, or checkpoints
    // if the thread cannot.
    db.exec("PRAGMA wal_autocheckpoint = 0");
    db.exec("PRAGMA foreign_keys = ON");
  } catch (err) {
    lock.close();
    throw new AppError("STORE_FAILED", `cannot open the store ${file}: ${String((err as Error).message)}`, { cause: err });
  }

  const transaction = <T>(fn: () => T): T => {
    if (db.isTransaction) {
      db.exec("SAVEPOINT nested");
      try {
        const result = fn();
        db.exec("RELEASE nested");
        return result;
      } catch (err) {
        db.exec("ROLLBACK TO nested; RELEASE nested");
        throw err;
      }
    }
    db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      db.exec("COMMIT");
      return result;
    } catch (err) {
      db.exec("ROLLBACK");
      throw err;
    }
  };

  try {
    applyMigrations(db, migrationSets, transaction);
  } catch (err) {
    db.close();
    lock.close();
    throw err;
  }
  writeFileSync(pidFile, String(process.pid));
  const clock = options.clock ?? systemClock;
  const totalChanges = db.prepare("SELECT total_changes() AS n");
  const writeHealth = createWriteHealth({
    file,
    clock,
    ...(options.log ? { log: options.log } : {}),
    changes: () => Number((totalChanges.get() as { n: number }).n),
  });
  const checkpointer = startWalCheckpointer(file, {
    clock,
    ...(options.log ? { log: options.log } : {}),
    fallback: (reason) => {
      if (db.isOpen) db.exec(`PRAGMA wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
      options.onCheckpointFallback?.(reason);
    },
    restart: () => {
      if (!db.isOpen || db.isTransaction) return false;
      try {
        return (db.prepare("PRAGMA wal_checkpoint(RESTART)").get() as { busy: number }).busy === 0;
      } catch {
        return false;
      }
    },
  });
  // The checkpointer looks at the WAL only after a write: every module's statements on this connection tell it.
  signalWrites(db, checkpointer.written);

  let closed = false;
  // Closing the seam closes the store: it owns the connection (checkpoint, pid file).
  // Synchronous writes of modules still on the connection (dashboard history) share commits too: while the seam
  // has batches queued they wait for them and join the next one's transaction (one commit for both); when it
  // has none they commit on their own, between the seam's transactions, never inside one.
  const sql = createSqliteDb(db, { close: () => store.close(), beforeCommit: () => writes.runInOpenTransaction(), health: writeHealth });
  const writes = createGroupCommit(db, { schedule: (flush) => void setImmediate(() => void sql.whenQuiet(flush)), health: writeHealth });
  const store: Store = {
    db,
    sql,
    writes,
    file,
    walCheckpoints: checkpointer.stats,
    writeHealth,
    transaction,
    close() {
      if (closed) return;
      closed = true;
      try {
        checkpointer.close();
        if (!db.isTransaction) writes.flushNow();
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      } finally {
        db.close();
        lock.close();
        rmSync(pidFile, { force: true });
      }
    },
  };
  return store;
}

/**
 * Applies what is missing of every module's migrations in one transaction: an empty store took one commit per
 * migration (82, each rewriting the schema's pages into the WAL), 25 ms of CPU on every new site, every `config check`
 * (its trial build's scratch store) and every test Steward started as a process. A failing migration rolls back the
 * whole upgrade, as on PostgreSQL: the store stays at the versions it had, and the error names the migration.
 */
function applyMigrations(db: DatabaseSync, sets: MigrationSet[], transaction: <T>(fn: () => T) => T): void {
  const ordered = sets.map((set) => {
    const sorted = [...set.migrations].sort((a, b) => a.version - b.version);
    sorted.forEach((m, i) => {
      if (m.version !== i + 1)
        throw new AppError("STORE_FAILED", `migrations of ${set.module} must be numbered 1, 2, 3 …; found ${m.version} at position ${i + 1}`);
    });
    return { module: set.module, migrations: sorted };
  });
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    module TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL,
    PRIMARY KEY (module, version))`);
  const rows = db.prepare("SELECT module, MAX(version) AS v FROM schema_migrations GROUP BY module").all() as Array<{ module: string; v: number }>;
  const have = new Map(rows.map((r) => [r.module, Number(r.v)]));
  const pending: Array<{ module: string; m: Migration }> = [];
  for (const set of ordered) {
    const applied = have.get(set.module) ?? 0;
    if (applied > set.migrations.length) {
      throw new AppError(
        "STORE_FAILED",
        `the store was written by a newer Steward (${set.module} schema ${applied}, this build knows ${set.migrations.length}); upgrade Steward or use a backup`,
      );
    }
    for (const m of set.migrations.slice(applied)) pending.push({ module: set.module, m });
  }
  if (pending.length === 0) return;
  const record = db.prepare("INSERT INTO schema_migrations (module, version, name, applied_at) VALUES (?, ?, ?, ?)");
  const appliedAt = new Date().toISOString();
  transaction(() => {
    for (const { module, m } of pending) {
      try {
        db.exec(migrationSql(m, "sqlite"));
      } catch (err) {
        throw new AppError("STORE_FAILED", `store migration ${module} #${m.version} (${m.name}) failed: ${(err as Error).message}`, { cause: err });
      }
      record.run(module, m.version, m.name, appliedAt);
    }
  });
}
