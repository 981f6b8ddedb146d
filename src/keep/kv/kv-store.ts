// The key-value store: namespaced keys with optional TTL in the store database, limits enforced on every
// write, expired keys invisible to reads and removed by a purge timer armed for the next expiry. A namespace
// exists from its first key until it is deleted, even while it holds no key (as in Butler).
import type { Logger } from "pino";
import { AUDIT_INSERT, type AuditActor, type AuditEntry, type AuditLog, type AuditRowValues, type RequestAuditRow } from "../../platform/audit/audit-log";
import type { Clock } from "../../platform/core/clock";
import type { Component } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { SqlDb } from "../../platform/store/sql";
import type { KvConfig } from "./config";
import type { KeyValueWriter } from "../../platform/store/key-value";
import { checkSet, limitError } from "./kv-limits";
import { unstorableNameReason } from "./kv-names";
import { kvQueries, type KvQueries } from "./kv-queries";
import { deleteKey, deleteNamespaceRows, purgeExpiredRows, retryDeadlocks, type SetArgs, setKey } from "./postgres-writes";
import { createPurgeTimer } from "./purge-timer";
import { sqliteDeleteKey, sqliteDeleteNamespaceRows, sqlitePurgeExpired, sqliteSetKey } from "./sqlite-writes";

export { MAX_TTL_MS } from "./kv-limits";

/** Values are strings over REST (as in Butler); other start paths may store any JSON value. */
export type KvValue = string | number | boolean | null | readonly unknown[] | { readonly [k: string]: unknown };

export interface KvEntry {
  namespace: string;
  key: string;
  value: KvValue;
  /** Milliseconds the key was given to live when set; 0 = never expires. */
  ttl: number;
  /** Epoch ms when the key expires, if it has a TTL. */
  expiresAt?: number;
}

/** Hands a write's audit entry to the caller (the REST request), which records it as part of its own row. */
export type AuditNote = (entry: AuditEntry) => void;

export interface KvStore extends KeyValueWriter {
  /**
   * Creates or overwrites a key; a new TTL (or none) replaces the old one. Rejects with AppError on limits.
   * `note`, when given, receives the audit entry instead of the log (the REST request writes one row with it).
   * `row`, when given, is the request's own row: a set that succeeds inserts it in its own transaction (one COMMIT
   * for the key and its row, or neither) and tells the request so; a refused or failed set notes its entry as before.
   */
  set(namespace: string, key: string, value: KvValue, ttlMs?: number, actor?: AuditActor, note?: AuditNote, row?: RequestAuditRow): Promise<KvEntry>;
  get(namespace: string, key: string): Promise<KvEntry | undefined>;
  has(namespace: string, key: string): Promise<boolean>;
  /** True if the key existed (and was live). */
  delete(namespace: string, key: string, actor?: AuditActor, note?: AuditNote): Promise<boolean>;
  /** True if the namespace existed (with or without keys). */
  deleteNamespace(namespace: string, actor?: AuditActor, note?: AuditNote): Promise<boolean>;
  /** Namespaces in creation order. */
  namespaces(): Promise<string[]>;
  hasNamespace(namespace: string): Promise<boolean>;
  /** Live keys of a namespace in key order ([] when it has none left), or undefined when there is no such namespace. */
  keys(namespace: string): Promise<string[] | undefined>;
  /** Removes expired keys now; returns how many. */
  purgeExpired(): Promise<number>;
}

export interface KvDeps {
  /** The store (SQLite file or the cluster's PostgreSQL): every Steward of a cluster sees the same keys. */
  db: SqlDb;
  clock: Clock;
  log: Logger;
  audit: AuditLog;
  metrics: MetricsRegistry;
}

const SYSTEM_ACTOR: AuditActor = { kind: "system", name: "internal" };
/** Writes from `keyvaluestore` items of task-start requests; the start request itself is audited by control. */
const START_REQUEST_ACTOR: AuditActor = { kind: "system", name: "task-start request" };
/** On SQLite, the longest wait between looks at the next expiry (the timer is armed for it at every write). */
const OWN_STORE_PURGE_LOOK_MS = 3_600_000;

