// The store tables of subscriptions from /status: subscriptions (one per address and target), the notices the business
// was given, the mails to send (one per subscription and notice), the requests counted for the rate limit, and the
// key that signs the links (one row, shared by every Steward of the site).
import type { MigrationSet } from "../../../platform/store/database";

export const statusSubscriptionMigrations: MigrationSet = {
  module: "status-subscriptions",
  migrations: [
    {
      version: 1,
      name: "subscriptions, notices, their mails, requests and the link key",
      sql: `
        CREATE TABLE status_subscriptions (
          id INTEGER PRIMARY KEY,
          address TEXT NOT NULL,
          app_id TEXT NOT NULL,
          promise TEXT NOT NULL,
          label TEXT NOT NULL,
          nonce TEXT NOT NULL,
          requested_at INTEGER NOT NULL,
          confirmed_at INTEGER,
          UNIQUE (address, app_id, promise)
        );
        CREATE TABLE status_notices (
          id INTEGER PRIMARY KEY,
          notice_key TEXT NOT NULL UNIQUE,
          word TEXT NOT NULL,
          promise TEXT NOT NULL,
          app_id TEXT NOT NULL,
          app_name TEXT NOT NULL,
          title TEXT NOT NULL,
          text TEXT NOT NULL,
          at INTEGER NOT NULL
        );
        CREATE INDEX status_notices_at ON status_notices (at);
        CREATE TABLE status_mails (
          id INTEGER PRIMARY KEY,
          subscription_id INTEGER NOT NULL,
          mail_key TEXT NOT NULL,
          address TEXT NOT NULL,
          subject TEXT NOT NULL,
          text TEXT NOT NULL,
          html TEXT NOT NULL,
          unsubscribe_url TEXT NOT NULL,
          state TEXT NOT NULL,
          attempts INTEGER NOT NULL,
          due_at INTEGER NOT NULL,
          claimed_until INTEGER NOT NULL,
          last_error TEXT,
          created_at INTEGER NOT NULL,
          UNIQUE (subscription_id, mail_key)
        );
        CREATE INDEX status_mails_due ON status_mails (state, due_at);
        CREATE TABLE status_subscription_requests (
          address TEXT NOT NULL,
          client TEXT NOT NULL,
          at INTEGER NOT NULL
        );
        CREATE INDEX status_subscription_requests_at ON status_subscription_requests (at);
        CREATE TABLE status_subscription_keys (
          name TEXT PRIMARY KEY,
          secret TEXT NOT NULL,
          created_at INTEGER NOT NULL
        );
      `,
    },
  ],
};
