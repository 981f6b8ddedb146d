// The SqlDb seam over the embedded node:sqlite connection. Statements run synchronously underneath (SQLite is
// fast enough that a promise per statement costs more than the statement); prepared statements are cached by
// their text. One connection means one transaction at a time: while one is open, every other call waits for it,
// so a statement from elsewhere can neither land inside it nor be rolled back with it.
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { setImmediate } from "node:timers";
import type { SqlDb, SqlExecutor, SqlRunResult, SqlValue } from "./sql";
import type { WriteHealth } from "./write-health";

type Params = readonly SqlValue[];

const NO_PARAMS: Array<Exclude<SqlValue, boolean>> = [];

export interface SqliteDbOptions {
  /** What close() does instead of closing the connection (the store that owns it checkpoints first). */
  close?: () => void;
  /**
   * Called once a batch's transaction() calls have run, before its COMMIT: synchronous writes waiting elsewhere
   * (the store's own group commit) join this transaction; `settle` is called with the COMMIT's outcome.
   */
  beforeCommit?: () => { settle(commitError?: unknown): void; lostTransaction?: unknown } | undefined;
  /** Told of writes that failed for a full disk, and of commits (write-health.ts: /ready and the log say it). */
  health?: WriteHealth;
}

/** The SQLite seam, plus what the store's own group commit needs: running synchronous work between transactions. */
export interface SqliteSqlDb extends SqlDb {
  /** Runs fn when no transaction of the seam is open (at once if none is). */
  whenIdle<T>(fn: () => T): Promise<T>;
  /**
   * Runs fn when no transaction of the seam is open and none is waiting to run: after the batches already
   * queued, whose commits take in (beforeCommit) what fn would otherwise commit on its own.
   */
  whenQuiet<T>(fn: () => T): Promise<T>;
  /** Transactions committed and the transaction() calls they carried (group commit made visible). */
  readonly batches: { readonly transactions: number; readonly calls: number };
}

/** Most transaction() calls one BEGIN … COMMIT carries: bounds the latency of one commit. */
const MAX_BATCH = 1000;

