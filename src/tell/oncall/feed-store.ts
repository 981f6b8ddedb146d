// The store of personal calendar feeds (issue 106), written once for SQLite and PostgreSQL: a feed is made with a
// random token shown once, found again by the token's hash, and revoked by id. Every Steward of a site reads the
// same rows, so a feed URL works on whichever node the calendar asks, and a revocation holds on all of them at once.
import { createHash, randomBytes } from "node:crypto";
import type { SqlDb } from "../../platform/store/sql";

export { onCallMigrations } from "./migrations";

export interface OnCallFeed {
  id: number;
  person: string;
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
  revokedBy: string | null;
}

type Row = Record<string, unknown>;
const feed = (r: Row): OnCallFeed => ({
  id: Number(r.id),
  person: String(r.person),
  createdAt: Number(r.created_at),
  createdBy: String(r.created_by),
  revokedAt: r.revoked_at === null || r.revoked_at === undefined ? null : Number(r.revoked_at),
  revokedBy: r.revoked_by === null || r.revoked_by === undefined ? null : String(r.revoked_by),
});

/** The token as stored: its SHA-256, hex. 32 random bytes need no salt or slow hash to resist guessing. */
export const feedTokenHash = (token: string): string => createHash("sha256").update(token).digest("hex");

export type OnCallFeedStore = ReturnType<typeof createOnCallFeedStore>;

export function createOnCallFeedStore(db: SqlDb) {
  return {
    /** A new feed for `person` and its token (the only time the token is known). */
    async create(person: string, createdBy: string, now: number): Promise<{ feed: OnCallFeed; token: string }> {
      const token = randomBytes(32).toString("base64url");
      const row = await db.get<Row>("INSERT INTO oncall_feeds (person, token_hash, created_at, created_by) VALUES (?, ?, ?, ?) RETURNING *", [
        person.toLowerCase(),
        feedTokenHash(token),
        now,
        createdBy,
      ]);
      return { feed: feed(row!), token };
    },
    /** The live feed a token opens; undefined for an unknown or revoked one alike. */
    async byToken(token: string): Promise<OnCallFeed | undefined> {
      const row = await db.get<Row>("SELECT * FROM oncall_feeds WHERE token_hash = ? AND revoked_at IS NULL", [feedTokenHash(token)]);
      return row ? feed(row) : undefined;
    },
    async get(id: number): Promise<OnCallFeed | undefined> {
      const row = await db.get<Row>("SELECT * FROM oncall_feeds WHERE id = ?", [id]);
      return row ? feed(row) : undefined;
    },
    /** The live feeds, of one person or of everyone, newest first. */
    async live(person?: string): Promise<OnCallFeed[]> {
      const rows = person
        ? await db.all<Row>("SELECT * FROM oncall_feeds WHERE person = ? AND revoked_at IS NULL ORDER BY id DESC", [person.toLowerCase()])
        : await db.all<Row>("SELECT * FROM oncall_feeds WHERE revoked_at IS NULL ORDER BY id DESC");
      return rows.map(feed);
    },
    /** Revokes a live feed; false when it was revoked already or never was. */
    async revoke(id: number, by: string, now: number): Promise<boolean> {
      const r = await db.run("UPDATE oncall_feeds SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL", [now, by, id]);
      return r.changes > 0;
    },
  };
}
