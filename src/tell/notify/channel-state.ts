// Small durable memory a channel keeps between deliveries (e.g. which incidents it opened, so it can resolve
// them later). One row per channel × key in the store, so it survives restarts and is shared by every
// instance that shares the store.
import type { MigrationSet } from "../../platform/store/database";
import type { SqlDb } from "../../platform/store/sql";

export const channelStateMigrations: MigrationSet = {
  module: "channel-state",
  migrations: [
    {
      version: 1,
      name: "per-channel state",
      sql: `
        CREATE TABLE channel_state (
          channel TEXT NOT NULL,
          key TEXT NOT NULL,
          value TEXT NOT NULL,
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (channel, key)
        );
      `,
    },
  ],
};

export interface ChannelState {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /** Writes the key only when it is not there: true when this call wrote it (one statement, so one writer wins). */
  setIfAbsent(key: string, value: string): Promise<boolean>;
  /** Removes the key; true when it was there (so exactly one caller acts on it). */
  take(key: string): Promise<boolean>;
  /** Removes these keys in one statement; how many were there. */
  takeAll(keys: readonly string[]): Promise<number>;
  /** Removes the key only while it still holds `value`: true when it did (a newer value written meanwhile stays). */
  takeIf(key: string, value: string): Promise<boolean>;
  /** Writes `to` only while the key still holds `from`: true when it did (so one of several writers wins). */
  replace(key: string, from: string, to: string): Promise<boolean>;
  /** Every key starting with `prefix` and its value, in key order (what a channel re-sends while it is open). */
  entries(prefix: string): Promise<Array<{ key: string; value: string }>>;
}

export function createChannelState(db: SqlDb, channel: string, now: () => number): ChannelState {
  const get = "SELECT value FROM channel_state WHERE channel = ? AND key = ?";
  const put =
    "INSERT INTO channel_state (channel, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (channel, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
  const putNew = "INSERT INTO channel_state (channel, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (channel, key) DO NOTHING";
  const del = "DELETE FROM channel_state WHERE channel = ? AND key = ?";
  const delAll = (n: number) => `DELETE FROM channel_state WHERE channel = ? AND key IN (${Array.from({ length: n }, () => "?").join(", ")})`;
  const delIf = "DELETE FROM channel_state WHERE channel = ? AND key = ? AND value = ?";
  const swap = "UPDATE channel_state SET value = ?, updated_at = ? WHERE channel = ? AND key = ? AND value = ?";
  // Not LIKE: a prefix may hold '%' or '_', and SQLite's LIKE ignores case where PostgreSQL's does not.
  const byPrefix = "SELECT key, value FROM channel_state WHERE channel = ? AND substr(key, 1, ?) = ? ORDER BY key";
  return {
    get: async (key) => (await db.get<{ value: string }>(get, [channel, key]))?.value,
    set: async (key, value) => void (await db.run(put, [channel, key, value, now()])),
    setIfAbsent: async (key, value) => (await db.run(putNew, [channel, key, value, now()])).changes > 0,
    take: async (key) => (await db.run(del, [channel, key])).changes > 0,
    takeAll: async (keys) => (keys.length === 0 ? 0 : (await db.run(delAll(keys.length), [channel, ...keys])).changes),
    takeIf: async (key, value) => (await db.run(delIf, [channel, key, value])).changes > 0,
    replace: async (key, from, to) => (await db.run(swap, [to, now(), channel, key, from])).changes > 0,
    entries: (prefix) => db.all<{ key: string; value: string }>(byPrefix, [channel, prefix.length, prefix]),
  };
}

/** In-memory state for previews and `config check`, which must not touch the store. */
export function memoryChannelState(): ChannelState {
  const m = new Map<string, string>();
  return {
    get: async (k) => m.get(k),
    set: async (k, v) => void m.set(k, v),
    setIfAbsent: async (k, v) => !m.has(k) && Boolean(m.set(k, v)),
    take: async (k) => m.delete(k),
    takeAll: async (keys) => keys.filter((k) => m.delete(k)).length,
    takeIf: async (k, v) => m.get(k) === v && m.delete(k),
    replace: async (k, from, to) => m.get(k) === from && Boolean(m.set(k, to)),
    entries: async (prefix) =>
      [...m]
        .filter(([key]) => key.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, value]) => ({ key, value })),
  };
}
