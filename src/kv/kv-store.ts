// The key-value store: namespaced keys with optional TTL in the store database, limits enforced on every
// write, expired keys invisible to reads and removed by a purge timer armed for the next expiry. A namespace
// exists from its first key until it is deleted, even while it holds no key (as in Butler).
import type { Logger } from "pino";
import type { AuditActor, AuditEntry, AuditLog } from "../audit/audit-log";
import type { Clock, Timer } from "../core/clock";
import { AppError } from "../core/errors";
import type { Component } from "../core/lifecycle";
import type { MetricsRegistry } from "../core/metrics";
import type { SqlDb, SqlExecutor } from "../store/sql";
import { KV_NAMES_MAX_BYTES, type KvConfig } from "../config/sections/kv";
import type { KeyValueWriter } from "../control/types";
import { unstorableNameReason } from "./kv-names";
import { deleteKey, deleteNamespaceRows, purgeExpiredRows, retryDeadlocks, setKey, type SetOutcome } from "./postgres-writes";

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
  /** Creates or overwrites a key; a new TTL (or none) replaces the old one. Rejects with AppError on limits. */
  /** `note`, when given, receives the audit entry instead of the log (the REST request writes one row with it). */
  set(namespace: string, key: string, value: KvValue, ttlMs?: number, actor?: AuditActor, note?: AuditNote): Promise<KvEntry>;
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
/** Ten years: longer TTLs are almost certainly unit mistakes and would overflow timers downstream. */
export const MAX_TTL_MS = 10 * 365 * 24 * 3600 * 1000;

