// The scheduler's table: one row per schedule with its definition (JSON), its state as last left, the next
// planned fire (to detect fires missed while Steward was down) and the last fire's result.
import type { MigrationSet } from "../../platform/store/database";

export const schedulerMigrations: MigrationSet = {
  module: "scheduler",
  migrations: [
    {
      version: 1,
      name: "schedules",
      sql: `CREATE TABLE schedules (
        id TEXT PRIMARY KEY, position INTEGER NOT NULL, definition TEXT NOT NULL,
        created TEXT NOT NULL, updated TEXT,
        state TEXT NOT NULL CHECK (state IN ('started', 'stopped')),
        next_run_at INTEGER, last_run TEXT, missed TEXT);
        CREATE INDEX schedules_position ON schedules (position);`,
    },
    {
      version: 2,
      name: "event fire claims",
      // One row per (schedule, task event) that fired it: a Steward that hears of the same event later (another
      // node's appender, reconciliation) finds the claim and does not start the task again.
      sql: `CREATE TABLE schedule_event_fires (
        schedule_id TEXT NOT NULL, event_id TEXT NOT NULL, fired_at INTEGER NOT NULL,
        PRIMARY KEY (schedule_id, event_id));
        CREATE INDEX schedule_event_fires_at ON schedule_event_fires (fired_at);`,
    },
    {
      version: 3,
      name: "when the next fire was planned",
      // The store's own time (the database's clock on PostgreSQL) at which next_run_at was last set: a next fire
      // planned too far ahead by a Steward whose clock ran ahead tells the next leader since when nothing fired.
      sql: "ALTER TABLE schedules ADD COLUMN planned_at INTEGER",
    },
  ],
};
