// Store tables of the acknowledge and snooze links: the signing key (one row, shared by every Steward of a cluster
// so a link made by one is honoured by all, replaced on rotation), and one row per link used, so a link acts once
// on the whole site, whichever Steward the person's browser reaches.
import type { MigrationSet } from "../../platform/store/database";

export const ackLinkMigrations: MigrationSet = {
  module: "ack-links",
  migrations: [
    {
      version: 1,
      name: "link signing key and used links",
      sql: `
        CREATE TABLE ack_link_keys (
          name TEXT PRIMARY KEY,
          secret TEXT NOT NULL,
          created_at INTEGER NOT NULL
        );
        CREATE TABLE ack_link_uses (
          nonce TEXT PRIMARY KEY,
          incident_id INTEGER NOT NULL,
          action TEXT NOT NULL,
          recipient TEXT NOT NULL,
          used_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        );
        CREATE INDEX ack_link_uses_expires ON ack_link_uses (expires_at);
      `,
    },
    {
      version: 2,
      name: "links that name a cause",
      // 0: the link names an incident (incident_id); else the cause it names (incident_id is then 0).
      sql: "ALTER TABLE ack_link_uses ADD COLUMN cause_id INTEGER NOT NULL DEFAULT 0;",
    },
  ],
};
