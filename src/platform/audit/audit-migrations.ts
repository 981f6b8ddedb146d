// The audit log's table in the store (SQLite and PostgreSQL alike).
import type { MigrationSet } from "../store/database";

/** A REST write's operation (details.op) as each store reads it: the expression audit_op indexes, and the filter uses. */
export const AUDIT_OP_SQLITE = "json_extract(details, '$.op')";
export const AUDIT_OP_POSTGRES = "(details::jsonb ->> 'op')";

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
    {
      version: 3,
      name: "audit index of the operations of REST writes",
      // A REST write is one api.write row naming its operation in details.op (oncall.override.create, kv.set …): a
      // filter by an operation looks it up here, not through every api.write row. Partial, so other rows skip it.
      sql: `CREATE INDEX audit_op ON audit (${AUDIT_OP_SQLITE}, at) WHERE action = 'api.write'`,
      postgres: `CREATE INDEX audit_op ON audit ((${AUDIT_OP_POSTGRES}), at) WHERE action = 'api.write'`,
    },
  ],
};
