// The SqlDb seam over the embedded node:sqlite connection. Statements run synchronously underneath (SQLite is
// fast enough that a promise per statement costs more than the statement); prepared statements are cached by
// their text. One connection means one transaction at a time: while one is open, every other call waits for it,
// so a statement from elsewhere can neither land inside it nor be rolled back with it.
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { SqlDb, SqlExecutor, SqlRunResult, SqlValue } from "./sql";

type Params = readonly SqlValue[];

export interface SqliteDbOptions {
  /** What close() does instead of closing the connection (the store that owns it checkpoints first). */
  close?: () => void;
}

export function createSqliteDb(db: DatabaseSync, opts: SqliteDbOptions = {}): SqlDb {
  const cache = new Map<string, StatementSync>();
  const prepare = (sql: string): StatementSync => {
    let st = cache.get(sql);
    if (!st) {
      st = db.prepare(sql);
      cache.set(sql, st);
    }
    return st;
  };
  const args = (params: Params | undefined) => (params ?? []).map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v)) as Array<Exclude<SqlValue, boolean>>;
  // The direct, synchronous forms: used by the transaction's own executor and when no transaction is open.
  const direct = {
    get: <T>(sql: string, params?: Params) => prepare(sql).get(...args(params)) as T | undefined,
    all: <T>(sql: string, params?: Params) => prepare(sql).all(...args(params)) as T[],
    // The one place a statement outside a transaction writes (group commit would batch here).
    run: (sql: string, params?: Params): SqlRunResult => ({ changes: Number(prepare(sql).run(...args(params)).changes) }),
  };

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

  return {
    dialect: "sqlite",
    get: (sql, params) => now(() => direct.get(sql, params)),
    all: (sql, params) => now(() => direct.all(sql, params)),
    run: (sql, params) => now(() => direct.run(sql, params)),
    exec: (script) => now(() => db.exec(script)),
    async transaction(fn) {
      while (gate) await gate;
      let release!: () => void;
      gate = new Promise<void>((r) => (release = r));
      try {
        db.exec("BEGIN IMMEDIATE");
        try {
          const result = await fn(txExecutor);
          db.exec("COMMIT");
          return result;
        } catch (err) {
          if (db.isTransaction) db.exec("ROLLBACK");
          throw err;
        }
      } finally {
        gate = undefined;
        release();
      }
    },
    get isOpen() {
      return db.isOpen;
    },
    async close() {
      if (opts.close) opts.close();
      else if (db.isOpen) db.close();
    },
  };
}
