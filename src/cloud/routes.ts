// REST for Qlik Cloud: start a reload of a Cloud app (`POST /v4/cloud/reloads`, scope and audit as task starts)
// and the tenants' polling state (`GET /v4/cloud`).
import { z } from "zod";
import type { AuditLog } from "../audit/audit-log";
import { AppError } from "../core/errors";
import { auditActorOf } from "../http/audit-actor";
import type { Router } from "../http/route";
import { CloudCallError, type CloudHttp } from "./cloud-http";
import type { TenantPoller } from "./poller";

export interface CloudTenantHandle {
  name: string;
  url: string;
  http: CloudHttp;
  poller: TenantPoller;
}

const StartBodySchema = z.lazy(() =>
  z.strictObject({
    appId: z.string().min(1).max(200).describe("The Qlik Cloud app's id."),
    tenant: z.string().min(1).optional().describe("The tenant's name in qlikCloud.tenants (needed when there are several)."),
    partial: z.boolean().optional().describe("A partial reload."),
  }),
);

const ReloadAnswerSchema = z.lazy(() => z.object({ id: z.string(), appId: z.string(), tenant: z.string(), status: z.string(), type: z.string().optional() }));

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

export function registerCloudRoutes(router: Router, deps: { tenants: readonly CloudTenantHandle[]; audit: AuditLog }): void {
  router.route(
    {
      method: "post",
      path: "/v4/cloud/reloads",
      summary: "Start a reload of a Qlik Cloud app",
      description:
        "Asks the tenant's Reloads API (POST /api/v1/reloads) to reload the app; the answer is the reload Qlik Cloud queued. How it ends is announced like any Cloud reload (task.succeeded, task.failed, task.aborted). Audited as a task start.",
      tags: ["tasks"],
      scope: "tasks",
      body: StartBodySchema,
      responses: {
        201: { description: "The reload Qlik Cloud queued.", schema: ReloadAnswerSchema },
        400: { description: "A malformed body, or no tenant named." },
        404: { description: "No such tenant, or the tenant has no such app." },
        502: { description: "The tenant could not be reached or refused the key." },
      },
    },
    async (c, { body }) => {
      const tenant = pickTenant(deps.tenants, body.tenant);
      const actor = auditActorOf(c);
      const target = `${tenant.name}/${body.appId}`.slice(0, 300);
      let answer: Record<string, unknown>;
      try {
        answer = (await tenant.http.json("POST", "/api/v1/reloads", { appId: body.appId, partial: body.partial ?? false })) as Record<string, unknown>;
      } catch (err) {
        const f = err instanceof CloudCallError ? err.failure : undefined;
        deps.audit.record({
          actor,
          action: "task.start",
          target,
          result: "failed",
          details: { via: "qlikCloud", tenant: tenant.name, error: (err as Error).message },
        });
        if (f?.kind === "client" && (f.status === 404 || f.status === 400))
          throw new AppError("NOT_FOUND", `the tenant ${tenant.name} has no app ${body.appId} it would reload (HTTP ${f.status})`);
        throw new AppError("CLOUD_UNAVAILABLE", `Qlik Cloud tenant ${tenant.name}: ${(err as Error).message}`, { cause: err });
      }
      const id = typeof answer.id === "string" ? answer.id : "";
      deps.audit.record({ actor, action: "task.start", target, result: "ok", details: { via: "qlikCloud", tenant: tenant.name, reloadId: id } });
      return c.json(
        {
          id,
          appId: body.appId,
          tenant: tenant.name,
          status: String(answer.status ?? "QUEUED"),
          ...(typeof answer.type === "string" ? { type: answer.type } : {}),
        },
        201,
      );
    },
  );

  router.route(
    {
      method: "get",
      path: "/v4/cloud",
      summary: "Qlik Cloud tenants and their polling state",
      tags: ["health"],
      scope: "admin",
      responses: { 200: { description: "Each tenant: name, url, ok, detail, last poll, next poll." } },
    },
    (c) =>
      c.json({
        tenants: deps.tenants.map((t) => {
          const next = t.poller.nextPollAt();
          return { name: t.name, url: t.url, ...t.poller.status(), ...(next !== undefined ? { nextPollAt: new Date(next).toISOString() } : {}) };
        }),
      }),
  );
}
