// What the site monitors remember across restarts: the last version seen and which license thresholds have
// already raised their event, so a restart neither repeats an alert nor misses a change.
import type { MigrationSet } from "../../platform/store/database";
import type { SqlDb } from "../../platform/store/sql";

export const siteMonitorMigrations: MigrationSet = {
  module: "site-monitor",
  migrations: [
    {
      version: 1,
      name: "site monitor state",
      sql: `CREATE TABLE site_monitor_state (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL);`,
    },
  ],
};

export interface MonitorState {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export function createMonitorState(db: SqlDb, now: () => number): MonitorState {
  const get = "SELECT value FROM site_monitor_state WHERE key = ?";
  const put =
    "INSERT INTO site_monitor_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
  const del = "DELETE FROM site_monitor_state WHERE key = ?";
  return {
    get: async (key) => (await db.get<{ value: string }>(get, [key]))?.value,
    set: async (key, value) => void (await db.run(put, [key, value, now()])),
    delete: async (key) => void (await db.run(del, [key])),
  };
}
