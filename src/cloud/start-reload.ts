// Starting a reload of a Qlik Cloud app (POST /api/v1/reloads), shared by REST and MQTT: the tenant picked by
// name, the start audited as a task start, and every failure an AppError that says why.
import { z } from "zod";
import type { AuditActor, AuditLog } from "../audit/audit-log";
import { AppError } from "../core/errors";
import { CloudCallError, type CloudHttp } from "./cloud-http";
import type { TenantPoller } from "./poller";

export interface CloudTenantHandle {
  name: string;
  url: string;
  http: CloudHttp;
  poller: TenantPoller;
}

export const CloudStartBodySchema = z.lazy(() =>
  z.strictObject({
    appId: z.string().min(1).max(200).describe("The Qlik Cloud app's id."),
    tenant: z.string().min(1).optional().describe("The tenant's name in qlikCloud.tenants (needed when there are several)."),
    partial: z.boolean().optional().describe("A partial reload."),
  }),
);
export type CloudStartBody = z.infer<typeof CloudStartBodySchema>;

export interface CloudStartAnswer {
  id: string;
  appId: string;
  tenant: string;
  status: string;
  type?: string;
}

function pickTenant(tenants: readonly CloudTenantHandle[], name: string | undefined): CloudTenantHandle {
  if (tenants.length === 0) throw new AppError("NOT_FOUND", "no Qlik Cloud tenant is configured (qlikCloud.tenants)");
  if (name === undefined) {
    if (tenants.length === 1) return tenants[0]!;
    throw new AppError("BAD_REQUEST", `several Qlik Cloud tenants are configured: name one in "tenant" (${tenants.map((t) => t.name).join(", ")})`);
  }
  const t = tenants.find((x) => x.name === name);
  if (!t) throw new AppError("NOT_FOUND", `no Qlik Cloud tenant named '${name}' (configured: ${tenants.map((x) => x.name).join(", ")})`);
  return t;
}

export async function startCloudReload(
  tenants: readonly CloudTenantHandle[],
  body: CloudStartBody,
  actor: AuditActor,
  audit: AuditLog,
): Promise<CloudStartAnswer> {
  const tenant = pickTenant(tenants, body.tenant);
  const target = `${tenant.name}/${body.appId}`.slice(0, 300);
  let answer: Record<string, unknown>;
  try {
    answer = (await tenant.http.json("POST", "/api/v1/reloads", { appId: body.appId, partial: body.partial ?? false })) as Record<string, unknown>;
  } catch (err) {
    const f = err instanceof CloudCallError ? err.failure : undefined;
    audit.record({ actor, action: "task.start", target, result: "failed", details: { via: "qlikCloud", tenant: tenant.name, error: (err as Error).message } });
    if (f?.kind === "client" && (f.status === 404 || f.status === 400))
      throw new AppError("NOT_FOUND", `the tenant ${tenant.name} has no app ${body.appId} it would reload (HTTP ${f.status})`);
    throw new AppError("CLOUD_UNAVAILABLE", `Qlik Cloud tenant ${tenant.name}: ${(err as Error).message}`, { cause: err });
  }
  const id = typeof answer.id === "string" ? answer.id : "";
  audit.record({ actor, action: "task.start", target, result: "ok", details: { via: "qlikCloud", tenant: tenant.name, reloadId: id } });
  return {
    id,
    appId: body.appId,
    tenant: tenant.name,
    status: String(answer.status ?? "QUEUED"),
    ...(typeof answer.type === "string" ? { type: answer.type } : {}),
  };
}
