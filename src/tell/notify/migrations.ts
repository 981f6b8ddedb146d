// Store tables of the notification pipeline: events as delivered to it, the outbox of deliveries (one row per
// event × channel × recipient, or per digest), and persisted rate-limit windows.
import type { MigrationSet } from "../../platform/store/database";

export const notifyMigrations: MigrationSet = {
  module: "notify",
  migrations: [
    {
      version: 1,
      name: "events, deliveries and rate limits",
      sql: `
        CREATE TABLE notify_events (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          payload TEXT NOT NULL,
          received_at TEXT NOT NULL,
          stored_at INTEGER NOT NULL
        );
        CREATE TABLE notify_deliveries (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          key TEXT NOT NULL UNIQUE,
          event_id TEXT NOT NULL,
          event_ids TEXT NOT NULL,
          kind TEXT NOT NULL,
          route TEXT NOT NULL,
          channel TEXT NOT NULL,
          recipient TEXT NOT NULL,
          target TEXT,
          status TEXT NOT NULL,
          reason TEXT,
          group_id INTEGER,
          group_window_ms INTEGER,
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          delivered_at INTEGER,
          last_error TEXT
        );
        CREATE INDEX notify_deliveries_due ON notify_deliveries (status, next_attempt_at);
        CREATE INDEX notify_deliveries_event ON notify_deliveries (event_id);
        CREATE INDEX notify_deliveries_open_group ON notify_deliveries (route, channel, recipient, status);
        CREATE TABLE notify_rate_limits (
          key TEXT PRIMARY KEY,
          until INTEGER NOT NULL
        );
      `,
    },
    {
      version: 2,
      name: "sending claims",
      // Which Steward instance is sending a delivery: on restart (or when it is gone) its rows are sent again.
      sql: "ALTER TABLE notify_deliveries ADD COLUMN claimed_by TEXT",
    },
    {
      version: 3,
      name: "digest group keys",
      // A digest of one incident's follow-ups (renotify: { digest }) is kept apart from the route's other digests.
      sql: "ALTER TABLE notify_deliveries ADD COLUMN group_key TEXT",
    },
    {
      version: 4,
      name: "event titles",
      // What the deliveries list shows for an event (the task's name) instead of its id.
      sql: "ALTER TABLE notify_events ADD COLUMN title TEXT",
    },
    {
      version: 5,
      name: "delivery threads",
      // A follow-up waits for the alert it follows on the same channel and recipient (src/tell/notify/thread.ts).
      sql: `
        ALTER TABLE notify_deliveries ADD COLUMN thread TEXT;
        CREATE INDEX notify_deliveries_thread ON notify_deliveries (thread, channel, recipient, id);
      `,
    },
    {
      version: 6,
      name: "delivery creation times",
      // The noise report reads a window of deliveries (src/tell/notify/page-log.ts) without scanning the whole outbox.
      sql: "CREATE INDEX notify_deliveries_created ON notify_deliveries (created_at)",
    },
    {
      version: 7,
      name: "events no route took",
      // Kept for config rehearsals (src/tell/notify/unrouted-history.ts), held to a byte budget.
      sql: `
        CREATE TABLE notify_unrouted (
          event_id TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          at INTEGER NOT NULL,
          bytes INTEGER NOT NULL,
          payload TEXT NOT NULL
        );
        CREATE INDEX notify_unrouted_at ON notify_unrouted (at);
      `,
    },
  ],
};