/** A name no store can hold names nothing: reads answer "not found" without asking the store (PostgreSQL would fail). */
const findable = (...names: string[]) => names.every((n) => unstorableNameReason(n) === undefined);

/** What a set's write needs: the row's fields and the limits it is checked against. */
function setArgs(cfg: KvConfig, namespace: string, key: string, text: string, ttlMs: number, now: number): SetArgs {
  const { maxTotalBytes, maxNamespaces, maxKeysPerNamespace } = cfg;
  return { namespace, key, text, expiresAt: ttlMs > 0 ? now + ttlMs : null, ttlMs, now, maxTotalBytes, maxNamespaces, maxKeysPerNamespace };
}

/**
 * Writes a set's key and, with `auditRow`, the REST request's audit row after it in the same transaction (on
 * PostgreSQL the same statement): one COMMIT keeps both or neither. Throws the limit a refused set would break.
 */
async function writeSet(db: SqlDb, q: KvQueries, cfg: KvConfig, args: SetArgs, auditRow?: () => AuditRowValues): Promise<void> {
  if (db.dialect === "postgres") {
    const refused = await setKey(db, args, auditRow?.());
    if (refused.outcome !== "ok") throw limitError(cfg, refused, args.namespace, args.key);
    return;
  }
  await db.transaction(async (tx) => {
    await sqliteSetKey(tx, q, cfg, args);
    if (auditRow) await tx.run(AUDIT_INSERT, auditRow());
  });
}

