// The key-value store's tables: one row per key, with an absolute expiry instant for keys that have a TTL, and
// the namespaces in creation order (a namespace outlives its last key until it is deleted, as in Butler).
import type { MigrationSet } from "../../platform/store/database";

/**
 * A key-value set on PostgreSQL, run in the server as one call (src/keep/kv/postgres-writes.ts says why): the same rules
 * as the set in kv-store.ts, which SQLite runs. Returns one row: outcome 'ok', or the limit that refused it
 * ('total' with the bytes the store would hold, 'namespaces', 'keys'); a refused set changes nothing.
 * Locks, always in this order: the key's row, then (only when the usage changes) the usage row. Each statement of
 * a PL/pgSQL function reads with a fresh snapshot, so what is read after a lock was granted is current.
 */
const KV_SET_FUNCTION = `
CREATE FUNCTION kv_set(p_ns text, p_key text, p_value text, p_expires bigint, p_ttl bigint, p_now bigint,
  p_max_total bigint, p_max_namespaces bigint, p_max_keys bigint)
RETURNS TABLE (outcome text, bytes bigint) LANGUAGE plpgsql AS $fn$
DECLARE
  v_size bigint := octet_length(p_ns) + octet_length(p_key) + octet_length(p_value);
  v_old bigint := 0;
  v_live boolean := false;
  v_total bigint;
  v_after bigint;
  v_listed bigint;
  v_used bigint;
BEGIN
  SELECT octet_length(e.namespace) + octet_length(e.key) + octet_length(e.value), (e.expires_at IS NULL OR e.expires_at > p_now)
    INTO v_old, v_live FROM kv_entries e WHERE e.namespace = p_ns AND e.key = p_key FOR UPDATE;
  IF NOT FOUND THEN v_old := 0; v_live := false; END IF;

  -- Overwriting a live key of a listed namespace changes no count: only the bytes, checked in the usage row's
  -- own UPDATE (the lock lives until this call commits). A value of the same size leaves the usage row alone.
  IF v_live AND EXISTS (SELECT 1 FROM kv_namespaces n WHERE n.namespace = p_ns) THEN
    IF v_size <> v_old THEN
      UPDATE kv_usage u SET bytes = u.bytes + (v_size - v_old)
        WHERE u.name = 'total' AND (u.bytes + (v_size - v_old) <= p_max_total OR v_size < v_old)
        RETURNING u.bytes INTO v_total;
      IF NOT FOUND THEN
        SELECT u.bytes INTO v_total FROM kv_usage u WHERE u.name = 'total';
        RETURN QUERY SELECT 'total'::text, v_total + v_size - v_old;
        RETURN;
      END IF;
    END IF;
    UPDATE kv_entries e SET value = p_value, expires_at = p_expires, ttl_ms = p_ttl, updated_at = p_now
      WHERE e.namespace = p_ns AND e.key = p_key;
    RETURN QUERY SELECT 'ok'::text, NULL::bigint;
    RETURN;
  END IF;

  -- A key or a namespace may be added: the usage row's lock puts these sets of all Stewards in one line, so two
  -- cannot both pass a count check. Read again after it: another such set may have added this key meanwhile.
  SELECT u.bytes INTO v_total FROM kv_usage u WHERE u.name = 'total' FOR UPDATE;
  SELECT octet_length(e.namespace) + octet_length(e.key) + octet_length(e.value), (e.expires_at IS NULL OR e.expires_at > p_now)
    INTO v_old, v_live FROM kv_entries e WHERE e.namespace = p_ns AND e.key = p_key;
  IF NOT FOUND THEN v_old := 0; v_live := false; END IF;
  v_after := v_total - v_old + v_size;
  IF v_after > p_max_total AND v_after > v_total THEN
    RETURN QUERY SELECT 'total'::text, v_after;
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM kv_namespaces n WHERE n.namespace = p_ns) THEN
    -- The limit counts namespaces that hold live keys; emptied ones stay listed until the list is full.
    SELECT COUNT(DISTINCT e.namespace) INTO v_used FROM kv_entries e WHERE e.expires_at IS NULL OR e.expires_at > p_now;
    IF v_used >= p_max_namespaces THEN
      RETURN QUERY SELECT 'namespaces'::text, NULL::bigint;
      RETURN;
    END IF;
    SELECT COUNT(*) INTO v_listed FROM kv_namespaces;
    IF v_listed >= p_max_namespaces THEN
      DELETE FROM kv_namespaces WHERE seq IN (SELECT n.seq FROM kv_namespaces n WHERE NOT EXISTS
        (SELECT 1 FROM kv_entries e WHERE e.namespace = n.namespace AND (e.expires_at IS NULL OR e.expires_at > p_now))
        ORDER BY n.seq LIMIT v_listed - p_max_namespaces + 1);
    END IF;
    INSERT INTO kv_namespaces (namespace, created_at) VALUES (p_ns, p_now) ON CONFLICT (namespace) DO NOTHING;
  ELSIF NOT v_live THEN
    SELECT COUNT(*) INTO v_used FROM kv_entries e WHERE e.namespace = p_ns AND (e.expires_at IS NULL OR e.expires_at > p_now);
    IF v_used >= p_max_keys THEN
      RETURN QUERY SELECT 'keys'::text, NULL::bigint;
      RETURN;
    END IF;
  END IF;
  INSERT INTO kv_entries (namespace, key, value, expires_at, ttl_ms, updated_at) VALUES (p_ns, p_key, p_value, p_expires, p_ttl, p_now)
    ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at,
    ttl_ms = excluded.ttl_ms, updated_at = excluded.updated_at;
  IF v_after <> v_total THEN
    UPDATE kv_usage u SET bytes = v_after WHERE u.name = 'total';
  END IF;
  RETURN QUERY SELECT 'ok'::text, NULL::bigint;
END
$fn$;`;

