// Group commit: writes queued during one turn of the event loop share one BEGIN IMMEDIATE … COMMIT, each in its
// own savepoint, and every caller is answered after that COMMIT. A burst of key-value sets, audit rows and dedupe
// marks from many callers costs one commit (one append of the changed pages to the WAL) instead of one each,
// and a caller that was answered has its write committed (WAL: a killed process loses nothing committed).
import type { DatabaseSync } from "node:sqlite";
import { setImmediate } from "node:timers";
import type { WriteHealth } from "./write-health";

export interface GroupCommit {
  /**
   * Runs `fn` in the next shared transaction, inside its own savepoint. Resolves with its result once the
   * transaction has committed; if `fn` throws, only its own statements are rolled back and the promise rejects
   * with its error; if the COMMIT fails, every write of the batch rejects.
   */
  write<T>(fn: () => T): Promise<T>;
  /** Resolves once everything queued so far is committed (or has failed). */
  settled(): Promise<void>;
  /** Commits what is queued now, synchronously (stop, before the store closes). */
  flushNow(): void;
  /**
   * Runs the writes queued now inside a transaction someone else has open (each in its own savepoint) and
   * returns how to answer them: `settle(undefined)` after that transaction committed, `settle(error)` if it
   * did not. One commit then carries both (the SQLite seam's batch and these writes).
   */
  runInOpenTransaction(): { settle(commitError?: unknown): void; lostTransaction?: unknown } | undefined;
  /** Transactions committed and writes they carried, since start: the batching made visible (/metrics, tests). */
  readonly stats: { readonly transactions: number; readonly writes: number; readonly largestBatch: number };
}

export interface GroupCommitOptions {
  /** Most writes one transaction carries; the rest go into the next one (bounds one commit's latency). */
  maxBatch?: number;
  /** Schedules a flush; setImmediate by default (everything queued in this turn of the event loop joins). */
  schedule?: (flush: () => void) => void;
  /** Told of writes that failed for a full disk, and of commits (write-health.ts). */
  health?: WriteHealth;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Job {
  fn: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export function createGroupCommit(db: DatabaseSync, opts: GroupCommitOptions = {}): GroupCommit {
  const maxBatch = opts.maxBatch ?? 1000;
  const schedule = opts.schedule ?? ((f: () => void) => void setImmediate(f));
  const queue: Job[] = [];
  let scheduled = false;
  const stats = { transactions: 0, writes: 0, largestBatch: 0 };
  // Prepared once: exec() would parse these four statements again for every write.
  const sql = {
    begin: db.prepare("BEGIN IMMEDIATE"),
    savepoint: db.prepare("SAVEPOINT w"),
    release: db.prepare("RELEASE w"),
    rollbackTo: db.prepare("ROLLBACK TO w"),
    commit: db.prepare("COMMIT"),
  };

  /** One transaction over up to maxBatch queued writes. Runs synchronously, so nothing else interleaves. */
  function commitBatch(): void {
    const batch = queue.length > maxBatch ? queue.splice(0, maxBatch) : queue.splice(0);
    if (batch.length === 0) return;
    try {
      sql.begin.run();
    } catch (error) {
      opts.health?.failed(error, batch.length);
      for (const job of batch) job.reject(error);
      return;
    }
    const outcomes = runJobs(batch);
    try {
      sql.commit.run();
    } catch (error) {
      try {
        db.exec("ROLLBACK");
      } catch {
        // already rolled back by SQLite itself
      }
      opts.health?.failed(error, batch.length);
      for (const job of batch) job.reject(error);
      return;
    }
    stats.transactions++;
    answer(batch, outcomes);
  }

  /** The error that ended the transaction under the last runJobs(), if one did. */
  let lostTransaction: unknown;

  /**
   * Each job in its own savepoint of the open transaction; a failing one undoes only itself. SQLite may roll the whole
   * transaction back instead (a full disk, an I/O error): the jobs that had succeeded in it are undone too, and the
   * next SAVEPOINT opens another transaction for the rest.
   */
  function runJobs(batch: Job[]): Outcome[] {
    const outcomes: Outcome[] = [];
    let opened = 0;
    lostTransaction = undefined;
    for (const job of batch) {
      sql.savepoint.run();
      try {
        const value = job.fn();
        sql.release.run();
        outcomes.push({ ok: true, value });
      } catch (error) {
        outcomes.push({ ok: false, error });
        if (db.isTransaction) {
          sql.rollbackTo.run();
          sql.release.run();
        } else {
          for (let i = opened; i < outcomes.length; i++) if (outcomes[i]!.ok) outcomes[i] = { ok: false, error };
          opened = outcomes.length;
          lostTransaction = error;
          // The rest of the batch, and the COMMIT that answers it, need a transaction (inside another's, that one's).
          try {
            sql.begin.run();
          } catch {}
        }
      }
    }
    return outcomes;
  }

  function answer(batch: Job[], outcomes: Outcome[]): void {
    if (opts.health) {
      let full = false;
      for (const o of outcomes) if (!o.ok && opts.health.failed(o.error)) full = true;
      if (!full) opts.health.committed();
    }
    stats.writes += batch.length;
    stats.largestBatch = Math.max(stats.largestBatch, batch.length);
    batch.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) job.resolve(o.value);
      else job.reject(o.error);
    });
  }

  function flush(): void {
    scheduled = false;
    if (!db.isOpen) {
      const error = new Error("the store is closed");
      for (const job of queue.splice(0)) job.reject(error);
      return;
    }
    commitBatch();
    if (queue.length > 0) arm();
  }

  function arm(): void {
    if (scheduled) return;
    scheduled = true;
    schedule(flush);
  }

  return {
    write<T>(fn: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        arm();
      });
    },
    settled() {
      if (queue.length === 0) return Promise.resolve();
      return this.write(() => undefined).then(
        () => undefined,
        () => undefined,
      );
    },
    flushNow() {
      while (queue.length > 0 && db.isOpen) commitBatch();
    },
    runInOpenTransaction() {
      if (queue.length === 0) return undefined;
      const batch = queue.length > maxBatch ? queue.splice(0, maxBatch) : queue.splice(0);
      const outcomes = runJobs(batch);
      const lost = lostTransaction;
      return {
        ...(lost !== undefined ? { lostTransaction: lost } : {}),
        settle(commitError?: unknown) {
          if (commitError !== undefined) {
            opts.health?.failed(commitError, batch.length);
            for (const job of batch) job.reject(commitError);
            return;
          }
          // Counted as shared: these writes added no transaction of their own.
          answer(batch, outcomes);
        },
      };
    },
    stats,
  };
}
