// The rota's store tables (issue 106): personal calendar feeds, one row per feed with its token kept only as a
// SHA-256 hash (a copy of the store does not hand out anyone's calendar), revoked by setting revoked_at; and the
// overrides people make over REST or the dashboard, merged with the config's at every look at who is on duty (a
// cancelled one is kept with who cancelled it); and the notices that tell the people an override moves, sent once;
// and, per schedule, the Slack user group's members as Steward last made or found them, claimed before Slack is asked.
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
    {
      version: 3,
      name: "overrides cancelled, and the notices of a change to the people it moves",
      sql: `
        ALTER TABLE oncall_overrides ADD COLUMN cancelled_at INTEGER;
        ALTER TABLE oncall_overrides ADD COLUMN cancelled_by TEXT;
        CREATE TABLE oncall_override_notices (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          override_id INTEGER NOT NULL,
          change TEXT NOT NULL,
          person TEXT NOT NULL,
          subject TEXT NOT NULL,
          body TEXT NOT NULL,
          schedule TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          claimed_by TEXT,
          claimed_at INTEGER,
          sent_at INTEGER,
          UNIQUE (override_id, change, person)
        );
        CREATE INDEX oncall_override_notices_unsent ON oncall_override_notices (sent_at);
      `,
    },
    {
      version: 4,
      name: "the Slack user group each schedule keeps in step",
      sql: `
        CREATE TABLE oncall_slack_groups (
          schedule TEXT PRIMARY KEY,
          usergroup TEXT NOT NULL DEFAULT '',
          person TEXT NOT NULL DEFAULT '',
          users TEXT NOT NULL DEFAULT '',
          checked_at INTEGER NOT NULL DEFAULT 0,
          claimed_by TEXT,
          claimed_at INTEGER
        );
      `,
    },
  ],
};