interface TxJob {
  fn: (tx: SqlExecutor) => Promise<unknown>;
  /**
   * One statement (run, or a read queued behind writes): SQLite undoes a failed statement on its own and keeps
   * the transaction open, so it needs no savepoint. A savepoint and its release cost about as much as a small
   * indexed insert; an intake run's claim and seen mark are one statement each.
   */
  statement?: boolean;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

// Booleans become 0/1; the parameters are passed as they are (no copy) when there is none, the common case.
function args(params: Params | undefined): Array<Exclude<SqlValue, boolean>> {
  if (!params) return NO_PARAMS;
  for (const v of params) if (typeof v === "boolean") return params.map((x) => (typeof x === "boolean" ? (x ? 1 : 0) : x)) as Array<Exclude<SqlValue, boolean>>;
  return params as Array<Exclude<SqlValue, boolean>>;
}

/**
 * Statements kept prepared. A few hundred texts are fixed; the others vary with their input (an IN list of as many
 * placeholders as values, a LIMIT a request chose), each a new text kept for good before, so the cache grew with
 * every new count for as long as Steward ran (issue 78). Past the bound the least recently used goes (a statement
 * used again is prepared again, which costs microseconds); the ones every look and run use stay.
 */
export const MAX_PREPARED = 512;

/** `prepare` remembered per text, at most `max` texts, the least recently used forgotten first. */
export function createStatementCache<S>(prepare: (sql: string) => S, max = MAX_PREPARED): (sql: string) => S {
  const cache = new Map<string, S>();
  return (sql) => {
    let st = cache.get(sql);
    if (st === undefined) {
      st = prepare(sql);
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
    } else if (cache.size >= max / 2) {
      // Map order is the eviction order; moved only once eviction is near, so a small cache costs a lookup alone.
      cache.delete(sql);
    } else return st;
    cache.set(sql, st);
    return st;
  };
}

/** Statements run at once on the connection, prepared once per text (at most MAX_PREPARED kept). */
function directStatements(db: DatabaseSync) {
  const prepare = createStatementCache((sql): StatementSync => db.prepare(sql));
  return {
    get: <T>(sql: string, params?: Params) => prepare(sql).get(...args(params)) as T | undefined,
    all: <T>(sql: string, params?: Params) => prepare(sql).all(...args(params)) as T[],
    // The one place a statement outside a transaction writes (group commit would batch here).
    run: (sql: string, params?: Params): SqlRunResult => ({ changes: Number(prepare(sql).run(...args(params)).changes) }),
  };
}

type JobOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The group commit's own statements, prepared once (exec() would parse them again for every transaction() call). */
function controlStatements(db: DatabaseSync) {
  return {
    begin: db.prepare("BEGIN IMMEDIATE"),
    savepoint: db.prepare("SAVEPOINT tx"),
    release: db.prepare("RELEASE tx"),
    rollbackTo: db.prepare("ROLLBACK TO tx"),
    commit: db.prepare("COMMIT"),
  };
}

/**
 * The transaction ended under the batch (SQLite may roll the whole of it back on a full disk or an I/O error, not only
 * the statement): the jobs since `from` that had succeeded in it are undone with it and must not be answered as
 * committed. Returns where the next transaction's jobs start.
 */
function undoneWithTransaction(outcomes: JobOutcome[], from: number, error: unknown): number {
  for (let i = from; i < outcomes.length; i++) if (outcomes[i]!.ok) outcomes[i] = { ok: false, error };
  return outcomes.length;
}

/** Runs a batch's jobs inside its open transaction, each transaction() in its own savepoint; one outcome per job. */
async function runJobs(db: DatabaseSync, control: ReturnType<typeof controlStatements>, txExecutor: SqlExecutor, batch: TxJob[]): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = [];
  let opened = 0;
  for (const job of batch) {
    if (job.statement) {
      try {
        outcomes.push({ ok: true, value: await job.fn(txExecutor) });
      } catch (error) {
        outcomes.push({ ok: false, error });
        // The batch's remaining writes still share one transaction (as after a failed savepoint below, where the
        // next SAVEPOINT opens it); if even BEGIN fails, the COMMIT does too.
        if (!db.isTransaction) {
          opened = undoneWithTransaction(outcomes, opened, error);
          try {
            control.begin.run();
          } catch {}
        }
      }
      continue;
    }
    control.savepoint.run();
    try {
      const value = await job.fn(txExecutor);
      control.release.run();
      outcomes.push({ ok: true, value });
    } catch (error) {
      outcomes.push({ ok: false, error });
      if (db.isTransaction) {
        control.rollbackTo.run();
        control.release.run();
      } else {
        opened = undoneWithTransaction(outcomes, opened, error);
        try {
          control.begin.run();
        } catch {}
      }
    }
  }
  return outcomes;
}

/** Tells the store's write health how a committed batch went: its disk-full failures, or a commit without any. */
function noteOutcomes(health: WriteHealth, outcomes: JobOutcome[]): void {
  let full = false;
  for (const o of outcomes) if (!o.ok && health.failed(o.error)) full = true;
  if (!full) health.committed();
}

