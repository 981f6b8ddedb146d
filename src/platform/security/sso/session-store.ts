// SQL of sign-ins under way and of sessions, written once for SQLite and PostgreSQL. A sign-in's state is taken with
// one DELETE … RETURNING, so a callback replayed (or raced on two Stewards) completes once; a session is read by the
// SHA-256 of the cookie's random id, and a refresh is claimed with a conditional UPDATE so that two Stewards never
// spend the same refresh token.
import { createHash, randomBytes } from "node:crypto";
import type { SqlDb } from "../../store/sql";
import type { Scope } from "../../http/types";

export interface PendingLogin {
  state: string;
  codeVerifier: string;
  nonce: string;
  /** Where the person goes once signed in: a path of this Steward. */
  next: string;
  expiresAt: number;
}

export interface SsoSession {
  subject: string;
  name: string;
  email: string;
  groups: string[];
  scopes: Scope[];
  createdAt: number;
  expiresAt: number;
  idToken: string;
  refreshToken?: string;
  /** When the access token ends and the directory is asked again (with a refresh token). */
  refreshDue?: number;
}

const hashOf = (id: string) => createHash("sha256").update(id).digest("base64url");

/** A session's id for the cookie: 32 random bytes. */
export const newSessionId = (): string => randomBytes(32).toString("base64url");

type Row = Record<string, string | number | null>;

function sessionOf(r: Row): SsoSession {
  return {
    subject: String(r.subject),
    name: String(r.name),
    email: String(r.email),
    groups: JSON.parse(String(r.groups)) as string[],
    scopes: JSON.parse(String(r.scopes)) as Scope[],
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    idToken: String(r.id_token),
    ...(r.refresh_token ? { refreshToken: String(r.refresh_token) } : {}),
    ...(r.refresh_due !== null && r.refresh_due !== undefined ? { refreshDue: Number(r.refresh_due) } : {}),
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;

export function createSessionStore(db: SqlDb) {
  return {
    async begin(l: PendingLogin): Promise<void> {
      await db.run("INSERT INTO sso_logins (state, code_verifier, nonce, next, expires_at) VALUES (?, ?, ?, ?, ?)", [
        l.state,
        l.codeVerifier,
        l.nonce,
        l.next,
        l.expiresAt,
      ]);
    },
    /** The sign-in `state` names, taken (it completes once); undefined when unknown, used or expired. */
    async take(state: string, now: number): Promise<PendingLogin | undefined> {
      const r = await db.get<Row>("DELETE FROM sso_logins WHERE state = ? RETURNING state, code_verifier, nonce, next, expires_at", [state]);
      if (!r || Number(r.expires_at) <= now) return undefined;
      return { state: String(r.state), codeVerifier: String(r.code_verifier), nonce: String(r.nonce), next: String(r.next), expiresAt: Number(r.expires_at) };
    },
    async create(id: string, s: SsoSession): Promise<void> {
      await db.run(
        `INSERT INTO sso_sessions (id_hash, subject, name, email, groups, scopes, created_at, expires_at, id_token, refresh_token, refresh_due)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          hashOf(id),
          s.subject,
          s.name,
          s.email,
          JSON.stringify(s.groups),
          JSON.stringify(s.scopes),
          s.createdAt,
          s.expiresAt,
          s.idToken,
          s.refreshToken ?? null,
          s.refreshDue ?? null,
        ],
      );
    },
    /** The live session of a cookie's id; undefined when unknown, signed out or past its lifetime. */
    async get(id: string, now: number): Promise<SsoSession | undefined> {
      const r = await db.get<Row>("SELECT * FROM sso_sessions WHERE id_hash = ?", [hashOf(id)]);
      return r && Number(r.expires_at) > now ? sessionOf(r) : undefined;
    },
    /** Claims the session's due refresh for this Steward until `until`; false when another claimed it first. */
    async claimRefresh(id: string, due: number, until: number): Promise<boolean> {
      const res = await db.run("UPDATE sso_sessions SET refresh_due = ? WHERE id_hash = ? AND refresh_due = ?", [until, hashOf(id), due]);
      return res.changes === 1;
    },
    async refreshed(id: string, refreshToken: string, due: number | null): Promise<void> {
      await db.run("UPDATE sso_sessions SET refresh_token = ?, refresh_due = ? WHERE id_hash = ?", [refreshToken, due, hashOf(id)]);
    },
    /** Ends a session (sign-out, a refresh the directory refused); the ended session, if it existed. */
    async end(id: string): Promise<SsoSession | undefined> {
      const r = await db.get<Row>("DELETE FROM sso_sessions WHERE id_hash = ? RETURNING *", [hashOf(id)]);
      return r ? sessionOf(r) : undefined;
    },
    /** Sessions and sign-ins past their end. */
    async purge(now: number): Promise<number> {
      const a = await db.run("DELETE FROM sso_sessions WHERE expires_at <= ?", [now]);
      const b = await db.run("DELETE FROM sso_logins WHERE expires_at <= ?", [now]);
      return a.changes + b.changes;
    },
  };
}
