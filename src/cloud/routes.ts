// REST for Qlik Cloud: each tenant's state, and starting a Cloud reload with the same scope and audit as a task start.
import { z } from "zod";
import type { AuditLog } from "../audit/audit-log";
import { AppError } from "../core/errors";
import { auditActorOf } from "../http/audit-actor";
import type { Router } from "../http/route";
import type { CloudClient } from "./cloud-client";
import type { TenantWatcher } from "./tenant-watcher";

export interface CloudRouteDeps {
  tenants: Array<{ name: string; client: CloudClient; watcher: TenantWatcher }>;
  audit: AuditLog;
}

const StartSchema = z.strictObject({
  appId: z.string().min(1).max(200).describe("The Qlik Cloud app to reload."),
  tenant: z.string().min(1).optional().describe("The tenant's name (qlikCloud.tenants[].name); needed when several are configured."),
  partial: z.boolean().default(false),
});

export function registerCloudRoutes(router: Router, deps: CloudRouteDeps): void {
  router.route(
    {
      method: "get",
      path: "/v4/cloud/tenants",
      summary: "The Qlik Cloud tenants Steward watches and whether each answers",
      tags: ["apps"],
      scope: "admin",
      responses: { 200: { description: "one entry per tenant" } },
    },
    async (c) => c.json({ tenants: deps.tenants.map((t) => t.watcher.state()) }),
  );
  router.route(
    {
      method: "post",
      path: "/v4/cloud/reloads",
      summary: "Start a Qlik Cloud reload",
      description: "Calls POST /api/v1/reloads of the tenant. Its outcome is announced like any Cloud reload when the tenant's poll sees it end.",
      tags: ["apps"],
      scope: "tasks",
      body: StartSchema,
      responses: {
        201: { description: "The reload as the tenant answered (status QUEUED)" },
        400: { description: "Bad body, or several tenants and none named" },
        404: { description: "No such tenant or app" },
        503: { description: "No Qlik Cloud tenant configured, or the tenant could not be reached" },
      },
    },
    async (c, { body }) => {
      if (deps.tenants.length === 0) throw new AppError("UNAVAILABLE", "no Qlik Cloud tenant is configured (qlikCloud.tenants)");
      if (!body.tenant && deps.tenants.length > 1)
        throw new AppError("BAD_REQUEST", `several tenants are configured: name one in "tenant" (${deps.tenants.map((t) => t.name).join(", ")})`, {
          details: { field: "tenant" },
        });
      const t = body.tenant ? deps.tenants.find((x) => x.name === body.tenant) : deps.tenants[0];
      if (!t) throw new AppError("NOT_FOUND", `no Qlik Cloud tenant named ${body.tenant}`, { details: { field: "tenant" } });
      const actor = auditActorOf(c);
      try {
        const r = await t.client.startReload(body.appId, body.partial);
        deps.audit.record({ actor, action: "cloud.reload.start", target: body.appId, result: "ok", details: { tenant: t.name, reloadId: r.id } });
        return c.json({ tenant: t.name, reloadId: r.id, appId: r.appId, status: r.status }, 201);
      } catch (err) {
        const message = (err as Error).message;
        deps.audit.record({ actor, action: "cloud.reload.start", target: body.appId, result: "failed", details: { tenant: t.name, error: message } });
        if ((err as { kind?: string }).kind === "not-found")
          throw new AppError("NOT_FOUND", `${t.name}: no app ${body.appId}`, { details: { field: "appId" } });
        throw new AppError("UNAVAILABLE", `${t.name}: ${message}`);
      }
    },
  );
}
