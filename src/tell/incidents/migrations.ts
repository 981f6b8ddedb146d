// Store tables of incidents: one row per incident (at most one open per subject, enforced by a partial unique
// index so that two Stewards opening the same task's incident at once end up with one), one small row per finished
// run of a task, from which the history of the next run is read, and the count incident numbers are taken from.
import type { MigrationSet } from "../../platform/store/database";

export const incidentMigrations: MigrationSet = {
  module: "incidents",
  migrations: [
    {
      version: 1,
      name: "incidents and task runs",
      sql: `
        CREATE TABLE incidents (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          subject TEXT NOT NULL,
          task_id TEXT,
          title TEXT NOT NULL,
          status TEXT NOT NULL,
          failures INTEGER NOT NULL,
          events INTEGER NOT NULL,
          opened_at INTEGER NOT NULL,
          last_event_at INTEGER NOT NULL,
          first_event_id TEXT NOT NULL,
          last_event_id TEXT NOT NULL,
          last_kind TEXT NOT NULL,
          last_summary TEXT NOT NULL,
          error_class TEXT,
          closed_at INTEGER,
          closed_by_event_id TEXT,
          closed_summary TEXT,
          updated_at INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX incidents_open_subject ON incidents (subject) WHERE status = 'open';
        CREATE INDEX incidents_status_updated ON incidents (status, updated_at);
        CREATE TABLE incident_runs (
          execution_id TEXT NOT NULL,
          outcome TEXT NOT NULL,
          task_id TEXT NOT NULL,
          finished_at INTEGER NOT NULL,
          duration_ms INTEGER,
          error_class TEXT,
          tables TEXT,
          incident_id INTEGER,
          consecutive_failures INTEGER NOT NULL,
          source TEXT NOT NULL,
          recorded_at INTEGER NOT NULL,
          PRIMARY KEY (execution_id, outcome)
        );
        CREATE INDEX incident_runs_task ON incident_runs (task_id, finished_at);
        CREATE INDEX incident_runs_finished ON incident_runs (finished_at);
      `,
    },
    {
      version: 2,
      name: "acknowledgement",
      // Someone is on it: who, when and what they said; the incident's further failures stop re-notifying.
      sql: `ALTER TABLE incidents ADD COLUMN acknowledged_at INTEGER;
        ALTER TABLE incidents ADD COLUMN acknowledged_by TEXT;
        ALTER TABLE incidents ADD COLUMN acknowledged_note TEXT;`,
    },
    {
      version: 3,
      name: "attempts of a run",
      // The Scheduler's attempts of a run (null: one, or not known): a success after more than one was recovered by retry.
      sql: "ALTER TABLE incident_runs ADD COLUMN attempts INTEGER;",
    },
    {
      version: 4,
      name: "paged",
      // When one of its alerts first went to someone (not held): renotify: once holds the repeats of a paged incident only.
      sql: "ALTER TABLE incidents ADD COLUMN paged_at INTEGER;",
    },
    {
      version: 5,
      name: "gapless incident numbers",
      // The number an incident opens with, counted in the transaction that opens it (incident-store.ts): an insert that
      // met the open incident, or a transaction rolled back, takes none, as a row id from AUTOINCREMENT or an identity
      // does. It goes on from the highest number ever handed out, so a purged incident's number is not used again.
      sql: `CREATE TABLE incident_numbers (name TEXT PRIMARY KEY, last INTEGER NOT NULL);
        INSERT INTO incident_numbers (name, last) SELECT 'incidents', MAX(
          COALESCE((SELECT MAX(id) FROM incidents), 0),
          COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'incidents'), 0));`,
      postgres: `CREATE TABLE incident_numbers (name TEXT PRIMARY KEY, last BIGINT NOT NULL);
        INSERT INTO incident_numbers (name, last) SELECT 'incidents', GREATEST(
          COALESCE((SELECT MAX(id) FROM incidents), 0),
          COALESCE((SELECT s.last_value FROM pg_sequences s
            WHERE format('%I.%I', s.schemaname, s.sequencename) = pg_get_serial_sequence('incidents', 'id')), 0));`,
    },
    {
      version: 6,
      name: "a task's successes by end time",
      // "Is there a success after this failure?" is asked for every failure. On the (task, end time) index it visited
      // every later run of the task to find none was a success: in a burst of one task's failures handled out of order
      // (the intake's overflow) a few milliseconds each, more with every failure stored. Successes alone are indexed
      // here, so a failure's insert does not touch this index.
      sql: "CREATE INDEX incident_runs_task_success ON incident_runs (task_id, finished_at) WHERE outcome = 'succeeded';",
    },
    {
      version: 7,
      name: "a failure heard again after its task's next success",
      // A failure recorded in an incident by a Steward killed (or whose store failed) before its page went, handled
      // again after the task's next success closed that incident: never paged. Its run is linked to the incident, so
      // the store alone cannot tell it from a failure paged as usual; the second handling writes when that success ended.
      sql: "ALTER TABLE incident_runs ADD COLUMN heard_late_ms INTEGER;",
    },
  ],
};
