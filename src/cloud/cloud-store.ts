// What Steward remembers of each Qlik Cloud tenant, on SQLite or the cluster's PostgreSQL: every final reload it
// claimed (so a restart, an overlapping poll or another Steward announces it once) and how far polling got.
import type { MigrationSet } from "../store/database";
import type { SqlDb } from "../store/sql";

export const cloudMigrations: MigrationSet = {
  module: "cloud",
  migrations: [
    {
      version: 1,
      name: "claimed reloads and poll watermarks",
      // claimed_by set and done_at NULL: a Steward is announcing the reload (its claim runs out after a lease);
      // done_at set: announced.
      sql: `
        CREATE TABLE cloud_reloads (
          tenant TEXT NOT NULL,
          reload_id TEXT NOT NULL,
          status TEXT NOT NULL,
          claimed_by TEXT,
          claimed_at INTEGER NOT NULL,
          done_at INTEGER,
          PRIMARY KEY (tenant, reload_id)
        );
        CREATE INDEX cloud_reloads_claimed ON cloud_reloads (claimed_at);
        CREATE TABLE cloud_state (tenant TEXT PRIMARY KEY, watermark INTEGER NOT NULL, updated_at INTEGER NOT NULL);`,
    },
  ],
};

export interface CloudStore {
  /**
   * Claims a final reload for this Steward: true when nobody announced or is announcing it (a claim older than
   * `leaseMs` belongs to a Steward that died while announcing, and is taken over).
   */
  claim(tenant: string, reloadId: string, status: string, now: number, leaseMs: number, instanceId: string): Promise<boolean>;
  /** The reload was announced. */
  markDone(tenant: string, reloadId: string, now: number): Promise<void>;
  /** The reload could not be announced: the next poll may claim it again. */
  unclaim(tenant: string, reloadId: string): Promise<void>;
  isDone(tenant: string, reloadId: string): Promise<boolean>;
  /** Creation time (ms) from which polls read; undefined before the tenant's first poll. */
  watermark(tenant: string): Promise<number | undefined>;
  setWatermark(tenant: string, at: number, now: number): Promise<void>;
  /** Forgets announced reloads older than `before` (far behind every watermark). */
  prune(before: number): Promise<number>;
  count(tenant: string): Promise<number>;
}

export function createCloudStore(db: SqlDb): CloudStore {
  return {
    async claim(tenant, reloadId, status, now, leaseMs, instanceId) {
      const r = await db.run(
        "INSERT INTO cloud_reloads (tenant, reload_id, status, claimed_by, claimed_at, done_at) VALUES (?, ?, ?, ?, ?, NULL) " +
          "ON CONFLICT (tenant, reload_id) DO UPDATE SET status = excluded.status, claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at " +
          "WHERE cloud_reloads.done_at IS NULL AND cloud_reloads.claimed_at <= ?",
        [tenant, reloadId, status, instanceId, now, now - leaseMs],
      );
      return r.changes > 0;
    },
    async markDone(tenant, reloadId, now) {
      await db.run("UPDATE cloud_reloads SET done_at = ?, claimed_by = NULL WHERE tenant = ? AND reload_id = ?", [now, tenant, reloadId]);
    },
    async unclaim(tenant, reloadId) {
      await db.run("DELETE FROM cloud_reloads WHERE tenant = ? AND reload_id = ? AND done_at IS NULL", [tenant, reloadId]);
    },
    isDone: async (tenant, reloadId) =>
      (await db.get("SELECT 1 AS x FROM cloud_reloads WHERE tenant = ? AND reload_id = ? AND done_at IS NOT NULL", [tenant, reloadId])) !== undefined,
    async watermark(tenant) {
      const row = await db.get<{ watermark: number | string }>("SELECT watermark FROM cloud_state WHERE tenant = ?", [tenant]);
      return row ? Number(row.watermark) : undefined;
    },
    async setWatermark(tenant, at, now) {
      await db.run(
        "INSERT INTO cloud_state (tenant, watermark, updated_at) VALUES (?, ?, ?) ON CONFLICT (tenant) DO UPDATE SET watermark = excluded.watermark, updated_at = excluded.updated_at",
        [tenant, at, now],
      );
    },
    prune: async (before) => (await db.run("DELETE FROM cloud_reloads WHERE done_at IS NOT NULL AND claimed_at < ?", [before])).changes,
    async count(tenant) {
      const row = await db.get<{ n: number | string }>("SELECT COUNT(*) AS n FROM cloud_reloads WHERE tenant = ?", [tenant]);
      return Number(row?.n ?? 0);
    },
  };
}
