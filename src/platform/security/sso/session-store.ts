// SQL of sign-ins under way and of sessions, written once for SQLite and PostgreSQL. A sign-in's state is taken with
// one DELETE … RETURNING, so a callback replayed (or raced on two Stewards) completes once; a session is read by the
// SHA-256 of the cookie's random id, and a refresh is claimed with a conditional UPDATE so that two Stewards never
// spend the same refresh token. The directory's tokens are sealed (token-seal.ts) before they reach a row.
import { createHash, randomBytes } from "node:crypto";
import type { SqlDb } from "../../store/sql";
import type { Scope } from "../../http/types";
import { TokenKeyError, type TokenSealer } from "./token-seal";

export interface PendingLogin {
  state: string;
  codeVerifier: string;
  nonce: string;
  /** Where the person goes once signed in: a path of this Steward. */
  next: string;
  expiresAt: number;
}

/** Where a session was opened from, for the admin's list. */
export interface SessionClient {
  ip?: string;
  userAgent?: string;
}

export interface SsoSession {
  /** The session's public id (the admin's list and revoke): neither the cookie nor its hash. */
  ref: string;
  subject: string;
  name: string;
  email: string;
  groups: string[];
  scopes: Scope[];
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
  /** The directory's session id (the ID token's sid): what a back-channel logout names. */
  sid?: string;
  client: SessionClient;
  idToken: string;
  refreshToken?: string;
  /** When the access token ends and the directory is asked again (with a refresh token). */
  refreshDue?: number;
}

/** A session as the admin's list shows it: no token. */
export type SessionSummary = Omit<SsoSession, "idToken" | "refreshToken" | "refreshDue">;

const hashOf = (id: string) => createHash("sha256").update(id).digest("base64url");

/** A session's id for the cookie: 32 random bytes. */
export const newSessionId = (): string => randomBytes(32).toString("base64url");
/** A session's public id: 12 random bytes, unrelated to the cookie. */
export const newSessionRef = (): string => randomBytes(12).toString("base64url");

type Row = Record<string, string | number | null>;

const SUMMARY_COLUMNS = "ref, subject, name, email, groups, scopes, created_at, expires_at, last_seen_at, sid, client";

