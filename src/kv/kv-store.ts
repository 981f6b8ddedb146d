// The key-value store: namespaced keys with optional TTL in the store database, limits enforced on every
// write, expired keys invisible to reads and removed by a purge timer armed for the next expiry. A namespace
// exists from its first key until it is deleted, even while it holds no key (as in Butler).
import type { DatabaseSync } from "node:sqlite";
import type { Logger } from "pino";
import type { AuditActor, AuditEntry, AuditLog } from "../audit/audit-log";
import type { Clock, Timer } from "../core/clock";
import { AppError } from "../core/errors";
import type { Component } from "../core/lifecycle";
import type { MetricsRegistry } from "../core/metrics";
import type { Store } from "../store/database";
import type { KvConfig } from "../config/sections/kv";
import type { KeyValueWriter } from "../control/types";

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

/**
 * Where a write's audit entry goes instead of the audit log: a REST request hands its own, so the request's one
 * audit row (written by the access guard) says what the write did, and no second row is written.
 */
export type AuditSink = (entry: AuditEntry) => void;

export interface KvStore extends KeyValueWriter {
  /** Creates or overwrites a key; a new TTL (or none) replaces the old one. Throws AppError on limits. */
  set(namespace: string, key: string, value: KvValue, ttlMs?: number, actor?: AuditActor, sink?: AuditSink): KvEntry;
  /**
   * The same write in the store's shared transaction (group commit): concurrent sets from many load scripts
   * share one commit. Resolves once it is committed; rejects as set() throws.
   */
  setShared(namespace: string, key: string, value: KvValue, ttlMs?: number, actor?: AuditActor, sink?: AuditSink): Promise<KvEntry>;
  get(namespace: string, key: string): KvEntry | undefined;
  has(namespace: string, key: string): boolean;
  /** True if the key existed (and was live). */
  delete(namespace: string, key: string, actor?: AuditActor, sink?: AuditSink): boolean;
  /** True if the namespace existed (with or without keys). */
  deleteNamespace(namespace: string, actor?: AuditActor, sink?: AuditSink): boolean;
  /** Namespaces in creation order. */
  namespaces(): string[];
  hasNamespace(namespace: string): boolean;
  /** Live keys of a namespace in key order ([] when it has none left), or undefined when there is no such namespace. */
  keys(namespace: string): string[] | undefined;
  /** Removes expired keys now; returns how many. */
  purgeExpired(): number;
}

