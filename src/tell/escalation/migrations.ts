// Store table of escalation timers: one row per incident or cause and target route (so a route escalates an incident
// or a cause once, and a chain A → B → A ends), due at a time; a Steward claims a due row with a conditional UPDATE before acting, so
// of all the Stewards of a cluster exactly one notifies, and a restart or a change of leader loses no timer.
import type { MigrationSet } from "../../platform/store/database";

export const escalationMigrations: MigrationSet = {
  module: "escalation",
  migrations: [
    {
      version: 1,
      name: "escalation timers",
      sql: `
        CREATE TABLE escalations (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          incident_id INTEGER NOT NULL,
          from_route TEXT NOT NULL,
          to_route TEXT NOT NULL,
          event_id TEXT NOT NULL,
          due_at INTEGER NOT NULL,
          state TEXT NOT NULL,
          reason TEXT,
          created_at INTEGER NOT NULL,
          settled_at INTEGER
        );
        CREATE UNIQUE INDEX escalations_incident_route ON escalations (incident_id, to_route);
        CREATE INDEX escalations_due ON escalations (state, due_at);
      `,
    },
    {
      version: 2,
      name: "escalation of a cause",
      // A cause's page (a node down, a queue backed up) holds maybe no task incident: its timer names the cause, with
      // incident_id 0; a task incident's names no cause (cause_id 0). Zeros, not NULLs: NULLs never conflict in a
      // unique index, and the timer must be armed once.
      sql: `
        ALTER TABLE escalations ADD COLUMN cause_id INTEGER NOT NULL DEFAULT 0;
        DROP INDEX escalations_incident_route;
        CREATE UNIQUE INDEX escalations_subject_route ON escalations (incident_id, cause_id, to_route);
      `,
    },
  ],
};
