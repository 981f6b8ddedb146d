// Whether the shared PostgreSQL store can be written (issue 75, D1 with several Stewards on one PostgreSQL): when the
// database server's disk is full, every write that needs a new page fails with SQLSTATE 53100 until space returns.
// The same tracker as SQLite's (write-health.ts) says it in /ready and once a minute in the log; here the seam's
// statements and transactions are watched for it. PostgreSQL does not say whether a statement that succeeded wrote
// anything (a KV set is a SELECT of a function), and reads, and small updates that fit pages a table already has, go
// on while the disk is full: the disk counts as taking writes again once a statement of a kind it refused commits.
import type { Clock } from "../core/clock";
import { isDiskFull, PG_DISK_FULL, type SqlDb, type SqlExecutor, type SqlValue } from "./sql";
import { createWriteHealth, type FullDiskWords, type WriteHealth, type WriteHealthLog } from "./write-health";

export const POSTGRES_WORDS: FullDiskWords = {
  disk: "the disk holding PostgreSQL's data",
  code: PG_DISK_FULL,
  inLine: ` (SQLSTATE ${PG_DISK_FULL} disk_full)`,
  inStatus: ` (SQLSTATE ${PG_DISK_FULL} disk_full)`,
  free: "free space on the database server",
};

/** Kinds of statement remembered as refused, at most: the seam's statements are the code's own, a few hundred texts. */
const MAX_REFUSED = 1_000;

export interface PostgresWriteHealth {
  health: WriteHealth;
  /** The store's seam, telling `health` of the writes a full disk refused and of those that commit again. */
  watch(db: SqlDb): SqlDb;
}

export function createPostgresWriteHealth(o: { clock: Clock; log?: WriteHealthLog }): PostgresWriteHealth {
  const refused = new Set<string>();
  let writesOfRefusedKinds = 0;
  const health = createWriteHealth({
    file: "PostgreSQL",
    words: POSTGRES_WORDS,
    clock: o.clock,
    ...(o.log ? { log: o.log } : {}),
    changes: () => writesOfRefusedKinds,
  });
  const refuse = (q: string) => {
    if (refused.size < MAX_REFUSED) refused.add(q);
  };
  /** Work that committed: while the disk is full, whether it was of a kind the disk refused. */
  const committed = (statements: readonly string[]) => {
    if (!health.full) return;
    if (statements.some((q) => refused.has(q))) writesOfRefusedKinds++;
    health.committed();
  };

  /** A statement outside a transaction, which commits on its own. */
  const statement = async <T>(q: string, run: () => Promise<T>): Promise<T> => {
    let result: T;
    try {
      result = await run();
    } catch (err) {
      if (isDiskFull(err)) refuse(q);
      health.failed(err);
      throw err;
    }
    committed([q]);
    return result;
  };

  /** A transaction's statements: those that succeeded, and the disk-full error of one that did not (counted once, for the transaction). */
  const inTransaction = (tx: SqlExecutor, ran: string[], seen: { full?: unknown }): SqlExecutor => {
    const watched = async <T>(q: string, run: () => Promise<T>): Promise<T> => {
      try {
        const result = await run();
        ran.push(q);
        return result;
      } catch (err) {
        if (isDiskFull(err)) {
          refuse(q);
          seen.full = err;
        }
        throw err;
      }
    };
    return {
      dialect: tx.dialect,
      get: <T>(q: string, p?: readonly SqlValue[]) => watched(q, () => tx.get<T>(q, p)),
      all: <T>(q: string, p?: readonly SqlValue[]) => watched(q, () => tx.all<T>(q, p)),
      run: (q, p) => watched(q, () => tx.run(q, p)),
      exec: (script) => watched(script, () => tx.exec(script)),
    };
  };

  const watch = (db: SqlDb): SqlDb => ({
    dialect: db.dialect,
    get: (q, p) => statement(q, () => db.get(q, p)),
    all: (q, p) => statement(q, () => db.all(q, p)),
    run: (q, p) => statement(q, () => db.run(q, p)),
    exec: (script) => statement(script, () => db.exec(script)),
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const ran: string[] = [];
      const seen: { full?: unknown } = {};
      let value: T;
      try {
        value = await db.transaction((tx) => fn(inTransaction(tx, ran, seen)));
      } catch (err) {
        health.failed(isDiskFull(err) ? err : (seen.full ?? err));
        throw err;
      }
      // A statement refused inside leaves the transaction aborted: PostgreSQL rolls it back at its COMMIT.
      if (seen.full !== undefined) health.failed(seen.full);
      else committed(ran);
      return value;
    },
    get isOpen() {
      return db.isOpen;
    },
    close: () => db.close(),
  });

  return { health, watch };
}
