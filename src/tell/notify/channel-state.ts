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
  /** Removes the key; true when it was there (so exactly one caller acts on it). */
  take(key: string): Promise<boolean>;
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
  const del = "DELETE FROM channel_state WHERE channel = ? AND key = ?";
  const delIf = "DELETE FROM channel_state WHERE channel = ? AND key = ? AND value = ?";
  const swap = "UPDATE channel_state SET value = ?, updated_at = ? WHERE channel = ? AND key = ? AND value = ?";
  // Not LIKE: a prefix may hold '%' or '_', and SQLite's LIKE ignores case where PostgreSQL's does not.
  const byPrefix = "SELECT key, value FROM channel_state WHERE channel = ? AND substr(key, 1, ?) = ? ORDER BY key";
  return {
    get: async (key) => (await db.get<{ value: string }>(get, [channel, key]))?.value,
    set: async (key, value) => void (await db.run(put, [channel, key, value, now()])),
    take: async (key) => (await db.run(del, [channel, key])).changes > 0,
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
    take: async (k) => m.delete(k),
    takeIf: async (k, v) => m.get(k) === v && m.delete(k),
    replace: async (k, from, to) => m.get(k) === from && Boolean(m.set(k, to)),
    entries: async (prefix) =>
      [...m]
        .filter(([key]) => key.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, value]) => ({ key, value })),
  };
}
