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
    {
      version: 2,
      name: "session administration, back-channel logout, tokens encrypted",
      // Sessions made before kept the directory's tokens in clear: they end here (people sign in once more) rather
      // than stay readable in the store. A session gets a public id for the admin's list (never the cookie or its
      // hash), the directory's session id (sid) for back-channel logout, when it was last used and from where; a
      // logout token's jti is kept until it expires, so a replayed one is refused on every Steward.
      sql: `
        DELETE FROM sso_sessions;
        ALTER TABLE sso_sessions ADD COLUMN ref TEXT NOT NULL DEFAULT '';
        ALTER TABLE sso_sessions ADD COLUMN sid TEXT;
        ALTER TABLE sso_sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sso_sessions ADD COLUMN client TEXT NOT NULL DEFAULT '{}';
        CREATE UNIQUE INDEX sso_sessions_ref ON sso_sessions (ref);
        CREATE INDEX sso_sessions_subject ON sso_sessions (subject);
        CREATE INDEX sso_sessions_sid ON sso_sessions (sid);
        CREATE TABLE sso_logout_tokens (
          jti TEXT PRIMARY KEY,
          expires_at INTEGER NOT NULL
        );
      `,
    },
  ],
};
