// Small durable memory a channel keeps between deliveries (e.g. which incidents it opened, so it can resolve
// them later). One row per channel × key in the store, so it survives restarts and is shared by every
// instance that shares the store.
import type { DatabaseSync } from "node:sqlite";
import type { MigrationSet } from "../store/database";

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
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  /** Removes the key; true when it was there (so exactly one caller acts on it). */
  take(key: string): boolean;
}

export function createChannelState(db: DatabaseSync, channel: string, now: () => number): ChannelState {
  const get = db.prepare("SELECT value FROM channel_state WHERE channel = ? AND key = ?");
  const put = db.prepare(
    "INSERT INTO channel_state (channel, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (channel, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
  );
  const del = db.prepare("DELETE FROM channel_state WHERE channel = ? AND key = ?");
  return {
    get: (key) => (get.get(channel, key) as { value: string } | undefined)?.value,
    set: (key, value) => void put.run(channel, key, value, now()),
    take: (key) => Number(del.run(channel, key).changes) > 0,
  };
}

/** In-memory state for previews and `config check`, which must not touch the store. */
export function memoryChannelState(): ChannelState {
  const m = new Map<string, string>();
  return { get: (k) => m.get(k), set: (k, v) => void m.set(k, v), take: (k) => m.delete(k) };
}
