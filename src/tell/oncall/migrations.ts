// The rota's store tables (issue 106): personal calendar feeds, one row per feed with its token kept only as a
// SHA-256 hash (a copy of the store does not hand out anyone's calendar), revoked by setting revoked_at; and the
// overrides people make over REST or the dashboard, merged with the config's at every look at who is on duty.
import type { MigrationSet } from "../../platform/store/database";

export const onCallMigrations: MigrationSet = {
  module: "oncall",
  migrations: [
    {
      version: 1,
      name: "personal calendar feeds",
      sql: `
        CREATE TABLE oncall_feeds (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          person TEXT NOT NULL,
          token_hash TEXT NOT NULL UNIQUE,
          created_at INTEGER NOT NULL,
          created_by TEXT NOT NULL,
          revoked_at INTEGER,
          revoked_by TEXT
        );
        CREATE INDEX oncall_feeds_person ON oncall_feeds (person);
      `,
    },
    {
      version: 2,
      name: "overrides made by people",
      sql: `
        CREATE TABLE oncall_overrides (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          schedule TEXT NOT NULL,
          person TEXT NOT NULL,
          from_at INTEGER NOT NULL,
          until_at INTEGER NOT NULL,
          created_at INTEGER NOT NULL,
          created_by TEXT NOT NULL
        );
        CREATE INDEX oncall_overrides_until ON oncall_overrides (until_at);
      `,
    },
  ],
};