/**
 * Version 5 of kv_set: the same rules, with the namespace's stored-row count (kv_key_counts, kept by triggers)
 * instead of a COUNT(*) over its keys per new key, and the number of namespaces holding rows instead of a
 * COUNT(DISTINCT) over every key per new namespace. Counted rows include expired ones not yet purged, so a count
 * under the limit admits at once; only at the limit is the exact count of live keys taken, and the limit holds
 * exactly as before. Locks, in this order: the key's row, the namespace's count row, the usage row; deletes and
 * purges take key rows, then count rows (their trigger), then the usage row, so no two writers wait for each other.
 */
const KV_SET_FUNCTION_COUNTED = `
CREATE OR REPLACE FUNCTION kv_set(p_ns text, p_key text, p_value text, p_expires bigint, p_ttl bigint, p_now bigint,
  p_max_total bigint, p_max_namespaces bigint, p_max_keys bigint)
RETURNS TABLE (outcome text, bytes bigint) LANGUAGE plpgsql AS $fn$
DECLARE
  v_size bigint := octet_length(p_ns) + octet_length(p_key) + octet_length(p_value);
  v_old bigint := 0;
  v_live boolean := false;
  v_total bigint;
  v_after bigint;
  v_listed bigint;
  v_used bigint;
  v_rows bigint;
BEGIN
  SELECT octet_length(e.namespace) + octet_length(e.key) + octet_length(e.value), (e.expires_at IS NULL OR e.expires_at > p_now)
    INTO v_old, v_live FROM kv_entries e WHERE e.namespace = p_ns AND e.key = p_key FOR UPDATE;
  IF NOT FOUND THEN v_old := 0; v_live := false; END IF;

  IF v_live AND EXISTS (SELECT 1 FROM kv_namespaces n WHERE n.namespace = p_ns) THEN
    IF v_size <> v_old THEN
      UPDATE kv_usage u SET bytes = u.bytes + (v_size - v_old)
        WHERE u.name = 'total' AND (u.bytes + (v_size - v_old) <= p_max_total OR v_size < v_old)
        RETURNING u.bytes INTO v_total;
      IF NOT FOUND THEN
        SELECT u.bytes INTO v_total FROM kv_usage u WHERE u.name = 'total';
        RETURN QUERY SELECT 'total'::text, v_total + v_size - v_old;
        RETURN;
      END IF;
    END IF;
    UPDATE kv_entries e SET value = p_value, expires_at = p_expires, ttl_ms = p_ttl, updated_at = p_now
      WHERE e.namespace = p_ns AND e.key = p_key;
    RETURN QUERY SELECT 'ok'::text, NULL::bigint;
    RETURN;
  END IF;

  -- The count row before the usage row: a delete in this namespace holds it (its trigger) before it moves the usage.
  SELECT c.n INTO v_rows FROM kv_key_counts c WHERE c.namespace = p_ns FOR UPDATE;
  IF NOT FOUND THEN v_rows := 0; END IF;
  SELECT u.bytes INTO v_total FROM kv_usage u WHERE u.name = 'total' FOR UPDATE;
  -- Read again now that this set holds the usage row: a namespace with no count row yet locked nothing above, so
  -- every set adding to it waited here with a count of 0, and sets that went before may have added keys.
  SELECT c.n INTO v_rows FROM kv_key_counts c WHERE c.namespace = p_ns;
  IF NOT FOUND THEN v_rows := 0; END IF;
  SELECT octet_length(e.namespace) + octet_length(e.key) + octet_length(e.value), (e.expires_at IS NULL OR e.expires_at > p_now)
    INTO v_old, v_live FROM kv_entries e WHERE e.namespace = p_ns AND e.key = p_key;
  IF NOT FOUND THEN v_old := 0; v_live := false; END IF;
  v_after := v_total - v_old + v_size;
  IF v_after > p_max_total AND v_after > v_total THEN
    RETURN QUERY SELECT 'total'::text, v_after;
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM kv_namespaces n WHERE n.namespace = p_ns) THEN
    -- The limit counts namespaces that hold live keys; emptied ones stay listed until the list is full.
    SELECT COUNT(*) INTO v_used FROM kv_key_counts;
    IF v_used >= p_max_namespaces THEN
      SELECT COUNT(DISTINCT e.namespace) INTO v_used FROM kv_entries e WHERE e.expires_at IS NULL OR e.expires_at > p_now;
    END IF;
    IF v_used >= p_max_namespaces THEN
      RETURN QUERY SELECT 'namespaces'::text, NULL::bigint;
      RETURN;
    END IF;
    SELECT COUNT(*) INTO v_listed FROM kv_namespaces;
    IF v_listed >= p_max_namespaces THEN
      DELETE FROM kv_namespaces WHERE seq IN (SELECT n.seq FROM kv_namespaces n WHERE NOT EXISTS
        (SELECT 1 FROM kv_entries e WHERE e.namespace = n.namespace AND (e.expires_at IS NULL OR e.expires_at > p_now))
        ORDER BY n.seq LIMIT v_listed - p_max_namespaces + 1);
    END IF;
    INSERT INTO kv_namespaces (namespace, created_at) VALUES (p_ns, p_now) ON CONFLICT (namespace) DO NOTHING;
  ELSIF NOT v_live AND v_rows >= p_max_keys THEN
    SELECT COUNT(*) INTO v_used FROM kv_entries e WHERE e.namespace = p_ns AND (e.expires_at IS NULL OR e.expires_at > p_now);
    IF v_used >= p_max_keys THEN
      RETURN QUERY SELECT 'keys'::text, NULL::bigint;
      RETURN;
    END IF;
  END IF;
  INSERT INTO kv_entries (namespace, key, value, expires_at, ttl_ms, updated_at) VALUES (p_ns, p_key, p_value, p_expires, p_ttl, p_now)
    ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at,
    ttl_ms = excluded.ttl_ms, updated_at = excluded.updated_at;
  IF v_after <> v_total THEN
    UPDATE kv_usage u SET bytes = v_after WHERE u.name = 'total';
  END IF;
  RETURN QUERY SELECT 'ok'::text, NULL::bigint;
END
$fn$;`;

