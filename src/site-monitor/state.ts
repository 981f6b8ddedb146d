// What the site monitors remember across restarts: the last version seen and which license thresholds have
// already raised their event, so a restart neither repeats an alert nor misses a change.
import type { DatabaseSync } from "node:sqlite";
import type { MigrationSet } from "../store/database";

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
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
}

export function createMonitorState(db: DatabaseSync, now: () => number): MonitorState {
  const get = db.prepare("SELECT value FROM site_monitor_state WHERE key = ?");
  const put = db.prepare("INSERT INTO site_monitor_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
  const del = db.prepare("DELETE FROM site_monitor_state WHERE key = ?");
  return {
    get: (key) => (get.get(key) as { value: string } | undefined)?.value,
    set: (key, value) => void put.run(key, value, now()),
    delete: (key) => void del.run(key),
  };
}
