// Key-value writes on PostgreSQL, where several Stewards write one store and every write may change the one
// byte-usage row (kv_usage 'total') that kv.maxTotalBytes is checked against.
//
// A row lock is held until COMMIT. Taken first in a transaction of several round trips, the usage row's lock put
// every set of the cluster in one line, a few milliseconds each. So:
// - a set is one call of the kv_set function (src/keep/kv/migrations.ts), run in the server and committed on its own:
//   whatever locks it takes live for microseconds, not for round trips. It locks the key's row; an overwrite of a
//   live key moves the usage by the exact difference in one conditional UPDATE (refused if over the quota), and a
//   value of the same size does not touch the usage row at all, so such overwrites of different keys never wait;
//   a set that may add a key or a namespace takes its namespace's row count (kv_key_counts) and then the usage
//   row's lock before its count checks, as on SQLite;
// - deletes and purges remove rows first (their trigger moves the row counts) and move the usage after.
// Every writer therefore locks key rows, then count rows, then the usage row, so no two of them wait for each other.
import { AUDIT_COLUMNS, type AuditRowValues } from "../../platform/audit/audit-log";
import { sleep, wallClock } from "../../platform/core/clock";
import type { SqlExecutor } from "../../platform/store/sql";

const ROW_BYTES = "octet_length(namespace) + octet_length(key) + octet_length(value)";

export type SetOutcome = { outcome: "ok" } | { outcome: "total"; after: number } | { outcome: "namespaces" } | { outcome: "keys" };

export interface SetArgs {
  namespace: string;
  key: string;
  text: string;
  expiresAt: number | null;
  ttlMs: number;
  now: number;
  maxTotalBytes: number;
  maxNamespaces: number;
  maxKeysPerNamespace: number;
}

/** PostgreSQL's deadlock and serialization failures: the server rolled the statement back, so running it again is safe. */
const RETRYABLE_CODES = new Set(["40P01", "40001"]);
const RETRY_ATTEMPTS = 6;

function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && RETRYABLE_CODES.has(code);
}

/**
 * Runs a KV write again when PostgreSQL aborted it as a deadlock victim. A new key's set takes the usage row
 * before the key's row (it has no row to lock yet), while an overwrite of a key another Steward has just added
 * takes them the other way round; the server breaks that cycle by aborting one side, which is retried here
 * after a short random pause instead of failing the caller's request with a 500.
 */
export async function retryDeadlocks<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (attempt >= RETRY_ATTEMPTS || !isRetryable(err)) throw err;
      // Wall time: the pause separates real transactions on PostgreSQL, whatever clock Steward runs on.
      await sleep(wallClock, Math.random() * 10 * attempt);
    }
  }
}

/**
 * Sets a key in one round trip; a refused set (which limit, and for the quota the bytes it would need) changed
 * nothing. With `auditRow` the same statement inserts that audit row when the set is ok, so one commit keeps both.
 */
export function setKey(db: SqlExecutor, a: SetArgs, auditRow?: AuditRowValues): Promise<SetOutcome> {
  return retryDeadlocks(() => setKeyOnce(db, a, auditRow));
}

const SET = "SELECT outcome, bytes FROM kv_set($1, $2, $3, $4, $5, $6, $7, $8, $9)";
// The function's result is read once (a CTE with a volatile function is evaluated once); the INSERT runs with it.
const SET_AUDITED =
  `WITH s AS (${SET}), a AS (INSERT INTO audit (${AUDIT_COLUMNS}) ` +
  "SELECT $10::text, $11::text, $12::text, $13::text, $14::text, $15::text, $16::text, $17::text FROM s WHERE s.outcome = 'ok') " +
  "SELECT outcome, bytes FROM s";

async function setKeyOnce(db: SqlExecutor, a: SetArgs, auditRow: AuditRowValues | undefined): Promise<SetOutcome> {
  const params = [a.namespace, a.key, a.text, a.expiresAt, a.ttlMs, a.now, a.maxTotalBytes, a.maxNamespaces, a.maxKeysPerNamespace];
  const r = await db.get<{ outcome: string; bytes: number | null }>(auditRow ? SET_AUDITED : SET, auditRow ? [...params, ...auditRow] : params);
  switch (r?.outcome) {
    case "ok":
      return { outcome: "ok" };
    case "total":
      return { outcome: "total", after: Number(r.bytes) };
    case "namespaces":
    case "keys":
      return { outcome: r.outcome };
    default:
      throw new Error(`kv_set answered ${JSON.stringify(r)}`);
  }
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
