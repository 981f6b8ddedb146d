// Store table of the on-call products' webhook deliveries taken (issue 86): each event id once on the whole site,
// whichever Steward of a cluster the product (or someone replaying a captured request) reaches, for as long as the
// delivery's own time would still be accepted.
import type { MigrationSet } from "../../platform/store/database";

export const onCallWebhookMigrations: MigrationSet = {
  module: "on-call-webhooks",
  migrations: [
    {
      version: 1,
      name: "webhook deliveries taken",
      sql: `
        CREATE TABLE on_call_webhook_events (
          product TEXT NOT NULL,
          event_id TEXT NOT NULL,
          taken_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          PRIMARY KEY (product, event_id)
        );
        CREATE INDEX on_call_webhook_events_expires ON on_call_webhook_events (expires_at);
      `,
    },
  ],
};
