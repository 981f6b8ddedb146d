// Starting a Qlik Cloud reload, for REST and MQTT alike: the tenant chosen (by name, or the only one), the
// tenant's POST /api/v1/reloads called, the outcome audited like a task start.
import { z } from "zod";
import type { AuditActor, AuditLog } from "../../platform/audit/audit-log";
import { AppError } from "../../platform/core/errors";
import type { CloudClient } from "./cloud-client";

export const CloudStartSchema = z.strictObject({
  appId: z.string().min(1).max(200).describe("The Qlik Cloud app to reload."),
  tenant: z.string().min(1).optional().describe("The tenant's name (qlikCloud.tenants[].name); needed when several are configured."),
  partial: z.boolean().default(false),
});
export type CloudStart = z.infer<typeof CloudStartSchema>;

export interface CloudStartResult {
  tenant: string;
  reloadId: string;
  appId: string;
  status: string;
}

export type CloudStarter = (start: CloudStart, actor: AuditActor) => Promise<CloudStartResult>;

export function createCloudStarter(tenants: Array<{ name: string; client: CloudClient }>, audit: AuditLog): CloudStarter {
  return async (start, actor) => {
    if (tenants.length === 0) throw new AppError("UNAVAILABLE", "no Qlik Cloud tenant is configured (qlikCloud.tenants)");
    if (!start.tenant && tenants.length > 1)
      throw new AppError("BAD_REQUEST", `several tenants are configured: name one in "tenant" (${tenants.map((t) => t.name).join(", ")})`, {
        details: { field: "tenant" },
      });
    const t = start.tenant ? tenants.find((x) => x.name === start.tenant) : tenants[0];
    if (!t) throw new AppError("NOT_FOUND", `no Qlik Cloud tenant named ${start.tenant}`, { details: { field: "tenant" } });
    try {
      const r = await t.client.startReload(start.appId, start.partial);
      audit.record({ actor, action: "cloud.reload.start", target: start.appId, result: "ok", details: { tenant: t.name, reloadId: r.id } });
      return { tenant: t.name, reloadId: r.id, appId: r.appId, status: r.status };
    } catch (err) {
      const message = (err as Error).message;
      audit.record({ actor, action: "cloud.reload.start", target: start.appId, result: "failed", details: { tenant: t.name, error: message } });
      if ((err as { kind?: string }).kind === "not-found") throw new AppError("NOT_FOUND", `${t.name}: no app ${start.appId}`, { details: { field: "appId" } });
      throw new AppError("UNAVAILABLE", `${t.name}: ${message}`);
    }
  };
}