export interface KvDeps {
  store: Store;
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
  const db: DatabaseSync = deps.store.db;
  const { clock, audit } = deps;
  const log = deps.log;
  const live = "(expires_at IS NULL OR expires_at > ?)";
  const q = {
    get: db.prepare(`SELECT value, ttl_ms, expires_at FROM kv_entries WHERE namespace = ? AND key = ? AND ${live}`),
    upsert: db.prepare(
      `INSERT INTO kv_entries (namespace, key, value, expires_at, ttl_ms, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at,
       ttl_ms = excluded.ttl_ms, updated_at = excluded.updated_at`,
    ),
    del: db.prepare(`DELETE FROM kv_entries WHERE namespace = ? AND key = ? AND ${live}`),
    delNs: db.prepare(`DELETE FROM kv_entries WHERE namespace = ? AND ${live}`),
    delNsAll: db.prepare("DELETE FROM kv_entries WHERE namespace = ?"),
    nsGet: db.prepare("SELECT 1 AS x FROM kv_namespaces WHERE namespace = ?"),
    nsAdd: db.prepare("INSERT INTO kv_namespaces (namespace, created_at) VALUES (?, ?) ON CONFLICT (namespace) DO NOTHING"),
    nsDel: db.prepare("DELETE FROM kv_namespaces WHERE namespace = ?"),
    namespaces: db.prepare("SELECT namespace FROM kv_namespaces ORDER BY seq"),
    nsCount: db.prepare("SELECT COUNT(*) AS n FROM kv_namespaces"),
    nsLiveCount: db.prepare(`SELECT COUNT(DISTINCT namespace) AS n FROM kv_entries WHERE ${live}`),
    // The oldest namespaces that hold no live key: the ones given up first when the list is full.
    nsDropEmpty: db.prepare(
      `DELETE FROM kv_namespaces WHERE seq IN (SELECT seq FROM kv_namespaces n WHERE NOT EXISTS
         (SELECT 1 FROM kv_entries e WHERE e.namespace = n.namespace AND (e.expires_at IS NULL OR e.expires_at > ?)) ORDER BY seq LIMIT ?)`,
    ),
    keyCount: db.prepare(`SELECT COUNT(*) AS n FROM kv_entries WHERE namespace = ? AND ${live}`),
    keys: db.prepare(`SELECT key FROM kv_entries WHERE namespace = ? AND ${live} ORDER BY key`),
    purge: db.prepare("DELETE FROM kv_entries WHERE expires_at IS NOT NULL AND expires_at <= ?"),
    nextExpiry: db.prepare("SELECT MIN(expires_at) AS t FROM kv_entries WHERE expires_at IS NOT NULL"),
    total: db.prepare(`SELECT COUNT(*) AS n FROM kv_entries WHERE ${live}`),
    // Bytes a row takes (UTF-8 of its names and its JSON value), live or not yet purged: what kv.maxTotalBytes counts.
    rowBytes: db.prepare("SELECT LENGTH(CAST(namespace AS BLOB)) + LENGTH(CAST(key AS BLOB)) + LENGTH(CAST(value AS BLOB)) AS b FROM kv_entries WHERE namespace = ? AND key = ?"),
    nsBytes: db.prepare("SELECT COALESCE(SUM(LENGTH(CAST(namespace AS BLOB)) + LENGTH(CAST(key AS BLOB)) + LENGTH(CAST(value AS BLOB))), 0) AS b FROM kv_entries WHERE namespace = ?"),
    expiredBytes: db.prepare("SELECT COALESCE(SUM(LENGTH(CAST(namespace AS BLOB)) + LENGTH(CAST(key AS BLOB)) + LENGTH(CAST(value AS BLOB))), 0) AS b FROM kv_entries WHERE expires_at IS NOT NULL AND expires_at <= ?"),
    allBytes: db.prepare("SELECT COALESCE(SUM(LENGTH(CAST(namespace AS BLOB)) + LENGTH(CAST(key AS BLOB)) + LENGTH(CAST(value AS BLOB))), 0) AS b FROM kv_entries"),
  };
  const bytesOf = (row: unknown) => Number((row as { b: number | null } | undefined)?.b ?? 0);
  // The store's size, kept up to date by every write so the quota check needs no scan.
  let totalBytes = bytesOf(q.allBytes.get());
  const purged = deps.metrics.counter("steward_kv_purged_keys_total", "Expired keys removed by the purge timer.");
  const writes = deps.metrics.counter("steward_kv_writes_total", "Key-value writes by operation and result.");
  deps.metrics.gaugeFn("steward_kv_keys", "Live keys in the key-value store.", () => (db.isOpen ? Number((q.total.get(clock.now()) as { n: number }).n) : 0));

  let timer: Timer | undefined;
  let timerDue = Number.POSITIVE_INFINITY;
  let running = false;

  const bytes = (s: string) => Buffer.byteLength(s, "utf8");

  function checkName(what: "namespace" | "key", name: string): void {
    if (name.length === 0) throw new AppError("BAD_REQUEST", `${what}: must not be empty`);
    const n = bytes(name);
    if (n > cfg.maxKeyBytes) {
      throw new AppError("PAYLOAD_TOO_LARGE", `${what} is ${n} bytes; the limit is ${cfg.maxKeyBytes} bytes (kv.maxKeyBytes)`, {
        details: { field: what, bytes: n, limit: cfg.maxKeyBytes },
      });
    }
  }

  const toLog: AuditSink = (e) => audit.record(e);

  function fail(action: string, target: string, actor: AuditActor, err: unknown, sink: AuditSink): never {
    sink({ actor, action, target, result: "failed", details: { error: (err as Error).message } });
    writes.inc({ op: action, result: "failed" });
    throw err;
  }

  /** Arms the purge timer for the earlier of the next expiry and the purge interval. */
  function armPurge(): void {
    if (!running) return;
    const now = clock.now();
    const next = (q.nextExpiry.get() as { t: number | null }).t;
    const due = Math.min(next ?? Number.POSITIVE_INFINITY, now + cfg.purgeIntervalMs);
    if (timer && due >= timerDue) return;
    if (timer) clock.clearTimeout(timer);
    timerDue = due;
    timer = clock.setTimeout(onPurgeTimer, Math.max(0, due - now));
    timer.unref?.();
  }

