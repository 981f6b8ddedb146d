// REST calls on one remediation action by its id: the second person's confirmation under the two-person rule, and
// the cancel of one not yet due.
import { z } from "zod";
import { auditActorOf, isVerifiedActor } from "../../platform/http/audit-actor";
import { errorBody } from "../../platform/http/errors";
import type { Router } from "../../platform/http/route";
import { ActionViewSchema, actionView, FORBIDDEN_SAME } from "./action-view";
import type { RemediationService } from "./service";

export const IdParams = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

export function registerActionRoutes(router: Router, service: RemediationService): void {
  router.route(
    {
      method: "post",
      path: "/v4/remediation/actions/:id/confirm",
      summary: "Confirm, as the second person, an action waiting under the two-person rule",
      description:
        "remediation.approval: an action asked for by one person waits (status awaiting) until a second, different person confirms it; then one Steward carries it out once. A re-run's actions are confirmed together. The confirmation is audited (remediation.confirm: who, when, from where).",
      tags: ["Alerts"],
      scope: "tasks",
      params: IdParams,
      responses: {
        202: {
          description: "Confirmed: the actions, now to be carried out",
          schema: () => z.object({ confirmed: z.object({ firstBy: z.string(), already: z.boolean() }), actions: z.array(ActionViewSchema) }),
        },
        403: { description: FORBIDDEN_SAME },
        404: { description: "No such action" },
        409: { description: "The action does not wait for a second person (any more)" },
      },
    },
    async (c, { params }) => {
      const actor = auditActorOf(c);
      const a = await service.confirm(params.id, { by: actor.name, from: "rest", verified: isVerifiedActor(actor), ...(actor.ip ? { ip: actor.ip } : {}) });
      if (!a.ok) return c.json(errorBody(a.status, a.code, a.message, { field: a.status === 403 ? "approval" : "id" }), a.status);
      return c.json({ confirmed: { firstBy: a.firstBy, already: a.already }, actions: a.actions.map(actionView) }, 202);
    },
  );

  router.route(
    {
      method: "post",
      path: "/v4/remediation/actions/:id/cancel",
      summary: "Cancel a remediation action that is not due yet",
      description: "Only a pending action (or one waiting for a second person) can be cancelled: one a Steward has started is past recall.",
      tags: ["Alerts"],
      scope: "tasks",
      params: IdParams,
      responses: { 200: { description: "Cancelled" }, 409: { description: "The action is not pending (or does not exist)" } },
    },
    async (c, { params }) => {
      if (await service.cancel(params.id, auditActorOf(c).name)) return c.json({ cancelled: params.id });
      return c.json(errorBody(409, "CONFLICT", `action ${params.id} is not pending: only an action not yet due can be cancelled`, { field: "id" }), 409);
    },
  );
}
