// The SqlDb seam over PostgreSQL, through the `postgres` client: pure JavaScript (no native addon to build per
// platform, so the single-file binaries stay single files), runs unchanged on Bun, Node and Deno, pools
// connections, speaks TLS and prepares statements. The module's statements are written once with `?` and
// numbered here; 64-bit integers and numerics come back as JavaScript numbers, as from node:sqlite.
import postgres from "postgres";
import type { ConnectionOptions } from "node:tls";
import { numberPlaceholders, type SqlDb, type SqlExecutor, type SqlValue } from "./sql";

export interface PostgresDbOptions {
  url: string;
  /** Pool size. */
  maxConnections: number;
  connectTimeoutMs: number;
  /** false = plain TCP; an object = TLS with these options (ca, cert, key, rejectUnauthorized, servername). */
  tls: false | ConnectionOptions;
  /** Shown to the DBA in pg_stat_activity: which Steward holds a connection. */
  applicationName: string;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

type Sql = postgres.Sql<Record<string, never>>;
type TxSql = postgres.TransactionSql<Record<string, never>>;

export function createPostgresDb(opts: PostgresDbOptions): SqlDb {
  const sql: Sql = postgres(opts.url, {
    max: opts.maxConnections,
    connect_timeout: Math.max(1, Math.ceil(opts.connectTimeoutMs / 1000)),
    ssl: opts.tls === false ? false : opts.tls,
    onnotice: () => {},
    // The client's own default waits up to 20 s between attempts once a few have failed, so after an outage of
    // PostgreSQL the leases would stay vacant that long: retry within a second instead (seconds, capped at 1).
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
    connection: { application_name: opts.applicationName },
    // Epoch milliseconds live in BIGINT columns and counts come back as BIGINT: make them numbers, as SQLite does.
    types: {
      int8: { to: INT8_OID, from: [INT8_OID], serialize: (v: unknown) => String(v), parse: (v: string) => Number(v) },
      numeric: { to: NUMERIC_OID, from: [NUMERIC_OID], serialize: (v: unknown) => String(v), parse: (v: string) => Number(v) },
    } as unknown as Record<string, never>,
  }) as unknown as Sql;

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
  const executor = (conn: Sql | TxSql): SqlExecutor => ({
    dialect: "postgres",
    async get<T>(q: string, p?: readonly SqlValue[]) {
      const rows = await conn.unsafe(text(q), params(p), { prepare: true });
      return rows[0] as T | undefined;
    },
    async all<T>(q: string, p?: readonly SqlValue[]) {
      const rows = await conn.unsafe(text(q), params(p), { prepare: true });
      return [...rows] as T[];
    },
    async run(q: string, p?: readonly SqlValue[]) {
      const rows = await conn.unsafe(text(q), params(p), { prepare: true });
      return { changes: rows.count ?? 0 };
    },
    async exec(script: string) {
      // No parameters: the simple query protocol, which takes several statements at once.
      await conn.unsafe(script, [], { simple: true } as never);
    },
  });
  let open = true;
  const base = executor(sql);
  return {
    ...base,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return (await sql.begin((tx) => fn(executor(tx)))) as T;
    },
    get isOpen() {
      return open;
    },
    async close() {
      if (!open) return;
      open = false;
      await sql.end({ timeout: 5 });
    },
  };
}
