// The audit log's table in the store (SQLite and PostgreSQL alike).
import type { MigrationSet } from "../store/database";

export const auditMigrations: MigrationSet = {
  module: "audit",
  migrations: [
    {
      version: 1,
      name: "audit table",
      sql: `CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor_kind TEXT NOT NULL, actor_name TEXT NOT NULL,
        actor_ip TEXT, action TEXT NOT NULL, target TEXT, result TEXT NOT NULL, details TEXT);
        CREATE INDEX audit_at ON audit (at);
        CREATE INDEX audit_action ON audit (action, at);`,
    },
    {
      version: 2,
      name: "audit denials index",
      // Retention deletes the oldest denials first: without it, finding them scanned the whole log. Partial, so
      // only a denial's insert pays for it.
      sql: "CREATE INDEX audit_denied ON audit (id) WHERE result = 'denied'",
    },
  ],
};
