// Store tables of single sign-on: sign-ins under way (the state, PKCE verifier and nonce of a person sent to the
// directory, so the callback may reach any Steward of the cluster) and signed-in sessions, shared by every Steward on
// one PostgreSQL, so a person stays signed in behind a load balancer and across a member's restart.
import type { MigrationSet } from "../../store/database";

export const ssoMigrations: MigrationSet = {
  module: "sso",
  migrations: [
    {
      version: 1,
      name: "sign-ins under way and sessions",
      // A session's id is kept as its SHA-256 only: someone who reads the store (a backup) cannot sign in with it.
      sql: `
        CREATE TABLE sso_logins (
          state TEXT PRIMARY KEY,
          code_verifier TEXT NOT NULL,
          nonce TEXT NOT NULL,
          next TEXT NOT NULL,
          expires_at INTEGER NOT NULL
        );
        CREATE TABLE sso_sessions (
          id_hash TEXT PRIMARY KEY,
          subject TEXT NOT NULL,
          name TEXT NOT NULL,
          email TEXT NOT NULL,
          groups TEXT NOT NULL,
          scopes TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          id_token TEXT NOT NULL,
          refresh_token TEXT,
          refresh_due INTEGER
        );
        CREATE INDEX sso_sessions_expires ON sso_sessions (expires_at);
        CREATE INDEX sso_logins_expires ON sso_logins (expires_at);
      `,
    },
  ],
};
