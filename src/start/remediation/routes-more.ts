// REST of the two incident actions besides the retry: reload the incident's app through the Engine, start its chain
// again from one of its tasks (scope tasks: a read key or a business /status user never acts), and the chain's tasks
// (scope read), which the dashboard's and the link page's buttons offer.
import type { Context } from "hono";
import { z } from "zod";
import { auditActorOf, isVerifiedActor } from "../../platform/http/audit-actor";
import { errorBody } from "../../platform/http/errors";
import type { Router } from "../../platform/http/route";
import type { HttpEnv } from "../../platform/http/types";
import { ActionViewSchema, actionView, FORBIDDEN_SAME } from "./action-view";
import { IdParams } from "./action-routes";
import type { RemediationService } from "./service";

const Answer = () =>
  z.object({
    added: z.boolean(),
    awaiting: z.boolean().optional().describe("Recorded, waiting for a second, different person to confirm it (two-person rule)."),
    confirmed: z.object({ firstBy: z.string() }).optional().describe("This ask confirmed the one firstBy made (two-person rule)."),
    action: ActionViewSchema,
  });
const answerOf = (a: { added: boolean; awaiting?: boolean; confirmed?: { firstBy: string }; action: Parameters<typeof actionView>[0] }) => ({
  added: a.added,
  ...(a.awaiting ? { awaiting: true } : {}),
  ...(a.confirmed ? { confirmed: { firstBy: a.confirmed.firstBy } } : {}),
  action: actionView(a.action),
});

/** A dry run's answer: the preview (200), or the refusal the request itself would get. */
function previewAnswer(c: Context<HttpEnv>, p: Awaited<ReturnType<RemediationService["previewChain" | "previewReload"]>>): Response {
  if (!p.ok) return c.json(errorBody(p.status, p.code, p.message, { field: p.field }), p.status);
  return c.json(p.preview, 200);
}

export function registerMoreRemediationRoutes(router: Router, service: RemediationService): void {
  router.route(
    {
      method: "post",
      path: "/v4/incidents/:id/reload-app",
      summary: "Reload an open incident's app through the Engine, as its task would",
      description:
        "For an open incident of a reload task: one Steward of the site reloads the task's app through the Engine API (partial when the task is a partial reload in the QMC, else full), saves it, and records what the Engine answered on the incident (GET /v4/incidents/{id}/actions: executionId is the reload job, GET /v4/app/reloads/{jobId}) and in the audit as the caller. The task's own status in the QMC does not change: the incident stays open until the task's next run. The incident's next message says how it ended.",
      tags: ["Alerts"],
      scope: "tasks",
      params: IdParams,
      body: z
        .strictObject({
          dryRun: z
            .boolean()
            .default(false)
            .describe("true: say what the reload would do if approved now (full or partial, each promise's expected fresh time) and record or start nothing."),
        })
        .prefault({}),
      responses: {
        200: { description: "dryRun: what the Engine reload would do if approved now; nothing is recorded or started" },
        202: { description: "The action, to be carried out", schema: Answer },
        403: { description: FORBIDDEN_SAME },
        404: { description: "No such incident" },
        409: { description: "The incident is closed, is not a reload task's, or this Steward has no Engine connection" },
      },
    },
    async (c, { params, body }) => {
      if (body.dryRun) return previewAnswer(c, await service.previewReload(params.id));
      const actor = auditActorOf(c);
      const a = await service.requestReload({
        incidentId: params.id,
        by: actor.name,
        from: "rest",
        verified: isVerifiedActor(actor),
        ...(actor.ip ? { ip: actor.ip } : {}),
      });
      if (!a.ok) return c.json(errorBody(a.status, a.code, a.message, { field: a.field }), a.status);
      return c.json(answerOf(a), 202);
    },
  );

  router.route(
    {
      method: "post",
      path: "/v4/incidents/:id/restart-chain",
      summary: "Start an open incident's chain again from one of its tasks",
      description:
        "taskId must be a task of the incident's chain, as Steward read it from QRS's task-event (composite) triggers: the incident's task, the tasks it waits for, or a task that runs after one of them (GET /v4/incidents/{id}/chain lists them). One Steward starts that task once, through the start allowlist; the chain's follow-ups then run as the Scheduler's triggers start them. Recorded on the incident and in the audit as the caller.",
      tags: ["Alerts"],
      scope: "tasks",
      params: IdParams,
      body: z.strictObject({
        taskId: z.string().trim().min(1).max(100).describe("The task to start: one of the incident's chain."),
        dryRun: z
          .boolean()
          .default(false)
          .describe(
            "true: say what the start would do if approved now (the tasks in the order they would run, the node and what the first waits for there, each promise's expected fresh time) and record or start nothing.",
          ),
      }),
      responses: {
        200: { description: "dryRun: what the chain's start would do if approved now; nothing is recorded or started" },
        202: { description: "The action, to be carried out", schema: Answer },
        400: { description: "taskId is not a task of the incident's chain" },
        403: { description: FORBIDDEN_SAME },
        404: { description: "No such incident" },
        409: { description: "The incident is closed, is not a task's, or its task is in no chain Steward knows" },
      },
    },
    async (c, { params, body }) => {
      if (body.dryRun) return previewAnswer(c, await service.previewChain(params.id, body.taskId));
      const actor = auditActorOf(c);
      const a = await service.requestChain({
        incidentId: params.id,
        taskId: body.taskId,
        by: actor.name,
        from: "rest",
        verified: isVerifiedActor(actor),
        ...(actor.ip ? { ip: actor.ip } : {}),
      });
      if (!a.ok) return c.json(errorBody(a.status, a.code, a.message, { field: a.field }), a.status);
      return c.json(answerOf(a), 202);
    },
  );

  router.route(
    {
      method: "get",
      path: "/v4/incidents/:id/chain",
      summary: "The tasks of an open incident's chain, heads first",
      description: "The tasks POST /v4/incidents/{id}/restart-chain accepts; empty when the incident is closed or its task is in no chain Steward knows.",
      tags: ["Alerts"],
      scope: "read",
      params: IdParams,
      responses: {
        200: {
          description: "The chain's tasks; depth: how many of them run before it",
          schema: () => z.object({ tasks: z.array(z.object({ id: z.string(), name: z.string(), depth: z.number() })) }),
        },
      },
    },
    async (c, { params }) => c.json({ tasks: await service.chainOfIncident(params.id) }),
  );
}
