// The audit log: who did what, when, with which result — task starts, reloads, dumps, file operations, KV
// writes, schedule changes and access denials. Persisted in the store; queried by GET /v4/audit.
import { isStoreUnavailable, type SqlDb, StoreDeadlineError } from "../store/sql";
import { currentDeadline, untilDeadline } from "../core/deadline";
import { type Clock, type Timer, wallClock } from "../core/clock";
import type { Component } from "../core/lifecycle";
import { AUDIT_OP_POSTGRES, AUDIT_OP_SQLITE } from "./audit-migrations";
import { type AuditRetention, createRetention, DEFAULT_AUDIT_RETENTION } from "./audit-retention";

export interface AuditActor {
  /** apiKey, clientCert, anonymous, mqtt, schedule, event-trigger, chain, ui, system */
  kind: string;
  name: string;
  ip?: string;
}

export interface AuditEntry {
  actor: AuditActor;
  /** Dotted verb: task.start, app.reload, app.dump, file.copy, kv.set, schedule.update, access.denied … */
  action: string;
  /** What it acted on: task id, app id, path, namespace/key … */
  target?: string;
  result: "ok" | "denied" | "failed";
  details?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  at: string;
}

export interface AuditQuery {
  action?: string;
  actorKind?: string;
  actorName?: string;
  target?: string;
  result?: AuditEntry["result"];
  since?: string;
  until?: string;
  /** Only entries with a smaller id (the next page). */
  before?: number;
  limit?: number;
}

export interface AuditLog {
  /**
   * Records an entry. Never throws and never waits: on the SQLite file the row is written before this returns
   * (unless a transaction is open); on PostgreSQL it is queued and written in order.
   */
  record(entry: AuditEntry): void;
  /** Entries, newest first; includes everything recorded before the call. */
  query(q: AuditQuery): Promise<AuditRecord[]>;
  /** Applies retention now (the log counted by the store); returns how many entries were deleted. */
  prune(): Promise<number>;
  /** Resolves when every entry recorded so far is written (or was given up, see maxQueued). */
  flush(): Promise<void>;
  /**
   * The row of an entry its caller inserts itself (AUDIT_INSERT, or AUDIT_COLUMNS in its own statement) inside the
   * transaction of the change the entry records, so one COMMIT keeps both or neither; then rowsCommitted().
   */
  rowToWrite(entry: AuditEntry): AuditRowValues;
  /** Rows of rowToWrite() committed by their caller: counted for retention as record() counts its entries. */
  rowsCommitted(n?: number): void;
  /** True when the log keeps its entries in this store: only a transaction on it can hold a row of rowToWrite(). */
  keptIn(store: SqlDb): boolean;
  /** Runs retention at start and every hour. */
  component(): Component;
}

/** The values of one audit row, in AUDIT_COLUMNS order. */
export type AuditRowValues = Array<string | null>;

/**
 * A request's audit row that the module doing the request's write inserts in that write's own transaction (the
 * access guard hands it out, src/platform/security/middleware.ts; a KV set takes it), so the answer waits for one COMMIT.
 */
export interface RequestAuditRow {
  /** The request's entry with the module's own joined, exactly as the request would write it after its answer. */
  entry(noted: AuditEntry): AuditEntry;
  /** The row is committed with the write: the request writes no row of its own. */
  written(): void;
}

/** Bounds on one entry, so no request can write a large row (a long URL, a big error). */
const MAX_TARGET_CHARS = 512;
const MAX_DETAILS_CHARS = 4096;
const PRUNE_INTERVAL_MS = 3_600_000;
/**
 * Entries waiting for a slow or unreachable store: beyond this the oldest waiting ones are dropped (counted and
 * reported to onError), so an outage of PostgreSQL cannot grow memory without bound.
 */
const MAX_QUEUED = 10_000;
/** Pause before writing again after the store was unreachable. */
const RETRY_MS = 1_000;

/** NUL (PostgreSQL text cannot hold it) and lone UTF-16 surrogates (no UTF-8 form) become U+FFFD. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text any store keeps as it is: a request path or a caller's name can carry anything (a decoded %00), and one
 * row PostgreSQL refuses would fail the batch it is written in.
 */
export function storableText(text: string): string {
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE, "\uFFFD") : text;
}

function boundedDetails(details: Record<string, unknown> | undefined): string | null {
  if (!details) return null;
  const text = JSON.stringify(details);
  if (text.length <= MAX_DETAILS_CHARS) return text;
  return JSON.stringify({ truncated: true, preview: text.slice(0, MAX_DETAILS_CHARS - 64) });
}

export { auditMigrations } from "./audit-migrations";
export { AUDIT_DELETE_CHUNK, AUDIT_PRUNE_SLACK, type AuditRetention, DEFAULT_AUDIT_RETENTION } from "./audit-retention";

export interface AuditLogOptions {
  /** A write or a prune failed (the store is unreachable); the log goes on. */
  onError?: (err: Error, what: string) => void;
}

