// REST surface of approved remediation: ask for a retry of an incident's task (scope tasks: a read key or a business
// /status user never acts), read the incident's actions (its timeline of what was done), confirm one waiting for a
// second person (the two-person rule), cancel one not yet due.
import type { Context } from "hono";
import { z } from "zod";
import { auditActorOf, isVerifiedActor } from "../../platform/http/audit-actor";
import { errorBody } from "../../platform/http/errors";
import type { Router } from "../../platform/http/route";
import type { HttpEnv } from "../../platform/http/types";
import { ActionViewSchema, actionView, FORBIDDEN_SAME } from "./action-view";
import { IdParams, registerActionRoutes } from "./action-routes";
import type { RerunPreviewAnswer } from "./rerun-preview";
import type { RemediationService } from "./service";

const RerunBody = z
  .strictObject({
    dryRun: z
      .boolean()
      .default(false)
      .describe(
        "true: say what the re-run would do if approved now (the runs in order, the node, what they wait for there, each promise's expected fresh time) and record or start nothing.",
      ),
  })
  .prefault({});

const RetryBody = z
  .strictObject({
    inMinutes: z.number().int().min(0).max(10_080).default(0).describe("Minutes from now; 0 starts it at once."),
    dryRun: z
      .boolean()
      .default(false)
      .describe(
        "true: say what the retry would do if approved now (when it starts, the node its task last ran on and that node's engines, each promise's expected fresh time) and record or start nothing.",
      ),
  })
  .prefault({});

const RetryAnswerSchema = z.object({
  added: z.boolean(),
  awaiting: z.boolean().optional().describe("Recorded, waiting for a second, different person to confirm it (two-person rule)."),
  confirmed: z.object({ firstBy: z.string() }).optional().describe("This ask confirmed the one firstBy made (two-person rule)."),
  action: ActionViewSchema,
});

/** A dry run's answer: the preview (200), or why there is nothing to re-run. */
function previewAnswer(c: Context<HttpEnv>, p: RerunPreviewAnswer): Response {
  if (!p.ok) return c.json(errorBody(p.status, p.status === 404 ? "NOT_FOUND" : "CONFLICT", p.message, { field: "id" }), p.status);
  return c.json(p.preview, 200);
}

/** A retry's dry run: what it would do (200), or the refusal the request itself would get. */
function retryPreviewAnswer(c: Context<HttpEnv>, p: Awaited<ReturnType<RemediationService["previewRetry"]>>): Response {
  if (!p.ok) return c.json(errorBody(p.status, p.code, p.message, { field: p.field }), p.status);
  return c.json(p.preview, 200);
}

