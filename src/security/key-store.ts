// API keys created at run time (POST /v4/admin/apikeys): kept hashed in the store, revocable, with a
// last-used time. Keys from the config file are not stored here.
import type { DatabaseSync } from "node:sqlite";
import type { Clock } from "../core/clock";
import type { MigrationSet } from "../store/database";
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
  list(): StoredKey[];
  /** Active (not revoked) keys. */
  active(): StoredKey[];
  get(name: string): StoredKey | undefined;
  insert(key: { name: string; hash: string; scopes: Scope[]; createdBy: string }): StoredKey;
  revoke(name: string): boolean;
  touch(name: string): void;
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

export function createKeyStore(db: DatabaseSync, clock: Clock): KeyStore {
  const all = db.prepare("SELECT * FROM api_keys ORDER BY name");
  const active = db.prepare("SELECT * FROM api_keys WHERE revoked_at IS NULL ORDER BY name");
  const one = db.prepare("SELECT * FROM api_keys WHERE name = ?");
  const insert = db.prepare("INSERT INTO api_keys (name, hash, scopes, created_at, created_by) VALUES (?, ?, ?, ?, ?)");
  const revoke = db.prepare("UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL");
  const touch = db.prepare("UPDATE api_keys SET last_used_at = ? WHERE name = ?");
  const now = () => new Date(clock.now()).toISOString();
  return {
    list: () => (all.all() as Row[]).map(fromRow),
    active: () => (active.all() as Row[]).map(fromRow),
    get(name) {
      const r = one.get(name) as Row | undefined;
      return r ? fromRow(r) : undefined;
    },
    insert(k) {
      insert.run(k.name, k.hash, JSON.stringify(k.scopes), now(), k.createdBy);
      return fromRow(one.get(k.name) as Row);
    },
    revoke: (name) => Number(revoke.run(now(), name).changes) > 0,
    touch: (name) => void touch.run(now(), name),
  };
}