export const AUDIT_COLUMNS = "at, actor_kind, actor_name, actor_ip, action, target, result, details";
const INSERT = `INSERT INTO audit (${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
/** Inserts one row of rowToWrite() (`?` placeholders: both dialects). */
export const AUDIT_INSERT = INSERT;
// PostgreSQL: a batch as one JSON array of rows (same columns, in order; ids follow the array's order).
const INSERT_MANY =
  "INSERT INTO audit (at, actor_kind, actor_name, actor_ip, action, target, result, details) " +
  "SELECT r->>0, r->>1, r->>2, r->>3, r->>4, r->>5, r->>6, r->>7 FROM json_array_elements(?::text::json) WITH ORDINALITY AS a(r, n) ORDER BY n";

export function createAuditLog(db: SqlDb, clock: Clock, retention: AuditRetention = DEFAULT_AUDIT_RETENTION, opts: AuditLogOptions = {}): AuditLog {
  const onError = opts.onError ?? (() => {});
  /** Rows not yet handed to the store, in order; `writing` is the write of the previous batch. */
  let queue: unknown[][] = [];
  let writing: Promise<void> | undefined;
  /**
   * The store's answer to the batch `writing` writes (true: written or refused row by row), settled before the pause
   * that follows a failed write: a caller of flush() hears of the outage at once, not a retry pause later.
   */
  let attempt: Promise<boolean> | undefined;
  const retained = createRetention(db, clock, retention, { writing: () => writing, onError });
  /** Set by the component's stop after its last flush attempt: no more retries. */
  let closed = false;
  let lastWriteFailed = false;
  /** What the last failed write was refused with: the cause a caller of flush() is given. */
  let lastWriteError: Error | undefined;

  /**
   * Waits until everything recorded is written, and the retention those entries started has run; rejects if the
   * store is unreachable (entries stay queued).
   */
  const flush = async (): Promise<void> => {
    for (;;) {
      if (writing || queue.length > 0) {
        const current = writing ?? drain();
        // During the pause after a failed write the answer is already known: the entries wait for the store.
        if (!(await attempt)) throw new Error(`the store is unreachable; ${queue.length} audit entries wait to be written`, { cause: lastWriteError });
        await current;
      } else if (retained.running()) await retained.running()?.catch(() => 0);
      else return;
    }
  };

  /** Writes the queued rows in one transaction; rows recorded meanwhile go in the next batch. */
  const drain = (): Promise<void> => {
    if (writing || queue.length === 0) return writing ?? Promise.resolve();
    const batch = queue;
    queue = [];
    const write = writeBatch(db, batch).catch((err: Error) => oneByOne(db, batch, err, onError));
    attempt = write.then(
      () => {
        lastWriteFailed = false;
        return true;
      },
      (err: Error) => {
        onError(err, `writing ${batch.length} audit entries`);
        lastWriteFailed = isStoreUnavailable(err);
        lastWriteError = err;
        if (!lastWriteFailed) return true;
        // The store is down: keep the entries (oldest first, within the bound) and try again in a second.
        queue = batch.concat(queue);
        if (queue.length > MAX_QUEUED) queue.splice(0, queue.length - MAX_QUEUED);
        return false;
      },
    );
    writing = attempt
      .then((written) => {
        if (!written) return new Promise<void>((r) => clock.setTimeout(r, RETRY_MS).unref?.()).then(() => undefined);
      })
      .finally(() => {
        writing = undefined;
        if (queue.length > 0 && !closed) void drain();
      });
    return writing;
  };

  return {
    prune: () => retained.prune(true),
    flush: () => withinRequestDeadline(flush),
    component() {
      let timer: Timer | undefined;
      let stopped = false;
      const tick = () => {
        void retained.prune(true).catch((err: Error) => onError(err, "audit retention"));
        if (stopped) return;
        timer = clock.setTimeout(tick, PRUNE_INTERVAL_MS);
        timer.unref?.();
      };
      return {
        name: "audit-retention",
        start: tick,
        async stop(budgetMs: number) {
          stopped = true;
          if (timer) clock.clearTimeout(timer);
          timer = undefined;
          const deadline = Date.now() + budgetMs;
          while ((writing || queue.length > 0) && Date.now() < deadline) {
            await Promise.race([writing ?? drain(), new Promise<void>((r) => wallClock.setTimeout(r, Math.max(0, deadline - Date.now())).unref?.())]);
          }
          closed = true;
          if (queue.length > 0) onError(new Error(`${queue.length} audit entries could not be written before shutdown`), "audit shutdown");
          await retained.running()?.catch(() => 0);
        },
      };
    },
    keptIn: (store) => store === db,
    rowToWrite: (e) => auditRow(e, clock.now()),
    rowsCommitted: (n = 1) => retained.counted(n),
    record(e) {
      queue.push(auditRow(e, clock.now()));
      if (queue.length > MAX_QUEUED) {
        const dropped = queue.length - MAX_QUEUED;
        queue.splice(0, dropped);
        onError(new Error(`the store is not keeping up: ${dropped} audit entries dropped`), "audit queue");
      }
      void drain();
      retained.counted(1);
    },
    async query(q) {
      await flush();
      return queryAudit(db, q);
    },
  };
}

/**
 * A batch the store refused (not one it could not be reached for) is written again row by row, so one row it
 * refuses loses only itself, reported; the others are kept.
 */
async function oneByOne(db: SqlDb, batch: unknown[][], err: Error, onError: (err: Error, what: string) => void): Promise<void> {
  if (batch.length === 1 || isStoreUnavailable(err)) throw err;
  let refused = 0;
  let firstError: Error | undefined;
  for (const row of batch) {
    try {
      await db.run(INSERT, row as never);
    } catch (rowErr) {
      if (isStoreUnavailable(rowErr)) throw rowErr;
      refused++;
      firstError ??= rowErr as Error;
    }
  }
  if (refused > 0)
    onError(new Error(`the store refused ${refused} of ${batch.length} audit entries: ${firstError?.message}`), "writing audit entries one by one");
}

/** Writes a batch of rows at once: one statement on PostgreSQL, one transaction on SQLite. */
function writeBatch(db: SqlDb, batch: unknown[][]): Promise<void> {
  if (batch.length === 1) return db.run(INSERT, batch[0] as never).then(() => {});
  // One statement per batch: a row per statement would be a round trip each, in line behind one another.
  if (db.dialect === "postgres") return db.run(INSERT_MANY, [JSON.stringify(batch)]).then(() => {});
  return db.transaction(async (tx) => {
    for (const row of batch) await tx.run(INSERT, row as never);
  });
}

/** The row of an entry: texts the store can hold, the target and details bounded. */
function auditRow(e: AuditEntry, now: number): AuditRowValues {
  const target = e.target === undefined ? null : storableText(e.target.length > MAX_TARGET_CHARS ? `${e.target.slice(0, MAX_TARGET_CHARS)}…` : e.target);
  // The details are JSON text, where JSON.stringify escapes NUL and lone surrogates already.
  return [
    new Date(now).toISOString(),
    storableText(e.actor.kind),
    storableText(e.actor.name.slice(0, 128)),
    e.actor.ip === undefined ? null : storableText(e.actor.ip),
    storableText(e.action),
    target,
    e.result,
    boundedDetails(e.details),
  ];
}

/**
 * The SELECT of the newest entries matching the query (an action ending in * matches by prefix), at most 1000: its
 * text and arguments, apart so a test can ask the store how it answers it.
 */
export function auditSelect(dialect: SqlDb["dialect"], q: AuditQuery): { sql: string; args: Array<string | number> } {
  const where: string[] = [];
  const args: Array<string | number> = [];
  const eq = (col: string, v: string | undefined) => {
    if (v !== undefined) {
      where.push(`${col} = ?`);
      args.push(v);
    }
  };
  if (q.action !== undefined) {
    // An action, or the operation of a REST write (an api.write row, its operation in details.op): each side of the
    // OR is an index's (audit_action; audit_op, partial on api.write), so the filter stays two bounded lookups.
    const prefix = q.action.endsWith("*");
    const test = prefix ? "LIKE ?" : "= ?";
    const value = prefix ? `${q.action.slice(0, -1)}%` : q.action;
    const op = dialect === "postgres" ? AUDIT_OP_POSTGRES : AUDIT_OP_SQLITE;
    where.push(`(action ${test} OR (action = 'api.write' AND ${op} ${test}))`);
    args.push(value, value);
  }
  eq("actor_kind", q.actorKind);
  eq("actor_name", q.actorName);
  eq("target", q.target);
  eq("result", q.result);
  if (q.since) {
    where.push("at >= ?");
    args.push(q.since);
  }
  if (q.until) {
    where.push("at <= ?");
    args.push(q.until);
  }
  if (q.before !== undefined) {
    where.push("id < ?");
    args.push(q.before);
  }
  const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
  return { sql: `SELECT * FROM audit ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ${limit}`, args };
}

async function queryAudit(db: SqlDb, q: AuditQuery): Promise<AuditRecord[]> {
  const { sql, args } = auditSelect(db.dialect, q);
  const rows = await db.all<Record<string, string | number | null>>(sql, args);
  return rows.map((r) => ({
    id: Number(r.id),
    at: String(r.at),
    actor: { kind: String(r.actor_kind), name: String(r.actor_name), ...(r.actor_ip ? { ip: String(r.actor_ip) } : {}) },
    action: String(r.action),
    ...(r.target !== null ? { target: String(r.target) } : {}),
    result: r.result as AuditEntry["result"],
    ...(r.details ? { details: JSON.parse(String(r.details)) as Record<string, unknown> } : {}),
  }));
}

/**
 * A request waits for its row no longer than its deadline (core/deadline.ts): the batch it waits on may be one
 * started without a deadline (store.postgres.statementTimeoutMs), or a failed one's pause before its retry. The row
 * stays queued.
 */
function withinRequestDeadline(wait: () => Promise<void>): Promise<void> {
  const deadline = currentDeadline();
  return deadline ? untilDeadline(wait(), deadline, () => new StoreDeadlineError(true)) : wait();
}
