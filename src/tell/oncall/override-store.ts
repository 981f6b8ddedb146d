// Overrides people make over REST or the dashboard (issue 106), written once for SQLite and PostgreSQL: one row
// each, kept after it ends so the calendar feeds show last week's cover too (tables: migrations.ts).
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
    /** Overrides that end after `sinceMs`, newest first (the first that holds wins, so a later one replaces an earlier). */
    async endingAfter(sinceMs: number): Promise<StoredOverride[]> {
      return (await db.all<Row>("SELECT * FROM oncall_overrides WHERE until_at > ? ORDER BY id DESC", [sinceMs])).map(override);
    },
  };
}