  function onPurgeTimer(): void {
    timer = undefined;
    timerDue = Number.POSITIVE_INFINITY;
    if (!running || !db.isOpen) return;
    try {
      store.purgeExpired();
    } catch (err) {
      log.error({ err: (err as Error).message }, "purging expired keys failed");
    }
    armPurge();
  }

  interface SetPlan {
    namespace: string;
    key: string;
    text: string;
    size: number;
    ttlMs: number;
    expiresAt: number | null;
    /** The write itself, to run inside a transaction (its own, or a shared one). */
    apply: () => void;
  }

  /** Validates a set (names, TTL, value size) and returns the write; the store limits are checked when it runs. */
  function planSet(namespace: string, key: string, value: KvValue, ttlMs: number): SetPlan {
    const target = `${namespace}/${key}`;
    checkName("namespace", namespace);
    checkName("key", key);
    if (!Number.isInteger(ttlMs) || ttlMs < 0 || ttlMs > MAX_TTL_MS) {
      throw new AppError("BAD_REQUEST", `ttl: must be a whole number of milliseconds from 0 to ${MAX_TTL_MS}`, { details: { field: "ttl" } });
    }
    const text = JSON.stringify(value ?? null);
    // A string's size is its own UTF-8 length (not counting JSON quotes); other values count their JSON text.
    const size = typeof value === "string" ? bytes(value) : bytes(text);
    if (size > cfg.maxValueBytes) {
      throw new AppError("PAYLOAD_TOO_LARGE", `value is ${size} bytes; the limit is ${cfg.maxValueBytes} bytes (kv.maxValueBytes)`, {
        details: { field: "value", bytes: size, limit: cfg.maxValueBytes },
      });
    }
    const now = clock.now();
    const expiresAt = ttlMs > 0 ? now + ttlMs : null;
    const rowSize = bytes(namespace) + bytes(key) + bytes(text);
    // Runs inside the write's transaction; the quota check sees the writes committed before it in the batch.
    const apply = () => {
      const after = totalBytes - bytesOf(q.rowBytes.get(namespace, key)) + rowSize;
      if (after > cfg.maxTotalBytes && after > totalBytes) {
        throw new AppError("CONFLICT", `cannot store ${target}: the key-value store would hold ${after} bytes, over its limit of ${cfg.maxTotalBytes} bytes (kv.maxTotalBytes); delete keys or namespaces first`, {
          details: { limit: cfg.maxTotalBytes, setting: "kv.maxTotalBytes", bytes: after },
        });
      }
      if (!q.nsGet.get(namespace)) {
        // The limit counts namespaces that hold keys, as before: a site that makes a namespace per run with
        // expiring keys must not run into it. Emptied ones stay listed (as in Butler) until the list is full;
        // then the oldest of them make room.
        const nsCount = Number((q.nsLiveCount.get(now) as { n: number }).n);
        const listed = Number((q.nsCount.get() as { n: number }).n);
        if (listed >= cfg.maxNamespaces) q.nsDropEmpty.run(now, listed - cfg.maxNamespaces + 1);
        if (nsCount >= cfg.maxNamespaces) {
          throw new AppError("CONFLICT", `cannot create namespace '${namespace}': the store already holds the maximum of ${cfg.maxNamespaces} namespaces (kv.maxNamespaces); delete one first`, {
            details: { limit: cfg.maxNamespaces, setting: "kv.maxNamespaces" },
          });
        }
        q.nsAdd.run(namespace, now);
      } else if (!q.get.get(namespace, key, now)) {
        const keyCount = Number((q.keyCount.get(namespace, now) as { n: number }).n);
        if (keyCount >= cfg.maxKeysPerNamespace) {
          throw new AppError("CONFLICT", `cannot add key '${key}': namespace '${namespace}' already holds the maximum of ${cfg.maxKeysPerNamespace} keys (kv.maxKeysPerNamespace); delete keys first`, {
            details: { limit: cfg.maxKeysPerNamespace, setting: "kv.maxKeysPerNamespace" },
          });
        }
      }
      q.upsert.run(namespace, key, text, expiresAt, ttlMs, now);
      totalBytes = after;
    };
    return { namespace, key, text, size, ttlMs, expiresAt, apply };
  }

