// Store tables of silences: one row per silence (its matcher, who, why, until when, and who ended it early), and
// one row per delivery a silence held back, so a suppressed alert stays visible and is sent when its silence ends;
// and one row per cause and receiver paged at a silence's end, so two Stewards sweeping at once page it once.
import type { MigrationSet } from "../../platform/store/database";

export const silenceMigrations: MigrationSet = {
  module: "silences",
  migrations: [
    {
      version: 1,
      name: "silences and held deliveries",
      sql: `
        CREATE TABLE silences (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          matcher TEXT NOT NULL,
          author TEXT NOT NULL,
          reason TEXT NOT NULL,
          starts_at INTEGER NOT NULL,
          ends_at INTEGER NOT NULL,
          created_at INTEGER NOT NULL,
          created_by TEXT NOT NULL,
          ended_at INTEGER,
          ended_by TEXT
        );
        CREATE INDEX silences_ends ON silences (ends_at);
        CREATE TABLE silence_holds (
          delivery_key TEXT PRIMARY KEY,
          silence_id INTEGER NOT NULL,
          event_id TEXT NOT NULL,
          kind TEXT NOT NULL,
          title TEXT NOT NULL,
          condition_key TEXT,
          route TEXT NOT NULL,
          channel TEXT NOT NULL,
          recipient TEXT NOT NULL,
          state TEXT NOT NULL,
          held_at INTEGER NOT NULL,
          settled_at INTEGER
        );
        CREATE INDEX silence_holds_state ON silence_holds (state, held_at);
        CREATE INDEX silence_holds_condition ON silence_holds (condition_key, state);
        CREATE INDEX silence_holds_silence ON silence_holds (silence_id, held_at);
      `,
    },
    {
      version: 2,
      name: "a cause's page at a silence's end, claimed once per receiver",
      // Keyed by the cause and the receiver, not by the silence: a cause's holds may wait in two silences that end
      // together (a node's window and a site-wide one), or in one they moved to; paged_at tells a later window's holds
      // (held after it) from those this page answers.
      sql: `
        CREATE TABLE silence_cause_pages (
          cause_id INTEGER NOT NULL,
          channel TEXT NOT NULL,
          recipient TEXT NOT NULL,
          paged_at INTEGER NOT NULL,
          delivery_key TEXT NOT NULL,
          PRIMARY KEY (cause_id, channel, recipient)
        );
        CREATE INDEX silence_cause_pages_at ON silence_cause_pages (paged_at);
      `,
    },
  ],
};
