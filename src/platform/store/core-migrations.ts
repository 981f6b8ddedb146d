// Tables the foundation itself keeps: process metadata (first start, last clean stop).
import type { MigrationSet } from "./database";

export const coreMigrations: MigrationSet = {
  module: "core",
  migrations: [
    {
      version: 1,
      name: "meta table",
      sql: "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL)",
    },
  ],
};

export function setMeta(db: import("node:sqlite").DatabaseSync, key: string, value: string): void {
  db.prepare(
    "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
  ).run(key, value, new Date().toISOString());
}

export function getMeta(db: import("node:sqlite").DatabaseSync, key: string): string | undefined {
  const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
  return row?.value;
}
