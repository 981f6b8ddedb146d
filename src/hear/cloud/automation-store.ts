// What Steward remembers of each tenant's automations, in the shared store: every announcement (a run that failed or
// finished with warnings, an automation disabled or enabled again) claimed once under its own key, through restarts
// and across Stewards, with its event kept until it was handed on. Cursors and open conditions live in cloud_meta.
import type { MigrationSet } from "../../platform/store/database";
import type { SqlDb } from "../../platform/store/sql";

export const cloudAutomationMigrations: MigrationSet = {
  module: "cloud-automations",
  migrations: [
    {
      version: 1,
      name: "qlik cloud automation announcements",
      sql: `
        CREATE TABLE cloud_automation_claims (
          tenant TEXT NOT NULL,
          claim_key TEXT NOT NULL,
          automation_id TEXT NOT NULL,
          claimed_ms INTEGER NOT NULL,
          event TEXT,
          announced INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (tenant, claim_key)
        );
        CREATE INDEX cloud_automation_claims_open ON cloud_automation_claims (tenant, claimed_ms) WHERE announced = 0;
      `,
    },
  ],
};

export interface AutomationStore {
  /**
   * Claims one announcement (a run, a disable, an enable) with its event (none: seen, nothing to say): true for exactly
   * one caller, ever, per tenant and key.
   */
  claim(tenant: string, key: string, automationId: string, nowMs: number, event: string | null): Promise<boolean>;
  markAnnounced(tenant: string, key: string): Promise<void>;
  /** Claimed with an event but not handed on yet (a crash in between), oldest first. */
  unannounced(tenant: string): Promise<Array<{ key: string; event: string }>>;
  prune(beforeMs: number): Promise<void>;
}

export function createAutomationStore(db: SqlDb): AutomationStore {
  return {
    async claim(tenant, key, automationId, now, event) {
      const r = await db.run(
        "INSERT INTO cloud_automation_claims (tenant, claim_key, automation_id, claimed_ms, event, announced) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, claim_key) DO NOTHING",
        [tenant, key, automationId, now, event, event === null ? 1 : 0],
      );
      return r.changes === 1;
    },
    markAnnounced: async (tenant, key) =>
      void (await db.run("UPDATE cloud_automation_claims SET announced = 1 WHERE tenant = ? AND claim_key = ?", [tenant, key])),
    unannounced: async (tenant) =>
      (
        await db.all<{ claim_key: string; event: string }>(
          "SELECT claim_key, event FROM cloud_automation_claims WHERE tenant = ? AND announced = 0 AND event IS NOT NULL ORDER BY claimed_ms",
          [tenant],
        )
      ).map((r) => ({ key: r.claim_key, event: r.event })),
    prune: async (beforeMs) => void (await db.run("DELETE FROM cloud_automation_claims WHERE claimed_ms < ? AND announced = 1", [beforeMs])),
  };
}