export function registerRemediationRoutes(router: Router, service: RemediationService): void {
  router.route(
    {
      method: "post",
      path: "/v4/incidents/:id/retry",
      summary: "Start an open incident's task again, now or in N minutes",
      description:
        "Offered for the error classes of remediation.retryClasses (connection, lock, timeout: failures that may heal by themselves). The action is recorded on the incident (GET /v4/incidents/{id}/actions) and in the audit as the caller; one Steward of the site starts the task once, through the start allowlist; the incident's next message says what was done and how it ended. Asked again while one is pending, the answer is the pending action (202, added false). Under the two-person rule (remediation.approval.retry: two-person) the first ask is recorded waiting for a second person (awaiting true); a different caller asking again confirms it (confirmed), the same caller gets 403.",
      tags: ["Alerts"],
      scope: "tasks",
      params: IdParams,
      body: RetryBody,
      responses: {
        200: { description: "dryRun: what the retry would do if approved now; nothing is recorded or started" },
        202: {
          description: "The action, to be carried out (or waiting for a second person)",
          schema: () => RetryAnswerSchema,
        },
        400: { description: "The delay is longer than remediation.maxDelay" },
        403: { description: FORBIDDEN_SAME },
        404: { description: "No such incident" },
        409: { description: "The incident is closed, is not a task's, or its error class is not one a retry is offered for" },
      },
    },
    async (c, { params, body }) => {
      if (body.dryRun) return retryPreviewAnswer(c, await service.previewRetry({ incidentId: params.id, delayMs: body.inMinutes * 60_000 }));
      const actor = auditActorOf(c);
      const a = await service.requestRetry({
        incidentId: params.id,
        delayMs: body.inMinutes * 60_000,
        by: actor.name,
        from: "rest",
        verified: isVerifiedActor(actor),
        ...(actor.ip ? { ip: actor.ip } : {}),
      });
      if (!a.ok) return c.json(errorBody(a.status, a.code, a.message, { field: a.field }), a.status);
      return c.json(
        {
          added: a.added,
          ...(a.awaiting ? { awaiting: true } : {}),
          ...(a.confirmed ? { confirmed: { firstBy: a.confirmed.firstBy } } : {}),
          action: actionView(a.action),
        },
        202,
      );
    },
  );

  router.route(
    {
      method: "post",
      path: "/v4/causes/:id/rerun-cancelled",
      summary: "Re-run the runs a node's queue cancelled, once the queue has drained, in chain order",
      description:
        "For a reload queue cause (scheduler.queue_backlog): one action per task whose run Qlik cancelled while it waited and whose incident is still open, ordered so that a task comes after the cancelled tasks its chain waits for. Each starts once the cause has closed (the node's queue drained) and the one before it has ended; a task that ran since the request (its trigger, or its chain after an upstream's re-run) is skipped. Recorded on each incident (GET /v4/incidents/{id}/actions) and in the audit as the caller.",
      tags: ["Alerts"],
      scope: "tasks",
      params: IdParams,
      body: RerunBody,
      responses: {
        200: { description: "dryRun: what the re-run would do if approved now; nothing is recorded or started" },
        202: {
          description:
            "The actions, in the order they run; joined: actions asked for before that this request shares; awaiting: waiting for a second person (remediation.approval.rerunCancelled: two-person)",
          schema: () =>
            z.object({
              actions: z.array(ActionViewSchema),
              joined: z.array(ActionViewSchema),
              awaiting: z.boolean().optional(),
              confirmed: z.object({ firstBy: z.string() }).optional(),
            }),
        },
        403: { description: FORBIDDEN_SAME },
        404: { description: "No such cause" },
        409: { description: "The cause is not a node's reload queue, or holds no cancelled run still failing" },
      },
    },
    async (c, { params, body }) => {
      if (body.dryRun) return previewAnswer(c, await service.previewRerun(params.id));
      const actor = auditActorOf(c);
      const a = await service.requestRerun({
        causeId: params.id,
        by: actor.name,
        from: "rest",
        verified: isVerifiedActor(actor),
        ...(actor.ip ? { ip: actor.ip } : {}),
      });
      if (!a.ok) {
        const code = a.status === 404 ? "NOT_FOUND" : a.status === 403 ? "FORBIDDEN" : "CONFLICT";
        return c.json(errorBody(a.status, code, a.message, { field: a.status === 403 ? "approval" : "id" }), a.status);
      }
      return c.json(
        {
          actions: a.actions.map(actionView),
          joined: a.joined.map(actionView),
          ...(a.awaiting ? { awaiting: true } : {}),
          ...(a.confirmed ? { confirmed: { firstBy: a.confirmed.firstBy } } : {}),
        },
        202,
      );
    },
  );

  router.route(
    {
      method: "get",
      path: "/v4/incidents/:id/actions",
      summary: "What was done about an incident: its remediation actions",
      description: "Oldest first: who asked, when, from where, what Qlik answered and how the run ended.",
      tags: ["Alerts"],
      scope: "read",
      params: IdParams,
      responses: { 200: { description: "The actions", schema: () => z.object({ actions: z.array(ActionViewSchema) }) } },
    },
    async (c, { params }) => c.json({ actions: (await service.actionsOf(params.id)).map(actionView) }),
  );

  router.route(
    {
      method: "get",
      path: "/v4/causes/:id/actions",
      summary: "What was done about a cause: the re-run of the runs its queue cancelled",
      description:
        "One action per cancelled run, in the order they run (at most 200); each is also on its incident's actions. left: the runs the cause's queue cancelled that have not run again (their incidents still open with class queue), open or closed: while any is left, POST /v4/causes/{id}/rerun-cancelled re-runs them (runs cancelled while a re-run is pending join it).",
      tags: ["Alerts"],
      scope: "read",
      params: IdParams,
      responses: {
        200: {
          description: "The actions, and the runs left to re-run",
          schema: () =>
            z.object({
              actions: z.array(ActionViewSchema),
              left: z.array(z.object({ taskId: z.string(), taskName: z.string(), incidentId: z.number().int() })),
            }),
        },
      },
    },
    async (c, { params }) => c.json({ actions: (await service.actionsOfCause(params.id)).map(actionView), left: await service.leftToRerun(params.id) }),
  );

  registerActionRoutes(router, service);
}
