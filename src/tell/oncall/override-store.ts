// Overrides people make over REST or the dashboard (issue 106), written once for SQLite and PostgreSQL: one row
// each, kept after it ends so the calendar feeds show last week's cover too; a cancelled one is kept with who
// cancelled it, and holds no more (tables: migrations.ts).
import type { SqlDb } from "../../platform/store/sql";

export interface StoredOverride {
  id: number;
  schedule: string;
  person: string;
  from: number;
  until: number;
  createdAt: number;
  createdBy: string;
}

type Row = Record<string, unknown>;
const override = (r: Row): StoredOverride => ({
  id: Number(r.id),
  schedule: String(r.schedule),
  person: String(r.person),
  from: Number(r.from_at),
  until: Number(r.until_at),
  createdAt: Number(r.created_at),
  createdBy: String(r.created_by),
});

export type OverrideStore = ReturnType<typeof createOverrideStore>;

export function createOverrideStore(db: SqlDb) {
  return {
    async create(o: Omit<StoredOverride, "id">): Promise<StoredOverride> {
      const row = await db.get<Row>(
        "INSERT INTO oncall_overrides (schedule, person, from_at, until_at, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
        [o.schedule, o.person.toLowerCase(), o.from, o.until, o.createdAt, o.createdBy],
      );
      return override(row!);
    },
    /** Overrides not cancelled that end after `sinceMs`, newest first (the first that holds wins, so a later one replaces an earlier). */
    async endingAfter(sinceMs: number): Promise<StoredOverride[]> {
      return (await db.all<Row>("SELECT * FROM oncall_overrides WHERE until_at > ? AND cancelled_at IS NULL ORDER BY id DESC", [sinceMs])).map(override);
    },
    /** A live (not cancelled) override by id. */
    async live(id: number): Promise<StoredOverride | undefined> {
      const row = await db.get<Row>("SELECT * FROM oncall_overrides WHERE id = ? AND cancelled_at IS NULL", [id]);
      return row ? override(row) : undefined;
    },
    /** Cancels a live override; false when another request (on any Steward) cancelled it first. */
    async cancel(id: number, by: string, now: number): Promise<boolean> {
      const r = await db.run("UPDATE oncall_overrides SET cancelled_at = ?, cancelled_by = ? WHERE id = ? AND cancelled_at IS NULL", [now, by, id]);
      return r.changes > 0;
    },
  };
}
