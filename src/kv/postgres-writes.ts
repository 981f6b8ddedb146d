// Key-value writes on PostgreSQL, where several Stewards write one store and every write changes the one
// byte-usage row (kv_usage 'total') that kv.maxTotalBytes is checked against.
//
// The usage row's lock is what keeps two Stewards from both passing the quota check, and a row lock is held
// until COMMIT. Taken first in a transaction of several round trips it puts every set of the cluster in one line,
// a few milliseconds each. So:
// - an overwrite of a live key (what load scripts do nearly always) is one statement on its own (autocommit): it
//   locks the key's row, moves the usage by the exact difference only if the result stays within the quota
//   (one conditional UPDATE), and writes the value only if that UPDATE did; the usage lock lives for that one
//   statement's execution and commit, not for round trips; a value of the same size (a date, a status, an id
//   written again) does not touch the usage row at all, so such overwrites of different keys never wait;
// - a new key or namespace keeps the transaction that checks the key and namespace counts under the usage lock
//   (they change only there), but takes the key's row lock first;
// - deletes and purges remove rows first and move the usage after.
// Every writer therefore locks key rows before the usage row, so no two of them can wait for each other.
import type { SqlExecutor } from "../store/sql";

export type OverwriteResult = { outcome: "written" } | { outcome: "absent" } | { outcome: "over"; after: number };

const ROW_BYTES = "octet_length(namespace) + octet_length(key) + octet_length(value)";

// Written for PostgreSQL only, so its own numbered placeholders (no `?` for the seam to number).
// In READ COMMITTED the statement's snapshot may predate a concurrent commit; the row lock of `old` waits for it
// and returns the row's newest version, and the two UPDATEs re-read the rows they change once they hold them, so
// the difference is computed from the value actually replaced. A key inserted after the snapshot is not seen at
// all: `absent`, and the caller takes the transaction path.
const OVERWRITE = `WITH old AS (
    SELECT ${ROW_BYTES} AS b FROM kv_entries
    WHERE namespace = $1 AND key = $2 AND (expires_at IS NULL OR expires_at > $3)
      AND EXISTS (SELECT 1 FROM kv_namespaces WHERE namespace = $1)
    FOR UPDATE OF kv_entries
  ),
  usage AS (
    UPDATE kv_usage u SET bytes = u.bytes + ($4::bigint - old.b) FROM old
    WHERE u.name = 'total' AND $4::bigint <> old.b AND (u.bytes + ($4::bigint - old.b) <= $5::bigint OR $4::bigint < old.b)
    RETURNING u.bytes
  ),
  written AS (
    UPDATE kv_entries e SET value = $6, expires_at = $7, ttl_ms = $8, updated_at = $3 FROM old
    WHERE e.namespace = $1 AND e.key = $2 AND (old.b = $4::bigint OR EXISTS (SELECT 1 FROM usage))
    RETURNING 1
  )
  SELECT (SELECT b FROM old) AS old_bytes, (SELECT COUNT(*) FROM written) AS written,
    (SELECT bytes FROM kv_usage WHERE name = 'total') AS seen_total`;

export interface OverwriteArgs {
  namespace: string;
  key: string;
  now: number;
  /** UTF-8 bytes of namespace + key + JSON text. */
  rowSize: number;
  maxTotalBytes: number;
  text: string;
  expiresAt: number | null;
  ttlMs: number;
}

/** Overwrites a live key in one statement, or says why not (no live key there; the quota would be exceeded). */
export async function overwriteLiveKey(db: SqlExecutor, a: OverwriteArgs): Promise<OverwriteResult> {
  const r = await db.get<{ old_bytes: number | null; written: number; seen_total: number | null }>(OVERWRITE, [
    a.namespace,
    a.key,
    a.now,
    a.rowSize,
    a.maxTotalBytes,
    a.text,
    a.expiresAt,
    a.ttlMs,
  ]);
  if (!r || r.old_bytes === null) return { outcome: "absent" };
  if (Number(r.written) > 0) return { outcome: "written" };
  return { outcome: "over", after: Number(r.seen_total ?? 0) - Number(r.old_bytes) + a.rowSize };
}

/** In the transaction of a set that may add a key: the key's row lock before the usage row's (see above). */
export async function lockKeyRow(tx: SqlExecutor, namespace: string, key: string): Promise<void> {
  await tx.get("SELECT 1 AS x FROM kv_entries WHERE namespace = $1 AND key = $2 FOR UPDATE", [namespace, key]);
}

const moveUsage = (tx: SqlExecutor, delta: number) => tx.run("UPDATE kv_usage SET bytes = bytes + $1::bigint WHERE name = 'total'", [delta]);

/** Runs a DELETE … RETURNING b (bytes) [, live] and moves the usage by what it freed, in that order. */
async function deleteRows(tx: SqlExecutor, del: string, params: Array<string | number>): Promise<{ n: number; live: number }> {
  // Summed in the server: a purge of many keys does not ship every row to Steward.
  const r = await tx.get<{ n: number; live: number; b: number | null }>(
    `WITH d AS (${del}) SELECT COUNT(*) AS n, COUNT(*) FILTER (WHERE d.live) AS live, SUM(d.b) AS b FROM d`,
    params,
  );
  const freed = Number(r?.b ?? 0);
  if (freed > 0) await moveUsage(tx, -freed);
  return { n: Number(r?.n ?? 0), live: Number(r?.live ?? 0) };
}

const LIVE = "(expires_at IS NULL OR expires_at > $2)";

/** Deletes a live key; the usage moves after the row is gone. Returns rows deleted. */
export async function deleteKey(tx: SqlExecutor, namespace: string, key: string, now: number): Promise<number> {
  const del = `DELETE FROM kv_entries WHERE namespace = $1 AND ${LIVE} AND key = $3 RETURNING ${ROW_BYTES} AS b, true AS live`;
  return (await deleteRows(tx, del, [namespace, now, key])).n;
}

/** Deletes every row of a namespace (live or expired); returns how many of them were live. */
export async function deleteNamespaceRows(tx: SqlExecutor, namespace: string, now: number): Promise<number> {
  const del = `DELETE FROM kv_entries WHERE namespace = $1 RETURNING ${ROW_BYTES} AS b, ${LIVE} AS live`;
  return (await deleteRows(tx, del, [namespace, now])).live;
}

/** Removes keys expired at `now`; returns how many. */
export async function purgeExpiredRows(tx: SqlExecutor, now: number): Promise<number> {
  const del = `DELETE FROM kv_entries WHERE expires_at IS NOT NULL AND expires_at <= $1 RETURNING ${ROW_BYTES} AS b, true AS live`;
  return (await deleteRows(tx, del, [now])).n;
}
