// REST for Qlik Cloud: start a reload of a Cloud app (`POST /v4/cloud/reloads`, scope and audit as task starts)
// and the tenants' polling state (`GET /v4/cloud`).
import { z } from "zod";
import type { AuditLog } from "../audit/audit-log";
import { auditActorOf } from "../http/audit-actor";
import type { Router } from "../http/route";
import { CloudStartBodySchema, startCloudReload, type CloudTenantHandle } from "./start-reload";

export type { CloudTenantHandle } from "./start-reload";

const ReloadAnswerSchema = z.lazy(() => z.object({ id: z.string(), appId: z.string(), tenant: z.string(), status: z.string(), type: z.string().optional() }));

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
      body: CloudStartBodySchema,
      responses: {
        201: { description: "The reload Qlik Cloud queued.", schema: ReloadAnswerSchema },
        400: { description: "A malformed body, or no tenant named." },
        404: { description: "No such tenant, or the tenant has no such app." },
        502: { description: "The tenant could not be reached or refused the key." },
      },
    },
    async (c, { body }) => c.json(await startCloudReload(deps.tenants, body, auditActorOf(c), deps.audit), 201),
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