function summaryOf(r: Row): SessionSummary {
  return {
    ref: String(r.ref),
    subject: String(r.subject),
    name: String(r.name),
    email: String(r.email),
    groups: JSON.parse(String(r.groups)) as string[],
    scopes: JSON.parse(String(r.scopes)) as Scope[],
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    lastSeenAt: Number(r.last_seen_at),
    ...(r.sid ? { sid: String(r.sid) } : {}),
    client: JSON.parse(String(r.client || "{}")) as SessionClient,
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;

/** `sealer` encrypts the directory's tokens, bound to the session's row (its id hash). */
export function createSessionStore(db: SqlDb, sealer: TokenSealer) {
  /** The row's session with its tokens opened; throws TokenKeyError when they do not open with a configured key. */
  async function sessionOf(r: Row): Promise<SsoSession> {
    const bound = String(r.id_hash);
    return {
      ...summaryOf(r),
      idToken: await sealer.open(String(r.id_token), bound),
      ...(r.refresh_token ? { refreshToken: await sealer.open(String(r.refresh_token), bound) } : {}),
      ...(r.refresh_due !== null && r.refresh_due !== undefined ? { refreshDue: Number(r.refresh_due) } : {}),
    };
  }
  const endWhere = async (where: string, params: Array<string | number>): Promise<SessionSummary[]> =>
    (await db.all<Row>(`DELETE FROM sso_sessions WHERE ${where} RETURNING ${SUMMARY_COLUMNS}`, params)).map(summaryOf);

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
      const bound = hashOf(id);
      await db.run(
        `INSERT INTO sso_sessions (id_hash, ref, subject, name, email, groups, scopes, created_at, expires_at, last_seen_at, sid, client, id_token, refresh_token, refresh_due)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          bound,
          s.ref,
          s.subject,
          s.name,
          s.email,
          JSON.stringify(s.groups),
          JSON.stringify(s.scopes),
          s.createdAt,
          s.expiresAt,
          s.lastSeenAt,
          s.sid ?? null,
          JSON.stringify(s.client),
          await sealer.seal(s.idToken, bound),
          s.refreshToken ? await sealer.seal(s.refreshToken, bound) : null,
          s.refreshDue ?? null,
        ],
      );
    },
    /**
     * The live session of a cookie's id; undefined when unknown, signed out, past its lifetime or idle since
     * `idleSince`. Throws TokenKeyError when its tokens do not open (the key changed): the caller ends it.
     */
    async get(id: string, now: number, idleSince: number): Promise<SsoSession | undefined> {
      const r = await db.get<Row>("SELECT * FROM sso_sessions WHERE id_hash = ?", [hashOf(id)]);
      return r && Number(r.expires_at) > now && Number(r.last_seen_at) > idleSince ? sessionOf(r) : undefined;
    },
    /** Notes a request of the session (the idle timeout counts from the last one). */
    async touch(id: string, now: number): Promise<void> {
      await db.run("UPDATE sso_sessions SET last_seen_at = ? WHERE id_hash = ? AND last_seen_at < ?", [now, hashOf(id), now]);
    },
    /** Claims the session's due refresh for this Steward until `until`; false when another claimed it first. */
    async claimRefresh(id: string, due: number, until: number): Promise<boolean> {
      const res = await db.run("UPDATE sso_sessions SET refresh_due = ? WHERE id_hash = ? AND refresh_due = ?", [until, hashOf(id), due]);
      return res.changes === 1;
    },
    /** The refreshed token, sealed with the current key (a session sealed with a key being rotated out moves on). */
    async refreshed(id: string, refreshToken: string, due: number | null): Promise<void> {
      const bound = hashOf(id);
      await db.run("UPDATE sso_sessions SET refresh_token = ?, refresh_due = ? WHERE id_hash = ?", [await sealer.seal(refreshToken, bound), due, bound]);
    },
    /** Ends a session (sign-out, a refresh refused); the ended session, its ID token empty when it no longer opens. */
    async end(id: string): Promise<SsoSession | undefined> {
      const r = await db.get<Row>("DELETE FROM sso_sessions WHERE id_hash = ? RETURNING *", [hashOf(id)]);
      if (!r) return undefined;
      return sessionOf(r).catch((err: unknown) => {
        if (err instanceof TokenKeyError) return { ...summaryOf(r), idToken: "" };
        throw err;
      });
    },
    /** Live sessions, newest first (a person's only, with `subject`). */
    async list(now: number, idleSince: number, subject?: string): Promise<SessionSummary[]> {
      const rows = await db.all<Row>(
        `SELECT ${SUMMARY_COLUMNS} FROM sso_sessions WHERE expires_at > ? AND last_seen_at > ?${subject !== undefined ? " AND subject = ?" : ""} ORDER BY created_at DESC`,
        subject !== undefined ? [now, idleSince, subject] : [now, idleSince],
      );
      return rows.map(summaryOf);
    },
    /** Ends the session of a public id (an admin's revoke). */
    endByRef: async (ref: string) => (await endWhere("ref = ?", [ref]))[0],
    /** Ends every session of a person ("sign out everywhere"). */
    endBySubject: (subject: string) => endWhere("subject = ?", [subject]),
    /** Ends the sessions of a directory session (back-channel logout), of its person when the token names both. */
    endBySid: (sid: string, subject?: string) => (subject !== undefined ? endWhere("sid = ? AND subject = ?", [sid, subject]) : endWhere("sid = ?", [sid])),
    /** Remembers a logout token's jti until it expires; false when it was seen already (a replay). */
    async firstUseOf(jti: string, expiresAt: number): Promise<boolean> {
      const res = await db.run("INSERT INTO sso_logout_tokens (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING", [jti, expiresAt]);
      return res.changes === 1;
    },
    /** Sessions past their end or idle since `idleSince`, sign-ins never finished, logout tokens expired. */
    async purge(now: number, idleSince: number): Promise<number> {
      const a = await db.run("DELETE FROM sso_sessions WHERE expires_at <= ? OR last_seen_at <= ?", [now, idleSince]);
      const b = await db.run("DELETE FROM sso_logins WHERE expires_at <= ?", [now]);
      const c = await db.run("DELETE FROM sso_logout_tokens WHERE expires_at <= ?", [now]);
      return a.changes + b.changes + c.changes;
    },
  };
}