export function createKvStore(cfg: KvConfig, deps: KvDeps): KvStore & Component {
  const { db, clock, audit } = deps;
  const log = deps.log;
  // Several Stewards may write a PostgreSQL store at once: there a write keeps the usage row's lock short, and a
  // set is one round trip (postgres-writes.ts). SQLite runs the same rules below, under its write lock.
  const pg = db.dialect === "postgres";
  const live = "(expires_at IS NULL OR expires_at > ?)";
  // Bytes a row takes (UTF-8 of its names and its JSON value), live or not yet purged: what kv.maxTotalBytes counts.
  const len = (col: string) => (db.dialect === "postgres" ? `octet_length(${col})` : `LENGTH(CAST(${col} AS BLOB))`);
  const rowSizeSql = `${len("namespace")} + ${len("key")} + ${len("value")}`;
  const q = {
    get: `SELECT value, ttl_ms, expires_at FROM kv_entries WHERE namespace = ? AND key = ? AND ${live}`,
    upsert: `INSERT INTO kv_entries (namespace, key, value, expires_at, ttl_ms, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at,
       ttl_ms = excluded.ttl_ms, updated_at = excluded.updated_at`,
    del: `DELETE FROM kv_entries WHERE namespace = ? AND key = ? AND ${live}`,
    delNs: `DELETE FROM kv_entries WHERE namespace = ? AND ${live}`,
    delNsAll: "DELETE FROM kv_entries WHERE namespace = ?",
    nsGet: "SELECT 1 AS x FROM kv_namespaces WHERE namespace = ?",
    nsAdd: "INSERT INTO kv_namespaces (namespace, created_at) VALUES (?, ?) ON CONFLICT (namespace) DO NOTHING",
    nsDel: "DELETE FROM kv_namespaces WHERE namespace = ?",
    namespaces: "SELECT namespace FROM kv_namespaces ORDER BY seq",
    nsCount: "SELECT COUNT(*) AS n FROM kv_namespaces",
    nsLiveCount: `SELECT COUNT(DISTINCT namespace) AS n FROM kv_entries WHERE ${live}`,
    // The oldest namespaces that hold no live key: the ones given up first when the list is full.
    nsDropEmpty: `DELETE FROM kv_namespaces WHERE seq IN (SELECT seq FROM kv_namespaces n WHERE NOT EXISTS
         (SELECT 1 FROM kv_entries e WHERE e.namespace = n.namespace AND (e.expires_at IS NULL OR e.expires_at > ?)) ORDER BY seq LIMIT ?)`,
    keyCount: `SELECT COUNT(*) AS n FROM kv_entries WHERE namespace = ? AND ${live}`,
    // Rows (live or expired, not yet purged) per namespace and the namespaces holding any, kept by triggers
    // (migration 5): upper bounds of the live counts, so only a set at a limit counts live keys exactly.
    rowCount: "SELECT n FROM kv_key_counts WHERE namespace = ?",
    nsWithRows: "SELECT COUNT(*) AS n FROM kv_key_counts",
    keys: `SELECT key FROM kv_entries WHERE namespace = ? AND ${live} ORDER BY key`,
    purge: "DELETE FROM kv_entries WHERE expires_at IS NOT NULL AND expires_at <= ?",
    nextExpiry: "SELECT MIN(expires_at) AS t FROM kv_entries WHERE expires_at IS NOT NULL",
    total: `SELECT COUNT(*) AS n FROM kv_entries WHERE ${live}`,
    rowBytes: `SELECT ${rowSizeSql} AS b FROM kv_entries WHERE namespace = ? AND key = ?`,
    // A set reads the key's row once: its size (live or not yet purged) and whether it is live.
    rowState: `SELECT ${rowSizeSql} AS b, expires_at FROM kv_entries WHERE namespace = ? AND key = ?`,
    nsBytes: `SELECT COALESCE(SUM(${rowSizeSql}), 0) AS b FROM kv_entries WHERE namespace = ?`,
    expiredBytes: `SELECT COALESCE(SUM(${rowSizeSql}), 0) AS b FROM kv_entries WHERE expires_at IS NOT NULL AND expires_at <= ?`,
    // Read under SQLite's write lock (BEGIN IMMEDIATE), so two writes cannot both pass a limit check.
    usage: "SELECT bytes FROM kv_usage WHERE name = 'total'",
    setUsage: "INSERT INTO kv_usage (name, bytes) VALUES ('total', ?) ON CONFLICT (name) DO UPDATE SET bytes = excluded.bytes",
  };
  const bytesOf = (row: { b: number | null } | undefined) => Number(row?.b ?? 0);
  const usageOf = async (tx: SqlExecutor) => Number((await tx.get<{ bytes: number }>(q.usage))?.bytes ?? 0);
  const purged = deps.metrics.counter("steward_kv_purged_keys_total", "Expired keys removed by the purge timer.");
  const writes = deps.metrics.counter("steward_kv_writes_total", "Key-value writes by operation and result.");
  deps.metrics.gaugeFnAsync("steward_kv_keys", "Live keys in the key-value store.", async () =>
    db.isOpen ? Number((await db.get<{ n: number }>(q.total, [clock.now()]))?.n ?? 0) : 0,
  );

  let timer: Timer | undefined;
  let timerDue = Number.POSITIVE_INFINITY;
  let running = false;
  /** The purge the timer started, awaited by stop(). */
  let purging: Promise<void> | undefined;

  const bytes = (s: string) => Buffer.byteLength(s, "utf8");

  function checkName(what: "namespace" | "key", name: string): void {
    if (name.length === 0) throw new AppError("BAD_REQUEST", `${what}: must not be empty`, { details: { field: what } });
    const unstorable = unstorableNameReason(name);
    if (unstorable) throw new AppError("BAD_REQUEST", `${what}: ${unstorable}`, { details: { field: what } });
    const n = bytes(name);
    if (n > cfg.maxKeyBytes) {
      throw new AppError("PAYLOAD_TOO_LARGE", `${what} is ${n} bytes; the limit is ${cfg.maxKeyBytes} bytes (kv.maxKeyBytes)`, {
        details: { field: what, bytes: n, limit: cfg.maxKeyBytes },
      });
    }
  }

  /** A name no store can hold names nothing: reads answer "not found" without asking the store (PostgreSQL would fail). */
  const findable = (...names: string[]) => names.every((n) => unstorableNameReason(n) === undefined);

  const record = (e: AuditEntry) => audit.record(e);
  function fail(action: string, target: string, actor: AuditActor, err: unknown, note?: AuditNote): never {
    (note ?? record)({ actor, action, target, result: "failed", details: { error: (err as Error).message } });
    writes.inc({ op: action, result: "failed" });
    throw err;
  }

  /** Arms the purge timer for the earlier of the next expiry and the purge interval. */
  async function armPurge(): Promise<void> {
    if (!running) return;
    const next = (await db.get<{ t: number | null }>(q.nextExpiry))?.t ?? null;
    if (!running) return;
    const now = clock.now();
    const due = Math.min(next ?? Number.POSITIVE_INFINITY, now + cfg.purgeIntervalMs);
    if (timer && due >= timerDue) return;
    if (timer) clock.clearTimeout(timer);
    timerDue = due;
    timer = clock.setTimeout(onPurgeTimer, Math.max(0, due - now));
    timer.unref?.();
  }

  function onPurgeTimer(): Promise<void> | undefined {
    timer = undefined;
    timerDue = Number.POSITIVE_INFINITY;
    if (!running || !db.isOpen) return undefined;
    purging = store
      .purgeExpired()
      .then(
        () => {},
        (err) => log.error({ err: (err as Error).message }, "purging expired keys failed"),
      )
      .then(() => armPurge())
      .catch((err) => {
        log.error({ err: (err as Error).message }, "arming the purge of expired keys failed");
        // The store is unreachable: try again after one interval rather than never.
        if (running && !timer) {
          timerDue = clock.now() + cfg.purgeIntervalMs;
          timer = clock.setTimeout(onPurgeTimer, cfg.purgeIntervalMs);
          timer.unref?.();
        }
      })
      .finally(() => (purging = undefined));
    return purging;
  }

  const store: KvStore & Component = {
    name: "kv",
    async set(namespace, key, value, ttlMs = 0, actor = SYSTEM_ACTOR, note) {
      const target = `${namespace}/${key}`;
      try {
        checkName("namespace", namespace);
        checkName("key", key);
        const names = bytes(namespace) + bytes(key);
        if (names > KV_NAMES_MAX_BYTES) {
          throw new AppError(
            "PAYLOAD_TOO_LARGE",
            `namespace and key together are ${names} bytes; the limit is ${KV_NAMES_MAX_BYTES} bytes (what PostgreSQL can index)`,
            {
              details: { field: "key", bytes: names, limit: KV_NAMES_MAX_BYTES },
            },
          );
        }
        if (!Number.isInteger(ttlMs) || ttlMs < 0 || ttlMs > MAX_TTL_MS) {
          throw new AppError("BAD_REQUEST", `ttl: must be a whole number of milliseconds from 0 to ${MAX_TTL_MS}`, { details: { field: "ttl" } });
        }
        const text = JSON.stringify(value ?? null);
        // Counted as stored: the JSON text's UTF-8 bytes (a control character is kept as a 6-byte escape), a
        // string's two enclosing quotes aside.
        const size = typeof value === "string" ? bytes(text) - 2 : bytes(text);
        if (size > cfg.maxValueBytes) {
          throw new AppError("PAYLOAD_TOO_LARGE", `value is ${size} bytes; the limit is ${cfg.maxValueBytes} bytes (kv.maxValueBytes)`, {
            details: { field: "value", bytes: size, limit: cfg.maxValueBytes },
          });
        }
        const now = clock.now();
        const expiresAt = ttlMs > 0 ? now + ttlMs : null;
        const rowSize = bytes(namespace) + bytes(key) + bytes(text);
        if (pg) {
          const args = {
            namespace,
            key,
            text,
            expiresAt,
            ttlMs,
            now,
            maxTotalBytes: cfg.maxTotalBytes,
            maxNamespaces: cfg.maxNamespaces,
            maxKeysPerNamespace: cfg.maxKeysPerNamespace,
          };
          const refused = await setKey(db, args);
          if (refused.outcome !== "ok") throw limitError(cfg, refused, namespace, key);
        } else
          await db.transaction(async (tx) => {
            const totalBytes = await usageOf(tx);
            const row = await tx.get<{ b: number | null; expires_at: number | null }>(q.rowState, [namespace, key]);
            const after = totalBytes - bytesOf(row) + rowSize;
            if (after > cfg.maxTotalBytes && after > totalBytes) {
              throw new AppError(
                "CONFLICT",
                `cannot store ${target}: the key-value store would hold ${after} bytes, over its limit of ${cfg.maxTotalBytes} bytes (kv.maxTotalBytes); delete keys or namespaces first`,
                {
                  details: { limit: cfg.maxTotalBytes, setting: "kv.maxTotalBytes", bytes: after },
                },
              );
            }
            const liveKey = row !== undefined && (row.expires_at === null || Number(row.expires_at) > now);
            // A live key's namespace exists (it is deleted with its keys), so only a new key reads the namespace.
            if (!liveKey) {
              if (!(await tx.get(q.nsGet, [namespace]))) {
                // The limit counts namespaces that hold keys, as before: a site that makes a namespace per run with
                // expiring keys must not run into it. Emptied ones stay listed (as in Butler) until the list is full;
                // then the oldest of them make room.
                let nsCount = Number((await tx.get<{ n: number }>(q.nsWithRows))?.n ?? 0);
                if (nsCount >= cfg.maxNamespaces) nsCount = Number((await tx.get<{ n: number }>(q.nsLiveCount, [now]))?.n ?? 0);
                const listed = Number((await tx.get<{ n: number }>(q.nsCount))?.n ?? 0);
                if (listed >= cfg.maxNamespaces) await tx.run(q.nsDropEmpty, [now, listed - cfg.maxNamespaces + 1]);
                if (nsCount >= cfg.maxNamespaces) {
                  throw new AppError(
                    "CONFLICT",
                    `cannot create namespace '${namespace}': the store already holds the maximum of ${cfg.maxNamespaces} namespaces (kv.maxNamespaces); delete one first`,
                    {
                      details: { limit: cfg.maxNamespaces, setting: "kv.maxNamespaces" },
                    },
                  );
                }
                await tx.run(q.nsAdd, [namespace, now]);
              } else {
                let keyCount = Number((await tx.get<{ n: number }>(q.rowCount, [namespace]))?.n ?? 0);
                if (keyCount >= cfg.maxKeysPerNamespace) keyCount = Number((await tx.get<{ n: number }>(q.keyCount, [namespace, now]))?.n ?? 0);
                if (keyCount >= cfg.maxKeysPerNamespace) {
                  throw new AppError(
                    "CONFLICT",
                    `cannot add key '${key}': namespace '${namespace}' already holds the maximum of ${cfg.maxKeysPerNamespace} keys (kv.maxKeysPerNamespace); delete keys first`,
                    {
                      details: { limit: cfg.maxKeysPerNamespace, setting: "kv.maxKeysPerNamespace" },
                    },
                  );
                }
              }
            }
            await tx.run(q.upsert, [namespace, key, text, expiresAt, ttlMs, now]);
            // Overwriting a key with a value of the same size leaves the total as it is: no write.
            if (after !== totalBytes) await tx.run(q.setUsage, [after]);
          });
        (note ?? record)({ actor, action: "kv.set", target, result: "ok", details: { ttl: ttlMs, bytes: size } });
        writes.inc({ op: "kv.set", result: "ok" });
        // Awaited, so the timer is armed for this key before the caller goes on (one indexed MIN query).
        if (expiresAt !== null) await armPurge().catch((err) => log.error({ err: (err as Error).message }, "arming the purge of expired keys failed"));
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
            db.transaction(async (tx) => {
              if (pg) return deleteKey(tx, namespace, key, clock.now());
              const total = await usageOf(tx);
              const size = bytesOf(await tx.get(q.rowBytes, [namespace, key]));
              const deleted = (await tx.run(q.del, [namespace, key, clock.now()])).changes;
              if (deleted > 0) await tx.run(q.setUsage, [total - size]);
              return deleted;
            }),
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
              if (pg) {
                const live = await deleteNamespaceRows(tx, namespace, clock.now());
                return { existed: (await tx.run(q.nsDel, [namespace])).changes > 0, n: live };
              }
              const total = await usageOf(tx);
              const size = bytesOf(await tx.get(q.nsBytes, [namespace]));
              const liveCount = (await tx.run(q.delNs, [namespace, clock.now()])).changes;
              await tx.run(q.delNsAll, [namespace]);
              if (size > 0) await tx.run(q.setUsage, [total - size]);
              return { existed: (await tx.run(q.nsDel, [namespace])).changes > 0, n: liveCount };
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
      const n = await retryDeadlocks(() =>
        db.transaction(async (tx) => {
          if (pg) return purgeExpiredRows(tx, now);
          const total = await usageOf(tx);
          const size = bytesOf(await tx.get(q.expiredBytes, [now]));
          const removed = (await tx.run(q.purge, [now])).changes;
          if (removed > 0) await tx.run(q.setUsage, [total - size]);
          return removed;
        }),
      );
      if (n > 0) {
        purged.inc({}, n);
        log.debug({ keys: n }, "purged expired keys");
      }
      return n;
    },
    async start() {
      running = true;
      await store.purgeExpired();
      await armPurge();
    },
    async stop() {
      running = false;
      if (timer) clock.clearTimeout(timer);
      timer = undefined;
      timerDue = Number.POSITIVE_INFINITY;
      await purging;
    },
  };
  return store;
}

/** The 409 for a set PostgreSQL's kv_set refused: the same words as the checks of the SQLite path above. */
function limitError(cfg: KvConfig, r: Exclude<SetOutcome, { outcome: "ok" }>, namespace: string, key: string): AppError {
  switch (r.outcome) {
    case "total":
      return new AppError(
        "CONFLICT",
        `cannot store ${namespace}/${key}: the key-value store would hold ${r.after} bytes, over its limit of ${cfg.maxTotalBytes} bytes (kv.maxTotalBytes); delete keys or namespaces first`,
        {
          details: { limit: cfg.maxTotalBytes, setting: "kv.maxTotalBytes", bytes: r.after },
        },
      );
    case "namespaces":
      return new AppError(
        "CONFLICT",
        `cannot create namespace '${namespace}': the store already holds the maximum of ${cfg.maxNamespaces} namespaces (kv.maxNamespaces); delete one first`,
        {
          details: { limit: cfg.maxNamespaces, setting: "kv.maxNamespaces" },
        },
      );
    case "keys":
      return new AppError(
        "CONFLICT",
        `cannot add key '${key}': namespace '${namespace}' already holds the maximum of ${cfg.maxKeysPerNamespace} keys (kv.maxKeysPerNamespace); delete keys first`,
        {
          details: { limit: cfg.maxKeysPerNamespace, setting: "kv.maxKeysPerNamespace" },
        },
      );
  }
}
