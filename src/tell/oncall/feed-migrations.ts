// The store table of the rota's personal calendar feeds (issue 106): one row per feed, its token kept only as a
// SHA-256 hash (a copy of the store does not hand out anyone's calendar), revoked by setting revoked_at.
import type { MigrationSet } from "../../platform/store/database";

export const onCallFeedMigrations: MigrationSet = {
  module: "oncall-feeds",
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
  ],
};
