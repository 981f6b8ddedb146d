// The SqlDb seam over PostgreSQL, through the `postgres` client: pure JavaScript (no native addon to build per
// platform, so the single-file binaries stay single files), runs unchanged on Bun, Node and Deno, pools
// connections, speaks TLS and prepares statements. The module's statements are written once with `?` and
// numbered here; 64-bit integers and numerics come back as JavaScript numbers, as from node:sqlite.
import { type Timer, wallClock } from "../core/clock";
import postgres from "postgres";
import type { ConnectionOptions } from "node:tls";
import { type Clock, systemClock } from "../core/clock";
import { createLanes } from "./postgres-lanes";
import { isDiskFull, isStoreUnavailable, numberPlaceholders, type SqlDb, type SqlExecutor, type SqlValue } from "./sql";

export interface PostgresDbOptions {
  url: string;
  /** Connections at most (each its own lane: see postgres-lanes.ts). */
  maxConnections: number;
  connectTimeoutMs: number;
  /** false = plain TCP; an object = TLS with these options (ca, cert, key, rejectUnauthorized, servername). */
  tls: false | ConnectionOptions;
  /** Shown to the DBA in pg_stat_activity: which Steward holds a connection. */
  applicationName: string;
  /**
   * Longest wait for a statement's (or a whole transaction's) answer, connecting included; the server is asked to
   * cancel a statement, and end a transaction left idle, after the same time. Default DEFAULT_STATEMENT_TIMEOUT_MS.
   */
  statementTimeoutMs?: number;
  /** Times the waits (network time: the system clock unless a test says otherwise). */
  clock?: Clock;
}

/** store.postgres.statementTimeoutMs when not set. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;
/**
 * How much longer Steward waits than the server's own statement_timeout: a slow statement is cancelled by the
 * server (its connection stays), and only a store that does not answer at all costs a connection.
 */
const CLIENT_GRACE_MS = 2_000;

const INT8_OID = 20;
const NUMERIC_OID = 1700;

type Sql = postgres.Sql<Record<string, never>>;
type TxSql = postgres.TransactionSql<Record<string, never>>;

