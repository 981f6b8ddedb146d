// Key-value writes on SQLite, run in a transaction under its write lock (BEGIN IMMEDIATE): the limit checks read
// the counts and the byte usage and no other write can slip in between. A refused set throws inside the
// transaction, so nothing it did (such as giving up old empty namespaces) is kept.
import type { KvConfig } from "./config";
import type { SqlExecutor, SqlValue } from "../../platform/store/sql";
import { limitError, utf8Bytes } from "./kv-limits";
import type { KvQueries } from "./kv-queries";
import type { SetArgs } from "./postgres-writes";

const bytesOf = (row: { b: number | null } | undefined) => Number(row?.b ?? 0);
const usageOf = async (tx: SqlExecutor, q: KvQueries) => Number((await tx.get<{ bytes: number }>(q.usage))?.bytes ?? 0);
const countOf = async (tx: SqlExecutor, sql: string, params: readonly SqlValue[] = []) => Number((await tx.get<{ n: number }>(sql, params))?.n ?? 0);

/** Creates or overwrites a key, or throws the 409 of the limit it would break. */
export async function sqliteSetKey(tx: SqlExecutor, q: KvQueries, cfg: KvConfig, a: SetArgs): Promise<void> {
  const { namespace, key, text, now } = a;
  const totalBytes = await usageOf(tx, q);
  const row = await tx.get<{ b: number | null; expires_at: number | null }>(q.rowState, [namespace, key]);
  const after = totalBytes - bytesOf(row) + utf8Bytes(namespace) + utf8Bytes(key) + utf8Bytes(text);
  if (after > cfg.maxTotalBytes && after > totalBytes) throw limitError(cfg, { outcome: "total", after }, namespace, key);
  const liveKey = row !== undefined && (row.expires_at === null || Number(row.expires_at) > now);
  // A live key's namespace exists (it is deleted with its keys), so only a new key reads the namespace.
  if (!liveKey) {
    if (!(await tx.get(q.nsGet, [namespace]))) await addNamespace(tx, q, cfg, namespace, key, now);
    else await checkRoomForKey(tx, q, cfg, namespace, key, now);
  }
  await tx.run(q.upsert, [namespace, key, text, a.expiresAt, a.ttlMs, now]);
  // Overwriting a key with a value of the same size leaves the total as it is: no write.
  if (after !== totalBytes) await tx.run(q.setUsage, [after]);
}

async function addNamespace(tx: SqlExecutor, q: KvQueries, cfg: KvConfig, namespace: string, key: string, now: number): Promise<void> {
  // The limit counts namespaces that hold keys, as before: a site that makes a namespace per run with
  // expiring keys must not run into it. Emptied ones stay listed (as in Butler) until the list is full;
  // then the oldest of them make room.
  let nsCount = await countOf(tx, q.nsWithRows);
  if (nsCount >= cfg.maxNamespaces) nsCount = await countOf(tx, q.nsLiveCount, [now]);
  const listed = await countOf(tx, q.nsCount);
  if (listed >= cfg.maxNamespaces) await tx.run(q.nsDropEmpty, [now, listed - cfg.maxNamespaces + 1]);
  if (nsCount >= cfg.maxNamespaces) throw limitError(cfg, { outcome: "namespaces" }, namespace, key);
  await tx.run(q.nsAdd, [namespace, now]);
}

async function checkRoomForKey(tx: SqlExecutor, q: KvQueries, cfg: KvConfig, namespace: string, key: string, now: number): Promise<void> {
  let keyCount = await countOf(tx, q.rowCount, [namespace]);
  if (keyCount >= cfg.maxKeysPerNamespace) keyCount = await countOf(tx, q.keyCount, [namespace, now]);
  if (keyCount >= cfg.maxKeysPerNamespace) throw limitError(cfg, { outcome: "keys" }, namespace, key);
}

/** Deletes a live key; returns how many rows went (0 or 1). */
export async function sqliteDeleteKey(tx: SqlExecutor, q: KvQueries, namespace: string, key: string, now: number): Promise<number> {
  const total = await usageOf(tx, q);
  const size = bytesOf(await tx.get(q.rowBytes, [namespace, key]));
  const deleted = (await tx.run(q.del, [namespace, key, now])).changes;
  if (deleted > 0) await tx.run(q.setUsage, [total - size]);
  return deleted;
}

/** Deletes a namespace's rows, live or expired; returns how many were live. */
export async function sqliteDeleteNamespaceRows(tx: SqlExecutor, q: KvQueries, namespace: string, now: number): Promise<number> {
  const total = await usageOf(tx, q);
  const size = bytesOf(await tx.get(q.nsBytes, [namespace]));
  const liveCount = (await tx.run(q.delNs, [namespace, now])).changes;
  await tx.run(q.delNsAll, [namespace]);
  if (size > 0) await tx.run(q.setUsage, [total - size]);
  return liveCount;
}

/** Removes the keys expired by `now`; returns how many. */
export async function sqlitePurgeExpired(tx: SqlExecutor, q: KvQueries, now: number): Promise<number> {
  const total = await usageOf(tx, q);
  const size = bytesOf(await tx.get(q.expiredBytes, [now]));
  const removed = (await tx.run(q.purge, [now])).changes;
  if (removed > 0) await tx.run(q.setUsage, [total - size]);
  return removed;
}