export function createSqliteDb(db: DatabaseSync, opts: SqliteDbOptions = {}): SqliteSqlDb {
  const control = controlStatements(db);
  // The direct, synchronous forms: used by the transaction's own executor and when no transaction is open.
  const direct = directStatements(db);

  /** Settles when the open transaction (if any) has ended; undefined when none is open. */
  let gate: Promise<void> | undefined;
  const whenFree = async <T>(fn: () => T): Promise<T> => {
    while (gate) await gate;
    return fn();
  };

  /** Runs fn at once when no transaction is open (no extra turn of the event loop), else after it; errors reject. */
  const now = <T>(fn: () => T): Promise<T> => {
    if (gate) return whenFree(fn);
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err);
    }
  };

  const txExecutor: SqlExecutor = {
    dialect: "sqlite",
    get: async (sql, params) => direct.get(sql, params),
    all: async (sql, params) => direct.all(sql, params),
    run: async (sql, params) => direct.run(sql, params),
    exec: async (script) => db.exec(script),
  };

  // Group commit: transaction() calls made in one turn of the event loop share one BEGIN IMMEDIATE … COMMIT, each
  // in its own savepoint (a failing one undoes only itself), and each caller is answered after that COMMIT, so a
  // SIGKILL loses nothing acknowledged. Concurrent writers (KV sets, audit rows, dedupe marks, the outbox) then
  // cost one commit per turn instead of one each.
  let pending: TxJob[] = [];
  let armed = false;
  /** Called after each batch has ended (whenQuiet). */
  let afterBatch: Array<() => void> = [];
  const batches = { transactions: 0, calls: 0 };
  const arm = () => {
    if (armed) return;
    armed = true;
    setImmediate(() => void runBatch());
  };
  const runBatch = async (): Promise<void> => {
    armed = false;
    while (gate) await gate;
    const batch = pending.slice(0, MAX_BATCH);
    pending = pending.slice(batch.length);
    if (batch.length === 0) return;
    let release!: () => void;
    gate = new Promise<void>((r) => (release = r));
    try {
      try {
        control.begin.run();
      } catch (err) {
        opts.health?.failed(err, batch.length);
        for (const job of batch) job.reject(err);
        return;
      }
      const outcomes = await runJobs(db, control, txExecutor, batch);
      let joined: ReturnType<NonNullable<SqliteDbOptions["beforeCommit"]>>;
      try {
        joined = opts.beforeCommit?.();
      } catch {
        // The joined writes answer for themselves; the batch commits without them.
      }
      // The joined writes ended the transaction (and began another): this batch's writes went with the first one.
      if (joined?.lostTransaction !== undefined) undoneWithTransaction(outcomes, 0, joined.lostTransaction);
      try {
        control.commit.run();
      } catch (err) {
        if (db.isTransaction) db.exec("ROLLBACK");
        joined?.settle(err);
        opts.health?.failed(err, batch.length);
        for (const job of batch) job.reject(err);
        return;
      }
      joined?.settle();
      if (opts.health) noteOutcomes(opts.health, outcomes);
      batches.transactions++;
      batches.calls += batch.length;
      batch.forEach((job, i) => {
        const o = outcomes[i]!;
        if (o.ok) job.resolve(o.value);
        else job.reject(o.error);
      });
    } finally {
      gate = undefined;
      release();
      if (pending.length > 0) arm();
      const waiting = afterBatch;
      afterBatch = [];
      for (const f of waiting) f();
    }
  };

  function enqueue<T>(fn: (tx: SqlExecutor) => Promise<T>, statement = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      pending.push({ fn, resolve: resolve as (v: unknown) => void, reject, statement });
      arm();
    });
  }

  return {
    dialect: "sqlite",
    whenIdle: (fn) => whenFree(fn),
    whenQuiet: <T>(fn: () => T) =>
      new Promise<T>((resolve, reject) => {
        const attempt = () => {
          // Queued jobs mean a batch is armed or running (it re-arms itself): wait for it to end.
          if (gate || pending.length > 0) {
            afterBatch.push(attempt);
            return;
          }
          try {
            resolve(fn());
          } catch (err) {
            reject(err);
          }
        };
        attempt();
      }),
    batches,
    // A read issued after a write that still waits for its shared commit goes behind it, so every caller reads
    // its own writes and those issued before (program order), whether or not it awaited them.
    get: (sql, params) => (pending.length > 0 ? enqueue(async () => direct.get(sql, params), true) : now(() => direct.get(sql, params))),
    all: (sql, params) => (pending.length > 0 ? enqueue(async () => direct.all(sql, params), true) : now(() => direct.all(sql, params))),
    // A write outside a transaction joins the next shared commit like a one-statement transaction.
    run: (sql, params) => enqueue(async () => direct.run(sql, params), true),
    exec: (script) => (pending.length > 0 ? enqueue(async () => db.exec(script)) : now(() => db.exec(script))),
    transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>) => enqueue(fn),
    get isOpen() {
      return db.isOpen;
    },
    async close() {
      if (opts.close) opts.close();
      else if (db.isOpen) db.close();
    },
  };
}
