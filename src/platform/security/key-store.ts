// API keys created at run time (POST /v4/admin/apikeys): kept hashed in the store, revocable, with a
// last-used time. Keys from the config file are not stored here.
//
// The store keeps the rule every change of keys must respect: while a Steward's REST API listens beyond loopback
// with nothing else to authenticate callers (no config keys, no certificate rules, not allowUnauthenticated), at
// least one run-time key stays active. Each such Steward records that it depends on the stored keys (a row in
// api_key_requirements, renewed while it runs); a revocation counts the keys left and reads those rows in one
// transaction under one lock (SQLite: its single writer; PostgreSQL: an advisory lock), and so does a Steward that
// starts or reloads into such a listener. Two revocations at once, or one through another Steward, cannot both
// pass the count.
import type { Clock } from "../core/clock";
import type { MigrationSet } from "../store/database";
import type { SqlDb, SqlExecutor } from "../store/sql";
import type { Scope } from "../http/types";

export const securityMigrations: MigrationSet = {
  module: "security",
  migrations: [
    {
      version: 1,
      name: "api keys",
      sql: `CREATE TABLE api_keys (
        name TEXT PRIMARY KEY, hash TEXT NOT NULL, scopes TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL,
        revoked_at TEXT, last_used_at TEXT);`,
    },
    {
      version: 2,
      name: "Stewards whose listener depends on the stored keys",
      sql: `CREATE TABLE api_key_requirements (
        instance_id TEXT PRIMARY KEY, instance_name TEXT NOT NULL, listen TEXT NOT NULL, expires_at INTEGER NOT NULL);`,
    },
    {
      version: 3,
      name: "the person a run-time key belongs to",
      // The two-person rule counts people: a run-time key names its person as a config key does (NULL: nobody's).
      sql: "ALTER TABLE api_keys ADD COLUMN person TEXT;",
    },
  ],
};

/** A Steward whose REST API listens beyond loopback with only the stored keys to authenticate callers. */
export interface KeyRequirement {
  instanceId: string;
  instanceName: string;
  /** http.host, for the messages. */
  listen: string;
}

export type RevokeOutcome =
  | { outcome: "revoked" }
  | { outcome: "not-found" }
  /** It is the last active key and these Stewards depend on it. */
  | { outcome: "last-key"; dependents: Array<{ instanceId: string; name: string; listen: string }> };

/** Arbitrary, fixed: the advisory lock every change of keys takes on PostgreSQL ("StwK"). */
const KEYS_LOCK = 0x53_74_77_4b;

