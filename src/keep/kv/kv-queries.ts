// The key-value store's SQL, in the store's dialect. Reads are the same on both stores; the writes here are
// SQLite's (sqlite-writes.ts): PostgreSQL writes through server functions (postgres-writes.ts).
import type { SqlDb } from "../../platform/store/sql";

export type KvQueries = ReturnType<typeof kvQueries>;

export function kvQueries(dialect: SqlDb["dialect"]) {
  const live = "(expires_at IS NULL OR expires_at > ?)";
  // Bytes a row takes (UTF-8 of its names and its JSON value), live or not yet purged: what kv.maxTotalBytes counts.
  const len = (col: string) => (dialect === "postgres" ? `octet_length(${col})` : `LENGTH(CAST(${col} AS BLOB))`);
  const rowSizeSql = `${len("namespace")} + ${len("key")} + ${len("value")}`;
  return {
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
}
