// What Steward remembers of each tenant's reloads, in the shared store: every reload seen (so one that was still
// running is asked about again until it ends), whether its final outcome was claimed and announced (each one
// once, through restarts and across Stewards), and how far the tenant's list has been read.
import type { MigrationSet } from "../../platform/store/database";
import type { SqlDb } from "../../platform/store/sql";

export const cloudMigrations: MigrationSet = {
  module: "cloud",
  migrations: [
    {
      version: 1,
      name: "qlik cloud reloads and cursors",
      sql: `
        CREATE TABLE cloud_reloads (
          tenant TEXT NOT NULL,
          reload_id TEXT NOT NULL,
          app_id TEXT NOT NULL,
          status TEXT NOT NULL,
          seen_ms INTEGER NOT NULL,
          claimed_ms INTEGER,
          event TEXT,
          announced INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (tenant, reload_id)
        );
        CREATE INDEX cloud_reloads_open ON cloud_reloads (tenant, claimed_ms);
        CREATE TABLE cloud_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      `,
    },
    {
      version: 2,
      name: "qlik cloud reloads still to announce, indexed apart",
      // Each poll asks for the claimed reloads not yet announced (or without their event): through the first index it
      // read every reload kept, announced or not (a cost that grew each day); these hold only the few in between.
      sql: `
        CREATE INDEX cloud_reloads_unannounced ON cloud_reloads (tenant, claimed_ms) WHERE announced = 0;
        CREATE INDEX cloud_reloads_no_event ON cloud_reloads (tenant, claimed_ms) WHERE event IS NULL;
      `,
    },
  ],
};

export interface CloudStore {
  /** Records a reload still in progress (nothing when it is known). */
  noteRunning(tenant: string, reloadId: string, appId: string, status: string, nowMs: number): Promise<void>;
  /** Claims a finished reload's announcement: true for exactly one caller, ever, per tenant and reload. */
  claim(tenant: string, reloadId: string, appId: string, status: string, nowMs: number): Promise<boolean>;
  /** The event built for a claimed reload, stored before it is handed to the notifier. */
  saveEvent(tenant: string, reloadId: string, event: string): Promise<void>;
  markAnnounced(tenant: string, reloadId: string): Promise<void>;
  /** Claimed reloads whose event was stored but not announced (a crash in between). */
  unannounced(tenant: string): Promise<Array<{ reloadId: string; event: string }>>;
  /** Reloads seen in progress and not finished yet, oldest first. */
  running(tenant: string, limit: number): Promise<Array<{ reloadId: string; appId: string }>>;
  /** Claimed but the event could not be built yet (the log or the app could not be read): tried again. */
  claimedWithoutEvent(tenant: string, limit: number): Promise<Array<{ reloadId: string; appId: string; status: string }>>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  prune(beforeMs: number): Promise<void>;
}

export function createCloudStore(db: SqlDb): CloudStore {
  return {
    noteRunning: async (tenant, id, appId, status, now) =>
      void (await db.run(
        "INSERT INTO cloud_reloads (tenant, reload_id, app_id, status, seen_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant, reload_id) DO NOTHING",
        [tenant, id, appId, status, now],
      )),
    async claim(tenant, id, appId, status, now) {
      await db.run("INSERT INTO cloud_reloads (tenant, reload_id, app_id, status, seen_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant, reload_id) DO NOTHING", [
        tenant,
        id,
        appId,
        status,
        now,
      ]);
      const r = await db.run("UPDATE cloud_reloads SET claimed_ms = ?, status = ? WHERE tenant = ? AND reload_id = ? AND claimed_ms IS NULL", [
        now,
        status,
        tenant,
        id,
      ]);
      return r.changes === 1;
    },
    saveEvent: async (tenant, id, event) => void (await db.run("UPDATE cloud_reloads SET event = ? WHERE tenant = ? AND reload_id = ?", [event, tenant, id])),
    markAnnounced: async (tenant, id) => void (await db.run("UPDATE cloud_reloads SET announced = 1 WHERE tenant = ? AND reload_id = ?", [tenant, id])),
    unannounced: async (tenant) =>
      (
        await db.all<{ reload_id: string; event: string }>(
          "SELECT reload_id, event FROM cloud_reloads WHERE tenant = ? AND claimed_ms IS NOT NULL AND event IS NOT NULL AND announced = 0 ORDER BY claimed_ms",
          [tenant],
        )
      ).map((r) => ({ reloadId: r.reload_id, event: r.event })),
    running: async (tenant, limit) =>
      (
        await db.all<{ reload_id: string; app_id: string }>(
          "SELECT reload_id, app_id FROM cloud_reloads WHERE tenant = ? AND claimed_ms IS NULL ORDER BY seen_ms LIMIT ?",
          [tenant, limit],
        )
      ).map((r) => ({ reloadId: r.reload_id, appId: r.app_id })),
    claimedWithoutEvent: async (tenant, limit) =>
      (
        await db.all<{ reload_id: string; app_id: string; status: string }>(
          "SELECT reload_id, app_id, status FROM cloud_reloads WHERE tenant = ? AND claimed_ms IS NOT NULL AND event IS NULL ORDER BY claimed_ms LIMIT ?",
          [tenant, limit],
        )
      ).map((r) => ({ reloadId: r.reload_id, appId: r.app_id, status: r.status })),
    getMeta: async (key) => (await db.get<{ value: string }>("SELECT value FROM cloud_meta WHERE key = ?", [key]))?.value,
    setMeta: async (key, value) =>
      void (await db.run("INSERT INTO cloud_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])),
    prune: async (beforeMs) => void (await db.run("DELETE FROM cloud_reloads WHERE seen_ms < ? AND (claimed_ms IS NULL OR announced = 1)", [beforeMs])),
  };
}
