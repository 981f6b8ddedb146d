// Store tables of maintenance windows: each occurrence seen (so its summary is sent once, after a restart too) and
// each event that happened inside one, from which the summary is written.
import type { MigrationSet } from "../../platform/store/database";

export const maintenanceMigrations: MigrationSet = {
  module: "maintenance",
  migrations: [
    {
      version: 1,
      name: "window occurrences and the events inside them",
      sql: `
        CREATE TABLE maintenance_occurrences (
          window_name TEXT NOT NULL,
          starts_at INTEGER NOT NULL,
          ends_at INTEGER NOT NULL,
          scope TEXT NOT NULL,
          summarized_at INTEGER,
          PRIMARY KEY (window_name, starts_at)
        );
        CREATE INDEX maintenance_occurrences_due ON maintenance_occurrences (summarized_at, ends_at);
        CREATE TABLE maintenance_events (
          window_name TEXT NOT NULL,
          starts_at INTEGER NOT NULL,
          event_id TEXT NOT NULL,
          kind TEXT NOT NULL,
          title TEXT NOT NULL,
          condition_key TEXT,
          condition_role TEXT,
          held INTEGER NOT NULL,
          at INTEGER NOT NULL,
          PRIMARY KEY (window_name, starts_at, event_id)
        );
      `,
    },
  ],
};
