// The key-value store's tables: one row per key, with an absolute expiry instant for keys that have a TTL, and
// the namespaces in creation order (a namespace outlives its last key until it is deleted, as in Butler).
import type { MigrationSet } from "../store/database";

export const kvMigrations: MigrationSet = {
  module: "kv",
  migrations: [
    {
      version: 1,
      name: "kv entries",
      sql: `CREATE TABLE kv_entries (
        namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        expires_at INTEGER, ttl_ms INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL,
        PRIMARY KEY (namespace, key)) WITHOUT ROWID;
        CREATE INDEX kv_entries_expiry ON kv_entries (expires_at) WHERE expires_at IS NOT NULL;`,
    },
    {
      version: 2,
      name: "kv namespaces",
      sql: `CREATE TABLE kv_namespaces (seq INTEGER PRIMARY KEY AUTOINCREMENT, namespace TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
        INSERT INTO kv_namespaces (namespace, created_at)
          SELECT namespace, MIN(updated_at) FROM kv_entries GROUP BY namespace ORDER BY MIN(updated_at), namespace;`,
    },
    {
      version: 3,
      name: "kv usage counter",
      // The bytes the store holds (what kv.maxTotalBytes counts), kept in one row that every write updates in
      // its transaction: right across a cluster of Stewards, and no scan per write. Seeded from what is stored.
      sql: `CREATE TABLE kv_usage (name TEXT PRIMARY KEY, bytes INTEGER NOT NULL);
        INSERT INTO kv_usage (name, bytes) SELECT 'total', COALESCE(SUM(LENGTH(CAST(namespace AS BLOB)) + LENGTH(CAST(key AS BLOB)) + LENGTH(CAST(value AS BLOB))), 0) FROM kv_entries;`,
      postgres: `CREATE TABLE kv_usage (name TEXT PRIMARY KEY, bytes BIGINT NOT NULL);
        INSERT INTO kv_usage (name, bytes) SELECT 'total', COALESCE(SUM(octet_length(namespace) + octet_length(key) + octet_length(value)), 0) FROM kv_entries;`,
    },
  ],
};
