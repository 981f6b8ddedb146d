// REST for Qlik Cloud: each tenant's state, and starting a Cloud reload with the same scope and audit as a task start.
import { auditActorOf } from "../../platform/http/audit-actor";
import type { Router } from "../../platform/http/route";
import { CloudStartSchema, type CloudStarter } from "./start-reload";
import type { TenantWatcher } from "./tenant-watcher";

export function registerCloudRoutes(router: Router, deps: { watchers: TenantWatcher[]; start: CloudStarter }): void {
  router.route(
    {
      method: "get",
      path: "/v4/cloud/tenants",
      summary: "The Qlik Cloud tenants Steward watches and whether each answers",
      tags: ["apps"],
      scope: "read",
      responses: { 200: { description: "one entry per tenant" } },
    },
    async (c) => c.json({ tenants: deps.watchers.map((w) => w.state()) }),
  );
  router.route(
    {
      method: "post",
      path: "/v4/cloud/reloads",
      summary: "Start a Qlik Cloud reload",
      description: "Calls POST /api/v1/reloads of the tenant. Its outcome is announced like any Cloud reload when the tenant's poll sees it end.",
      tags: ["apps"],
      scope: "tasks",
      body: CloudStartSchema,
      responses: {
        201: { description: "The reload as the tenant answered (status QUEUED)" },
        400: { description: "Bad body, or several tenants and none named" },
        404: { description: "No such tenant or app" },
        503: { description: "No Qlik Cloud tenant configured, or the tenant could not be reached" },
      },
    },
    async (c, { body }) => c.json(await deps.start(body, auditActorOf(c)), 201),
  );
}
