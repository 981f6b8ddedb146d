// Store tables of maintenance windows: each occurrence seen (so its summary is sent once, after a restart too) and
// each event that happened inside one, from which the summary is written; the pages of causes a window held.
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
    {
      version: 2,
      name: "pages of causes held by a window, sent at its end if the cause is still open",
      sql: `
        CREATE TABLE maintenance_cause_holds (
          delivery_key TEXT PRIMARY KEY,
          cause_id INTEGER NOT NULL,
          event_id TEXT NOT NULL,
          window_name TEXT NOT NULL,
          scope TEXT NOT NULL,
          ends_at INTEGER NOT NULL,
          route TEXT NOT NULL,
          channel TEXT NOT NULL,
          recipient TEXT NOT NULL,
          held_at INTEGER NOT NULL,
          state TEXT NOT NULL,
          settled_at INTEGER
        );
        CREATE INDEX maintenance_cause_holds_due ON maintenance_cause_holds (state, ends_at);
        CREATE INDEX maintenance_cause_holds_cause ON maintenance_cause_holds (cause_id, state);
      `,
    },
  ],
};