  function setDone(p: SetPlan, actor: AuditActor, sink: AuditSink): KvEntry {
    sink({ actor, action: "kv.set", target: `${p.namespace}/${p.key}`, result: "ok", details: { ttl: p.ttlMs, bytes: p.size } });
    writes.inc({ op: "kv.set", result: "ok" });
    if (p.expiresAt !== null) armPurge();
    return { namespace: p.namespace, key: p.key, value: JSON.parse(p.text) as KvValue, ttl: p.ttlMs, ...(p.expiresAt !== null ? { expiresAt: p.expiresAt } : {}) };
  }

  const store: KvStore & Component = {
    name: "kv",
    set(namespace, key, value, ttlMs = 0, actor = SYSTEM_ACTOR, sink = toLog) {
      const target = `${namespace}/${key}`;
      try {
        const plan = planSet(namespace, key, value, ttlMs);
        deps.store.transaction(plan.apply);
        return setDone(plan, actor, sink);
      } catch (err) {
        fail("kv.set", target, actor, err, sink);
      }
    },
    async setShared(namespace, key, value, ttlMs = 0, actor = SYSTEM_ACTOR, sink = toLog) {
      const target = `${namespace}/${key}`;
      try {
        const plan = planSet(namespace, key, value, ttlMs);
        await deps.store.writes.write(plan.apply);
        return setDone(plan, actor, sink);
      } catch (err) {
        fail("kv.set", target, actor, err, sink);
      }
    },
    setKey(namespace, key, value, ttlMs) {
      store.set(namespace, key, value, ttlMs ?? 0, START_REQUEST_ACTOR);
    },
    get(namespace, key) {
      const row = q.get.get(namespace, key, clock.now()) as { value: string; ttl_ms: number; expires_at: number | null } | undefined;
      if (!row) return undefined;
      return {
        namespace,
        key,
        value: JSON.parse(row.value) as KvValue,
        ttl: Number(row.ttl_ms),
        ...(row.expires_at !== null ? { expiresAt: Number(row.expires_at) } : {}),
      };
    },
    has(namespace, key) {
      return q.get.get(namespace, key, clock.now()) !== undefined;
    },
    delete(namespace, key, actor = SYSTEM_ACTOR, sink = toLog) {
      const size = bytesOf(q.rowBytes.get(namespace, key));
      const n = Number(q.del.run(namespace, key, clock.now()).changes);
      if (n > 0) totalBytes -= size;
      sink({ actor, action: "kv.delete", target: `${namespace}/${key}`, result: n > 0 ? "ok" : "failed", ...(n > 0 ? {} : { details: { error: "not found" } }) });
      writes.inc({ op: "kv.delete", result: n > 0 ? "ok" : "failed" });
      return n > 0;
    },
    deleteNamespace(namespace, actor = SYSTEM_ACTOR, sink = toLog) {
      const { existed, n } = deps.store.transaction(() => {
        const size = bytesOf(q.nsBytes.get(namespace));
        const liveCount = Number(q.delNs.run(namespace, clock.now()).changes);
        q.delNsAll.run(namespace);
        totalBytes -= size;
        return { existed: Number(q.nsDel.run(namespace).changes) > 0, n: liveCount };
      });
      sink({ actor, action: "kv.delete-namespace", target: namespace, result: existed ? "ok" : "failed", details: existed ? { keys: n } : { error: "not found" } });
      writes.inc({ op: "kv.delete-namespace", result: existed ? "ok" : "failed" });
      return existed;
    },
    namespaces() {
      return (q.namespaces.all() as Array<{ namespace: string }>).map((r) => r.namespace);
    },
    hasNamespace(namespace) {
      return q.nsGet.get(namespace) !== undefined;
    },
    keys(namespace) {
      if (!q.nsGet.get(namespace)) return undefined;
      return (q.keys.all(namespace, clock.now()) as Array<{ key: string }>).map((r) => r.key);
    },
    purgeExpired() {
      const now = clock.now();
      const size = bytesOf(q.expiredBytes.get(now));
      const n = Number(q.purge.run(now).changes);
      totalBytes -= size;
      if (n > 0) {
        purged.inc({}, n);
        log.debug({ keys: n }, "purged expired keys");
      }
      return n;
    },
    start() {
      running = true;
      store.purgeExpired();
      armPurge();
    },
    stop() {
      running = false;
      if (timer) clock.clearTimeout(timer);
      timer = undefined;
      timerDue = Number.POSITIVE_INFINITY;
    },
  };
  return store;
}