/** Rows per namespace, live or expired, as SQLite keeps them: a trigger per inserted and per deleted row. */
const KEY_COUNTS_SQLITE = `CREATE TABLE kv_key_counts (namespace TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO kv_key_counts (namespace, n) SELECT namespace, COUNT(*) FROM kv_entries GROUP BY namespace;
  CREATE TRIGGER kv_entries_counted_insert AFTER INSERT ON kv_entries BEGIN
    INSERT INTO kv_key_counts (namespace, n) VALUES (NEW.namespace, 1) ON CONFLICT (namespace) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER kv_entries_counted_delete AFTER DELETE ON kv_entries BEGIN
    UPDATE kv_key_counts SET n = n - 1 WHERE namespace = OLD.namespace;
    DELETE FROM kv_key_counts WHERE namespace = OLD.namespace AND n <= 0;
  END;`;

/**
 * The same on PostgreSQL, once per statement (a purge of many keys moves each namespace's count once, after every
 * row it deletes is locked). An upsert's transition table holds only the rows it really inserted.
 */
const KEY_COUNTS_POSTGRES = `CREATE TABLE kv_key_counts (namespace TEXT PRIMARY KEY, n BIGINT NOT NULL);
  INSERT INTO kv_key_counts (namespace, n) SELECT namespace, COUNT(*) FROM kv_entries GROUP BY namespace;
  CREATE FUNCTION kv_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    INSERT INTO kv_key_counts AS c (namespace, n) SELECT a.namespace, COUNT(*) FROM kv_added a GROUP BY a.namespace ORDER BY a.namespace
      ON CONFLICT (namespace) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
  END
  $fn$;
  CREATE FUNCTION kv_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    UPDATE kv_key_counts c SET n = c.n - d.n FROM (SELECT g.namespace, COUNT(*) AS n FROM kv_gone g GROUP BY g.namespace) d
      WHERE c.namespace = d.namespace;
    DELETE FROM kv_key_counts c WHERE c.n <= 0 AND c.namespace IN (SELECT g.namespace FROM kv_gone g);
    RETURN NULL;
  END
  $fn$;
  CREATE TRIGGER kv_entries_counted_insert AFTER INSERT ON kv_entries REFERENCING NEW TABLE AS kv_added
    FOR EACH STATEMENT EXECUTE FUNCTION kv_count_inserted();
  CREATE TRIGGER kv_entries_counted_delete AFTER DELETE ON kv_entries REFERENCING OLD TABLE AS kv_gone
    FOR EACH STATEMENT EXECUTE FUNCTION kv_count_deleted();
  ${KV_SET_FUNCTION_COUNTED}`;

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
    {
      version: 4,
      name: "kv set in one round trip (PostgreSQL)",
      // SQLite runs the set in the process, under its write lock; nothing to create there.
      sql: "SELECT 1",
      postgres: KV_SET_FUNCTION,
    },
    {
      version: 5,
      name: "kv rows per namespace",
      // A set that adds a key counted the namespace's live keys (COUNT(*)): filling one namespace was quadratic.
      sql: KEY_COUNTS_SQLITE,
      postgres: KEY_COUNTS_POSTGRES,
    },
    {
      version: 6,
      name: "kv set counts a new namespace's keys after the usage lock (PostgreSQL)",
      // Version 5's kv_set read the key count before waiting for the usage row, so sets racing into a namespace
      // that had no count row yet all saw 0 and passed kv.maxKeysPerNamespace. Migration 5 now creates the
      // corrected function too; this one replaces it in stores that ran the old migration 5.
      sql: "SELECT 1",
      postgres: KV_SET_FUNCTION_COUNTED,
    },
  ],
};
