// SQL of the link signing key and of used links, written once for SQLite and PostgreSQL. The key is created by
// whichever Steward needs it first (INSERT … ON CONFLICT DO NOTHING, then read back), so a cluster has one; a use is
// one INSERT on the link's nonce, so of two Stewards that get the same link at once exactly one acts.
import { randomBytes } from "node:crypto";
import type { SqlDb } from "../../platform/store/sql";

const KEY_NAME = "current";

export interface LinkKey {
  secret: Buffer;
  createdAt: number;
}

export interface LinkUse {
  nonce: string;
  /** The incident the link named; 0 for a link naming a cause. */
  incidentId: number;
  /** The cause the link named, when it named one. */
  causeId?: number;
  action: string;
  recipient: string;
  usedAt: number;
  expiresAt: number;
}

export type LinkStore = ReturnType<typeof createLinkStore>;

export function createLinkStore(db: SqlDb) {
  const read = async (): Promise<LinkKey | undefined> => {
    const r = await db.get<{ secret: string; created_at: number }>("SELECT secret, created_at FROM ack_link_keys WHERE name = ?", [KEY_NAME]);
    return r ? { secret: Buffer.from(String(r.secret), "base64"), createdAt: Number(r.created_at) } : undefined;
  };
  return {
    /** The site's signing key, made on first use (32 random bytes). */
    async key(now: number): Promise<LinkKey> {
      const have = await read();
      if (have) return have;
      await db.run("INSERT INTO ack_link_keys (name, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING", [
        KEY_NAME,
        randomBytes(32).toString("base64"),
        now,
      ]);
      return (await read())!;
    },
    /** Replaces the key: every link made before stops working. */
    async rotate(now: number): Promise<LinkKey> {
      await db.run(
        `INSERT INTO ack_link_keys (name, secret, created_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at`,
        [KEY_NAME, randomBytes(32).toString("base64"), now],
      );
      return (await read())!;
    },
    /** Records the use of a link; false when it had been used already (here or on another Steward). */
    async use(u: LinkUse): Promise<boolean> {
      const res = await db.run(
        `INSERT INTO ack_link_uses (nonce, incident_id, cause_id, action, recipient, used_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (nonce) DO NOTHING`,
        [u.nonce, u.causeId === undefined ? u.incidentId : 0, u.causeId ?? 0, u.action, u.recipient, u.usedAt, u.expiresAt],
      );
      return res.changes === 1;
    },
    async usedAt(nonce: string): Promise<LinkUse | undefined> {
      const r = await db.get<Record<string, string | number>>("SELECT * FROM ack_link_uses WHERE nonce = ?", [nonce]);
      if (!r) return undefined;
      return {
        nonce: String(r.nonce),
        incidentId: Number(r.incident_id),
        ...(Number(r.cause_id) > 0 ? { causeId: Number(r.cause_id) } : {}),
        action: String(r.action),
        recipient: String(r.recipient),
        usedAt: Number(r.used_at),
        expiresAt: Number(r.expires_at),
      };
    },
    /** Used links past their expiry: a replay is refused as expired anyway. */
    purge: async (now: number) => (await db.run("DELETE FROM ack_link_uses WHERE expires_at < ?", [now])).changes,
  };
}
