// The async seam every module's SQL goes through, so the same statements run on the embedded SQLite file
// (one node) and on PostgreSQL (a cluster of Stewards sharing one store).
//
// Dialect notes for statements written once for both:
// - placeholders are `?`; the PostgreSQL side numbers them ($1, $2 …), so never write `?` inside a string literal
//   or a column name;
// - times are epoch milliseconds in INTEGER columns (BIGINT on PostgreSQL) or ISO text; no date functions;
// - booleans are INTEGER 0/1 (PostgreSQL would return true/false from a BOOLEAN column);
// - upserts as `INSERT … ON CONFLICT (cols) DO UPDATE SET x = excluded.x` / `DO NOTHING` (both understand it);
// - result column aliases in snake_case or lower case: PostgreSQL folds unquoted names to lower case;
// - where the dialects really differ (byte length of text, SKIP LOCKED), branch on `db.dialect`.

export type SqlDialect = "sqlite" | "postgres";

export type SqlValue = string | number | bigint | boolean | null | Uint8Array;

export interface SqlRunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/** Statements on one connection: the whole database, or one open transaction. */
export interface SqlExecutor {
  readonly dialect: SqlDialect;
  /** The first row, or undefined. */
  get<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** A statement that writes; every write of the SQLite back end passes here or through transaction(). */
  run(sql: string, params?: readonly SqlValue[]): Promise<SqlRunResult>;
  /** A script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface SqlDb extends SqlExecutor {
  /**
   * Runs fn in one transaction, committed when its promise resolves and rolled back when it rejects. Statements
   * inside must go through `tx`: on PostgreSQL the transaction lives on one pooled connection, and on SQLite
   * other callers wait until it ends.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** True until close(). */
  readonly isOpen: boolean;
  close(): Promise<void>;
}

/**
 * `?` placeholders → `$1, $2 …`, leaving string literals, quoted identifiers and comments alone. A statement
 * with a `?` PostgreSQL would read differently (its JSON operators) cannot be written through this seam.
 */
export function numberPlaceholders(sql: string): string {
  let out = "";
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    if (c === "'" || c === '"') {
      const end = closingQuote(sql, i, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === "-" && sql[i + 1] === "-") {
      const nl = sql.indexOf("\n", i);
      const end = nl === -1 ? sql.length : nl;
      out += sql.slice(i, end);
      i = end;
    } else if (c === "?") {
      out += `$${++n}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Index just after the quote that closes the one at `start` (a doubled quote is an escaped one). */
function closingQuote(sql: string, start: number, q: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === q) {
      if (sql[i + 1] === q) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

/**
 * True when an error says the store could not be reached (PostgreSQL down, restarting, or the connection lost),
 * as opposed to a statement the store refused. Work that failed this way is kept and tried again.
 */
export function isStoreUnavailable(err: unknown): boolean {
  if (isDiskFull(err)) return true;
  const code = String((err as { code?: unknown } | null)?.code ?? "");
  if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/.test(code)) return true;
  if (/^CONNECT(ION)?_(CLOSED|ENDED|DESTROYED|TIMEOUT)$/.test(code) || code === STORE_TIMEOUT) return true;
  // SQLSTATE class 08 (connection exception), 57P01–57P03 (server shutting down, crashed, starting up), 57014 (a
  // statement the server cancelled at its statement_timeout: the store is too slow to answer now).
  return /^08/.test(code) || /^57P0[123]$/.test(code) || code === "57014";
}

/** SQLite's result code for a full disk (or a database at its max_page_count). */
const SQLITE_FULL = 13;

/** PostgreSQL's SQLSTATE disk_full: the server could not extend a file (53200 out of memory and 53300 too many connections are not this). */
export const PG_DISK_FULL = "53100";

/** Which store's disk is full, if the error says so. */
function diskFullStore(err: unknown): "sqlite" | "postgres" | undefined {
  const e = err as { errcode?: unknown; code?: unknown } | null;
  if (e?.code === PG_DISK_FULL) return "postgres";
  return (typeof e?.errcode === "number" && (e.errcode & 0xff) === SQLITE_FULL) || e?.code === "ENOSPC" ? "sqlite" : undefined;
}

/**
 * True when the error says the disk holding the store is full: SQLITE_FULL or ENOSPC under the SQLite store, SQLSTATE
 * 53100 from PostgreSQL. Like an outage, nothing of the failed write was applied (SQLite undoes the statement,
 * PostgreSQL the transaction) and work is kept and tried again: space may return.
 */
export function isDiskFull(err: unknown): boolean {
  return diskFullStore(err) !== undefined;
}

/** The store whose disk is full, when the error or one it was caused by says so: each store says it itself, once a minute (write-health.ts). */
export function diskFullCause(err: unknown): "sqlite" | "postgres" | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const store = diskFullStore(e);
    if (store) return store;
  }
  return undefined;
}

/** The error, or one it was caused by, says the disk is full: the store says that itself, once a minute (write-health.ts). */
export function causedByDiskFull(err: unknown): boolean {
  return diskFullCause(err) !== undefined;
}

/** The code of StoreTimeoutError. */
export const STORE_TIMEOUT = "STORE_TIMEOUT";

/**
 * No answer from the store within its time limit (store.postgres.statementTimeoutMs), as on a network cut that
 * closes nothing. Whether a write sent just before was applied is unknown: the server may have committed it.
 */
export class StoreTimeoutError extends Error {
  readonly code = STORE_TIMEOUT;
  constructor(readonly timeoutMs: number) {
    super(`no answer from PostgreSQL within ${timeoutMs} ms (store.postgres.statementTimeoutMs); its connection was dropped`);
    this.name = "StoreTimeoutError";
  }
}

/**
 * The caller's deadline (an HTTP request's, core/deadline.ts) came before the store's answer. `sent`: work had
 * already gone to the store for this caller, so a write may have been applied; false when nothing was sent.
 */
export class StoreDeadlineError extends Error {
  readonly code = STORE_TIMEOUT;
  constructor(readonly sent: boolean) {
    super(
      sent
        ? "no answer from PostgreSQL before the request's deadline; the statement goes on under store.postgres.statementTimeoutMs"
        : "the request's deadline for the store has passed; nothing more was sent to PostgreSQL",
    );
    this.name = "StoreDeadlineError";
  }
}

/**
 * Whether a write that failed this way may still have been applied: false only when the statement surely never
 * ran or was rolled back (the connection was refused, or the server cancelled it); true when the answer was lost
 * on its way (a timeout, a connection closed or reset mid-statement), as the server may have committed it.
 */
export function mayHaveBeenApplied(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof StoreDeadlineError && !e.sent) return false;
    // SQLite undoes the statement, or the whole transaction, that could not be written; PostgreSQL the transaction.
    if (isDiskFull(e)) return false;
    const code = String((e as { code?: unknown } | null)?.code ?? "");
    if (/^(ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|CONNECT_TIMEOUT|57014|57P03)$/.test(code)) return false;
    if (isStoreUnavailable(e)) return true;
  }
  return false;
}

/** The error, or one it was caused by (a bus subscriber's failure wraps the store's), says the store was unreachable. */
export function causedByStoreOutage(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isStoreUnavailable(e)) return true;
  }
  return false;
}