export function createKvStore(cfg: KvConfig, deps: KvDeps): KvStore & Component {
  const { db, clock, audit } = deps;
  const log = deps.log;
  // Several Stewards may write a PostgreSQL store at once: there a write keeps the usage row's lock short, and a
  // set is one round trip (postgres-writes.ts). SQLite runs the same rules under its write lock (sqlite-writes.ts).
  const pg = db.dialect === "postgres";
  const q = kvQueries(db.dialect);
  const purged = deps.metrics.counter("steward_kv_purged_keys_total", "Expired keys removed by the purge timer.");
  const writes = deps.metrics.counter("steward_kv_writes_total", "Key-value writes by operation and result.");
  deps.metrics.gaugeFnAsync("steward_kv_keys", "Live keys in the key-value store.", async () =>
    db.isOpen ? Number((await db.get<{ n: number }>(q.total, [clock.now()]))?.n ?? 0) : 0,
  );
  const purgeTimer = createPurgeTimer({
    db,
    clock,
    log,
    // On SQLite only this Steward writes keys, and each write with an expiry arms the timer for it: the interval is
    // then a safety net of an hour (a look every minute cost an idle site a wake-up and a query, issue 89).
    purgeIntervalMs: pg ? cfg.purgeIntervalMs : Math.max(cfg.purgeIntervalMs, OWN_STORE_PURGE_LOOK_MS),
    nextExpirySql: q.nextExpiry,
    purge: () => store.purgeExpired(),
  });

  const record = (e: AuditEntry) => audit.record(e);
  function fail(action: string, target: string, actor: AuditActor, err: unknown, note?: AuditNote): never {
    (note ?? record)({ actor, action, target, result: "failed", details: { error: (err as Error).message } });
    writes.inc({ op: action, result: "failed" });
    throw err;
  }

  const store: KvStore & Component = {
    name: "kv",
    async set(namespace, key, value, ttlMs = 0, actor = SYSTEM_ACTOR, note, row) {
      const target = `${namespace}/${key}`;
      try {
        const { text, size } = checkSet(cfg, namespace, key, value, ttlMs);
        const args = setArgs(cfg, namespace, key, text, ttlMs, clock.now());
        const { expiresAt } = args;
        const done: AuditEntry = { actor, action: "kv.set", target, result: "ok", details: { ttl: ttlMs, bytes: size } };
        // The request's row commits with the key when the log is kept in this store; else the entry is noted as before.
        const inTx = row && audit.keptIn(db) ? row : undefined;
        const requestRow = inTx ? () => audit.rowToWrite(inTx.entry(done)) : undefined;
        await writeSet(db, q, cfg, args, requestRow);
        if (inTx) {
          audit.rowsCommitted();
          inTx.written();
        } else (note ?? record)(done);
        writes.inc({ op: "kv.set", result: "ok" });
        // Awaited, so the timer is armed for this key before the caller goes on (one indexed MIN query).
        if (expiresAt !== null) await purgeTimer.arm().catch((err) => log.error({ err: (err as Error).message }, "arming the purge of expired keys failed"));
        return { namespace, key, value: JSON.parse(text) as KvValue, ttl: ttlMs, ...(expiresAt !== null ? { expiresAt } : {}) };
      } catch (err) {
        fail("kv.set", target, actor, err, note);
      }
    },
    async setKey(namespace, key, value, ttlMs) {
      await store.set(namespace, key, value, ttlMs ?? 0, START_REQUEST_ACTOR);
    },
    async get(namespace, key) {
      if (!findable(namespace, key)) return undefined;
      const row = await db.get<{ value: string; ttl_ms: number; expires_at: number | null }>(q.get, [namespace, key, clock.now()]);
      if (!row) return undefined;
      return {
        namespace,
        key,
        value: JSON.parse(row.value) as KvValue,
        ttl: Number(row.ttl_ms),
        ...(row.expires_at !== null ? { expiresAt: Number(row.expires_at) } : {}),
      };
    },
    async has(namespace, key) {
      if (!findable(namespace, key)) return false;
      return (await db.get(q.get, [namespace, key, clock.now()])) !== undefined;
    },
    async delete(namespace, key, actor = SYSTEM_ACTOR, note) {
      const n = !findable(namespace, key)
        ? 0
        : await retryDeadlocks(() =>
            db.transaction((tx) => (pg ? deleteKey(tx, namespace, key, clock.now()) : sqliteDeleteKey(tx, q, namespace, key, clock.now()))),
          );
      (note ?? record)({
        actor,
        action: "kv.delete",
        target: `${namespace}/${key}`,
        result: n > 0 ? "ok" : "failed",
        ...(n > 0 ? {} : { details: { error: "not found" } }),
      });
      writes.inc({ op: "kv.delete", result: n > 0 ? "ok" : "failed" });
      return n > 0;
    },
    async deleteNamespace(namespace, actor = SYSTEM_ACTOR, note) {
      const { existed, n } = !findable(namespace)
        ? { existed: false, n: 0 }
        : await retryDeadlocks(() =>
            db.transaction(async (tx) => {
              const live = pg ? await deleteNamespaceRows(tx, namespace, clock.now()) : await sqliteDeleteNamespaceRows(tx, q, namespace, clock.now());
              return { existed: (await tx.run(q.nsDel, [namespace])).changes > 0, n: live };
            }),
          );
      (note ?? record)({
        actor,
        action: "kv.delete-namespace",
        target: namespace,
        result: existed ? "ok" : "failed",
        details: existed ? { keys: n } : { error: "not found" },
      });
      writes.inc({ op: "kv.delete-namespace", result: existed ? "ok" : "failed" });
      return existed;
    },
    async namespaces() {
      return (await db.all<{ namespace: string }>(q.namespaces)).map((r) => r.namespace);
    },
    async hasNamespace(namespace) {
      if (!findable(namespace)) return false;
      return (await db.get(q.nsGet, [namespace])) !== undefined;
    },
    async keys(namespace) {
      if (!findable(namespace) || !(await db.get(q.nsGet, [namespace]))) return undefined;
      return (await db.all<{ key: string }>(q.keys, [namespace, clock.now()])).map((r) => r.key);
    },
    async purgeExpired() {
      const now = clock.now();
      const n = await retryDeadlocks(() => db.transaction((tx) => (pg ? purgeExpiredRows(tx, now) : sqlitePurgeExpired(tx, q, now))));
      if (n > 0) {
        purged.inc({}, n);
        log.debug({ keys: n }, "purged expired keys");
      }
      return n;
    },
    async start() {
      purgeTimer.run();
      await store.purgeExpired();
      await purgeTimer.arm();
    },
    async stop() {
      await purgeTimer.stop();
    },
  };
  return store;
}
