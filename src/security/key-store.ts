// API keys created at run time (POST /v4/admin/apikeys): kept hashed in the store, revocable, with a
// last-used time. Keys from the config file are not stored here.
import type { Clock } from "../core/clock";
import type { MigrationSet } from "../store/database";
import type { SqlDb } from "../store/sql";
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
  ],
};

export interface StoredKey {
  name: string;
  hash: string;
  scopes: Scope[];
  createdAt: string;
  createdBy: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

export interface KeyStore {
  list(): Promise<StoredKey[]>;
  /** Active (not revoked) keys. */
  active(): Promise<StoredKey[]>;
  get(name: string): Promise<StoredKey | undefined>;
  /** Undefined when a key of that name exists already (created meanwhile through another Steward). */
  insert(key: { name: string; hash: string; scopes: Scope[]; createdBy: string }): Promise<StoredKey | undefined>;
  revoke(name: string): Promise<boolean>;
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
    ...(r.revoked_at ? { revokedAt: r.revoked_at } : {}),
    ...(r.last_used_at ? { lastUsedAt: r.last_used_at } : {}),
  };
}

export function createKeyStore(db: SqlDb, clock: Clock): KeyStore {
  const q = {
    all: "SELECT * FROM api_keys ORDER BY name",
    active: "SELECT * FROM api_keys WHERE revoked_at IS NULL ORDER BY name",
    one: "SELECT * FROM api_keys WHERE name = ?",
    insert: "INSERT INTO api_keys (name, hash, scopes, created_at, created_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
    revoke: "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
    touch: "UPDATE api_keys SET last_used_at = ? WHERE name = ?",
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
      const r = await db.run(q.insert, [k.name, k.hash, JSON.stringify(k.scopes), now(), k.createdBy]);
      return r.changes > 0 ? one(k.name) : undefined;
    },
    revoke: async (name) => (await db.run(q.revoke, [now(), name])).changes > 0,
    touch: async (name) => void (await db.run(q.touch, [now(), name])),
  };
}
