// REST surface of approved remediation: ask for a retry of an incident's task (scope tasks: a read key or a business
// /status user never acts), read the incident's actions (its timeline of what was done), cancel one not yet due.
import { z } from "zod";
import { auditActorOf } from "../../platform/http/audit-actor";
import { errorBody } from "../../platform/http/errors";
import type { Router } from "../../platform/http/route";
import type { RemediationAction } from "./action-store";
import type { RemediationService } from "./service";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function actionView(a: RemediationAction) {
  return {
    id: a.id,
    incidentId: a.incidentId,
    taskId: a.taskId,
    taskName: a.taskName,
    kind: a.kind,
    status: a.status,
    causeId: a.causeId,
    afterId: a.afterId,
    requestedBy: a.requestedBy,
    requestedFrom: a.requestedFrom,
    requestedIp: a.requestedIp,
    requestedAt: iso(a.requestedAt),
    dueAt: iso(a.dueAt),
    claimedBy: a.claimedBy,
    claims: a.claims,
    startedAt: iso(a.startedAt),
    executionId: a.executionId,
    qlikAnswer: a.qlikAnswer,
    endedAt: iso(a.endedAt),
    outcome: a.outcome,
    outcomeLine: a.outcomeLine,
  };
}

export const ActionViewSchema = z.lazy(() =>
  z.object({
    id: z.number(),
    incidentId: z.number(),
    taskId: z.string(),
    taskName: z.string(),
    kind: z
      .enum(["retry", "rerun", "reload", "chain"])
      .describe("retry, rerun (a queue's cancelled run), reload (the app through the Engine), chain (a task of the incident's chain started)"),
    status: z
      .enum(["pending", "claimed", "started", "ended", "failed", "skipped", "cancelled"])
      .describe(
        "failed: Steward did not start it (refused, disabled); skipped: not needed any more (the task ran since it was asked for, or its incident recovered)",
      ),
    causeId: z.number().describe("A rerun: the queue cause whose end (the node's queue drained) it waits for; 0 for none."),
    afterId: z.number().describe("A rerun: the action before it in chain order, which it waits for; 0 for none."),
    requestedBy: z.string(),
    requestedFrom: z.string().describe("link (the alert's signed link) or rest"),
    requestedIp: z.string().nullable(),
    requestedAt: z.string().nullable(),
    dueAt: z.string().nullable(),
    claimedBy: z.string().nullable().describe("The Steward that carried it out (its instance id)."),
    claims: z.number().describe("More than 1: a Steward took it over from one that stopped mid-way."),
    startedAt: z.string().nullable(),
    executionId: z
      .string()
      .nullable()
      .describe("The run it started: QRS's execution session id, or for a reload the Engine reload job's id (GET /v4/app/reloads/{jobId})."),
    qlikAnswer: z.string().nullable().describe("What Qlik answered to the start, or why nothing was started."),
    endedAt: z.string().nullable(),
    outcome: z.string().nullable().describe("succeeded, failed, aborted (the run's end); not started, not needed; cancelled by …"),
    outcomeLine: z.string().nullable().describe("The failing line of the run the action started, when it failed."),
  }),
);

export const IdParams = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

export function registerRemediationRoutes(router: Router, service: RemediationService): void {
  router.route(
    {
      method: "post",
      path: "/v4/incidents/:id/retry",
      summary: "Start an open incident's task again, now or in N minutes",
      description:
        "Offered for the error classes of remediation.retryClasses (connection, lock, timeout: failures that may heal by themselves). The action is recorded on the incident (GET /v4/incidents/{id}/actions) and in the audit as the caller; one Steward of the site starts the task once, through the start allowlist; the incident's next message says what was done and how it ended. Asked again while one is pending, the answer is the pending action (202, added false).",
      tags: ["Alerts"],
      scope: "tasks",
      params: IdParams,
      body: z.strictObject({ inMinutes: z.number().int().min(0).max(10_080).default(0).describe("Minutes from now; 0 starts it at once.") }).prefault({}),
      responses: {
        202: { description: "The action, to be carried out", schema: () => z.object({ added: z.boolean(), action: ActionViewSchema }) },
        400: { description: "The delay is longer than remediation.maxDelay" },
        404: { description: "No such incident" },
        409: { description: "The incident is closed, is not a task's, or its error class is not one a retry is offered for" },
      },
    },
    async (c, { params, body }) => {
      const actor = auditActorOf(c);
      const a = await service.requestRetry({
        incidentId: params.id,
        delayMs: body.inMinutes * 60_000,
        by: actor.name,
        from: "rest",
        ...(actor.ip ? { ip: actor.ip } : {}),
      });
      if (!a.ok) return c.json(errorBody(a.status, a.code, a.message, { field: a.field }), a.status);
      return c.json({ added: a.added, action: actionView(a.action) }, 202);
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
      responses: {
        202: {
          description: "The actions, in the order they run; joined: actions asked for before that this request shares",
          schema: () => z.object({ actions: z.array(ActionViewSchema), joined: z.array(ActionViewSchema) }),
        },
        404: { description: "No such cause" },
        409: { description: "The cause is not a node's reload queue, or holds no cancelled run still failing" },
      },
    },
    async (c, { params }) => {
      const actor = auditActorOf(c);
      const a = await service.requestRerun({ causeId: params.id, by: actor.name, from: "rest", ...(actor.ip ? { ip: actor.ip } : {}) });
      if (!a.ok) return c.json(errorBody(a.status, a.status === 404 ? "NOT_FOUND" : "CONFLICT", a.message, { field: "id" }), a.status);
      return c.json({ actions: a.actions.map(actionView), joined: a.joined.map(actionView) }, 202);
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
      description: "One action per cancelled run, in the order they run (at most 200); each is also on its incident's actions.",
      tags: ["Alerts"],
      scope: "read",
      params: IdParams,
      responses: { 200: { description: "The actions", schema: () => z.object({ actions: z.array(ActionViewSchema) }) } },
    },
    async (c, { params }) => c.json({ actions: (await service.actionsOfCause(params.id)).map(actionView) }),
  );

  router.route(
    {
      method: "post",
      path: "/v4/remediation/actions/:id/cancel",
      summary: "Cancel a remediation action that is not due yet",
      description: "Only a pending action can be cancelled: one a Steward has started is past recall.",
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