export interface StoredKey {
  name: string;
  hash: string;
  scopes: Scope[];
  createdAt: string;
  createdBy: string;
  /** The person the key belongs to (a mail address or directory subject), as security.apiKeys[].person. */
  person?: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

export interface KeyStore {
  list(): Promise<StoredKey[]>;
  /** Active (not revoked) keys. */
  active(): Promise<StoredKey[]>;
  get(name: string): Promise<StoredKey | undefined>;
  /** Undefined when a key of that name exists already (created meanwhile through another Steward). */
  insert(key: { name: string; hash: string; scopes: Scope[]; createdBy: string; person?: string | undefined }): Promise<StoredKey | undefined>;
  /**
   * Revokes a key unless it is the last active one while a Steward depends on the stored keys: `self` (this
   * Steward, when it does) or one whose requirement row has not expired.
   */
  revoke(name: string, self?: KeyRequirement): Promise<RevokeOutcome>;
  /**
   * Records that `req`'s Steward depends on the stored keys (until `ttlMs` from now; renewed by calling again),
   * in one locked transaction with reading the active keys: undefined, and nothing recorded, when there is none.
   */
  require(req: KeyRequirement, ttlMs: number): Promise<StoredKey[] | undefined>;
  /** This Steward no longer depends on the stored keys (its config authenticates otherwise, or it stops). */
  release(instanceId: string): Promise<void>;
  touch(name: string): Promise<void>;
}

type Row = Record<string, string | null>;

function fromRow(r: Row): StoredKey {
  return {
    name: String(r.name),
    hash: String(r.hash),
    scopes: JSON.parse(String(r.scopes)) as Scope[],
    createdAt: String(r.created_at),
    createdBy: String(r.created_by),
    ...(r.person ? { person: r.person } : {}),
    ...(r.revoked_at ? { revokedAt: r.revoked_at } : {}),
    ...(r.last_used_at ? { lastUsedAt: r.last_used_at } : {}),
  };
}

export function createKeyStore(db: SqlDb, clock: Clock): KeyStore {
  /** Serialises every change of keys with the reads that check the rule (see the header). */
  const locked = <T>(fn: (tx: SqlExecutor) => Promise<T>) =>
    db.transaction(async (tx) => {
      if (tx.dialect === "postgres") await tx.get("SELECT pg_advisory_xact_lock(?) AS locked", [KEYS_LOCK]);
      return fn(tx);
    });
  const q = {
    all: "SELECT * FROM api_keys ORDER BY name",
    active: "SELECT * FROM api_keys WHERE revoked_at IS NULL ORDER BY name",
    one: "SELECT * FROM api_keys WHERE name = ?",
    insert: "INSERT INTO api_keys (name, hash, scopes, created_at, created_by, person) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
    revoke: "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
    touch: "UPDATE api_keys SET last_used_at = ? WHERE name = ?",
    othersActive: "SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at IS NULL AND name <> ?",
    dependents: "SELECT instance_id, instance_name, listen FROM api_key_requirements WHERE expires_at > ? ORDER BY instance_name",
    require: `INSERT INTO api_key_requirements (instance_id, instance_name, listen, expires_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (instance_id) DO UPDATE SET instance_name = excluded.instance_name, listen = excluded.listen, expires_at = excluded.expires_at`,
    release: "DELETE FROM api_key_requirements WHERE instance_id = ?",
    // Rows of Stewards that stopped without releasing (killed) are of no use once expired.
    forgetExpired: "DELETE FROM api_key_requirements WHERE expires_at < ?",
  };
  const now = () => new Date(clock.now()).toISOString();
  const one = async (name: string) => {
    const r = await db.get<Row>(q.one, [name]);
    return r ? fromRow(r) : undefined;
  };
  return {
    list: async () => (await db.all<Row>(q.all)).map(fromRow),
    active: async () => (await db.all<Row>(q.active)).map(fromRow),
    get: one,
    async insert(k) {
      const r = await db.run(q.insert, [k.name, k.hash, JSON.stringify(k.scopes), now(), k.createdBy, k.person ?? null]);
      return r.changes > 0 ? one(k.name) : undefined;
    },
    revoke: (name, self) =>
      locked(async (tx): Promise<RevokeOutcome> => {
        const row = await tx.get<Row>(q.one, [name]);
        if (!row || row.revoked_at) return { outcome: "not-found" };
        const left = Number((await tx.get<{ n: number }>(q.othersActive, [name]))?.n ?? 0);
        if (left === 0) {
          const rows = await tx.all<Row>(q.dependents, [clock.now()]);
          const dependents = rows
            .filter((r) => r.instance_id !== self?.instanceId)
            .map((r) => ({ instanceId: String(r.instance_id), name: String(r.instance_name), listen: String(r.listen) }));
          if (self) dependents.unshift({ instanceId: self.instanceId, name: self.instanceName, listen: self.listen });
          if (dependents.length > 0) return { outcome: "last-key", dependents };
        }
        await tx.run(q.revoke, [now(), name]);
        return { outcome: "revoked" };
      }),
    require: (req, ttlMs) =>
      locked(async (tx) => {
        const keys = (await tx.all<Row>(q.active)).map(fromRow);
        if (keys.length === 0) return undefined;
        await tx.run(q.forgetExpired, [clock.now()]);
        await tx.run(q.require, [req.instanceId, req.instanceName, req.listen, clock.now() + ttlMs]);
        return keys;
      }),
    release: async (instanceId) => void (await db.run(q.release, [instanceId])),
    touch: async (name) => void (await db.run(q.touch, [now(), name])),
  };
}