export function createPostgresDb(opts: PostgresDbOptions): SqlDb {
  const statementTimeoutMs = opts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const open = (): Sql =>
    postgres(opts.url, {
      max: 1,
      connect_timeout: Math.max(1, Math.ceil(opts.connectTimeoutMs / 1000)),
      ssl: opts.tls === false ? false : opts.tls,
      onnotice: () => {},
      // The client would read the server's array types on every new connection, in a promise nobody awaits: when the
      // server goes down during that read, the rejection ends the process. Steward passes and reads no arrays.
      fetch_types: false,
      // The client's own default waits up to 20 s between attempts once a few have failed, so after an outage of
      // PostgreSQL the leases would stay vacant that long: retry within a second instead (seconds, capped at 1).
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
      // Server side: a statement running past the limit is cancelled, and a transaction whose client went silent (a
      // network cut) is ended instead of holding its row locks until the server's TCP keepalive notices (hours).
      connection: {
        application_name: opts.applicationName,
        statement_timeout: statementTimeoutMs,
        idle_in_transaction_session_timeout: statementTimeoutMs,
      },
      // Epoch milliseconds live in BIGINT columns and counts come back as BIGINT: make them numbers, as SQLite does.
      types: {
        int8: { to: INT8_OID, from: [INT8_OID], serialize: (v: unknown) => String(v), parse: (v: string) => Number(v) },
        numeric: { to: NUMERIC_OID, from: [NUMERIC_OID], serialize: (v: unknown) => String(v), parse: (v: string) => Number(v) },
      } as unknown as Record<string, never>,
    }) as unknown as Sql;
  const lanes = createLanes(opts.maxConnections, open, { clock: opts.clock ?? systemClock, timeoutMs: statementTimeoutMs + CLIENT_GRACE_MS });

  const texts = new Map<string, string>();
  const text = (q: string): string => {
    let t = texts.get(q);
    if (t === undefined) {
      t = numberPlaceholders(q);
      texts.set(q, t);
    }
    return t;
  };
  const params = (p: readonly SqlValue[] | undefined) => (p ?? []).map((v) => (typeof v === "bigint" ? v.toString() : v)) as never[];
  /** `on` runs a statement on a connection: a lane's, or the one of a transaction. */
  const executor = (on: <R>(fn: (conn: Sql | TxSql) => Promise<R>) => Promise<R>): SqlExecutor => ({
    dialect: "postgres",
    async get<T>(q: string, p?: readonly SqlValue[]) {
      const rows = await on((conn) => conn.unsafe(text(q), params(p), { prepare: true }));
      return rows[0] as T | undefined;
    },
    async all<T>(q: string, p?: readonly SqlValue[]) {
      const rows = await on((conn) => conn.unsafe(text(q), params(p), { prepare: true }));
      return [...rows] as T[];
    },
    async run(q: string, p?: readonly SqlValue[]) {
      const rows = await on((conn) => conn.unsafe(text(q), params(p), { prepare: true }));
      return { changes: rows.count ?? 0 };
    },
    async exec(script: string) {
      // No parameters: the simple query protocol, which takes several statements at once.
      await on((conn) => conn.unsafe(script, [], { simple: true } as never));
    },
  });
  let isOpen = true;
  const base = executor((fn) => lanes.use(fn));
  return {
    ...base,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return lanes.use(async (sql, alive) => {
        const ended = endedSignal();
        // Each answered statement restarts the time limit: it bounds a silence, not the transaction's length.
        const outcome = sql.begin((tx) =>
          fn(
            guardTransaction(
              executor(async (run) => {
                const result = await run(tx);
                alive();
                return result;
              }),
              ended.promise,
            ),
          ),
        );
        outcome.then(ended.resolve, ended.resolve);
        return (await outcome) as T;
      }, true);
    },
    get isOpen() {
      return isOpen;
    },
    async close() {
      if (!isOpen) return;
      isOpen = false;
      await lanes.end(5);
    },
  };
}

/** How long a statement that failed as if the connection were lost waits for the client to say so, before failing. */
const LOST_CONNECTION_WAIT_MS = 5_000;

function endedSignal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * The client's sql.begin() rejects as soon as the transaction's connection closes, but the callback goes on: when it
 * settles, the client sends ROLLBACK (or COMMIT) down that closed connection, which throws in a timer outside any
 * promise (`null is not an object (evaluating 'socket.write')`) and would end the process. So once the connection
 * is gone, the callback must never settle: a statement that fails because the store is unreachable waits until the
 * transaction has ended (the caller already has the client's error) and then stays pending, and so does any later
 * statement. The server rolled the transaction back when the connection dropped; nothing is left to undo. If the
 * transaction is still open after a while, the connection is alive after all and the error goes to the callback.
 */
function guardTransaction(tx: SqlExecutor, ended: Promise<void>): SqlExecutor {
  let over = false;
  void ended.then(() => {
    over = true;
  });
  const never = new Promise<never>(() => {});
  const guard = async <T>(statement: () => Promise<T>): Promise<T> => {
    if (over) return never;
    try {
      return await statement();
    } catch (err) {
      // A full disk fails the statement on a sound connection: the callback hears of it at once.
      if (!isStoreUnavailable(err) || isDiskFull(err)) throw err;
      let timer: Timer | undefined;
      const waited = await Promise.race([
        ended.then(() => "ended" as const),
        new Promise<"open">((resolve) => {
          timer = wallClock.setTimeout(() => resolve("open"), LOST_CONNECTION_WAIT_MS);
        }),
      ]);
      wallClock.clearTimeout(timer);
      if (waited === "ended") return never;
      throw err;
    }
  };
  return {
    dialect: tx.dialect,
    get: <T>(q: string, p?: readonly SqlValue[]) => guard(() => tx.get<T>(q, p)),
    all: <T>(q: string, p?: readonly SqlValue[]) => guard(() => tx.all<T>(q, p)),
    run: (q, p) => guard(() => tx.run(q, p)),
    exec: (script) => guard(() => tx.exec(script)),
  };
}
