// REST doors for resolving by hand: an incident, or a cause with every incident it holds, closed by a person before
// the task succeeds or the condition ends. The request's audit row names what was resolved, from where and by whom.
import { z } from "zod";
import type { ResolvedByHand } from "../../platform/events/run-context";
import { auditActorOf } from "../../platform/http/audit-actor";
import { errorBody } from "../../platform/http/errors";
import type { Router } from "../../platform/http/route";
import type { HttpEnv } from "../../platform/http/types";
import type { Context } from "hono";
import { IncidentViewSchema, incidentView } from "./incident-view";
import type { IncidentService } from "./service";

const ResolveBodySchema = z
  .strictObject({
    note: z.string().trim().max(500).optional().describe("Why it is resolved (what was done), kept with the incident and said in its follow-up."),
    from: z
      .enum(["api", "dashboard", "mcp"])
      .default("api")
      .describe("Where the person resolved it, as the caller says (the dashboard and the assistant set theirs); kept in the audit."),
  })
  .prefault({});

type ResolveBody = z.infer<typeof ResolveBodySchema>;

const byHand = (c: Context<HttpEnv>, body: ResolveBody): ResolvedByHand => ({
  by: auditActorOf(c).name,
  via: body.from,
  ...(body.note ? { note: body.note } : {}),
});

const AFTER =
  "Its closing follow-up (task.recovered, saying who resolved it) goes where its pages went; PagerDuty, Opsgenie and Alertmanager end their alert; an escalation waiting for it stops. A later failure of the task opens a new incident.";

export function registerResolveRoutes(router: Router, incidents: IncidentService): void {
  router.route(
    {
      method: "post",
      path: "/v4/incidents/:id/resolve",
      summary: "Resolve an open incident by hand",
      description: `Closes the incident now, as resolved by the caller (the key's or certificate's name), without waiting for the task's next good run. ${AFTER}`,
      tags: ["Alerts"],
      scope: "admin",
      params: z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
      body: ResolveBodySchema,
      responses: {
        200: { description: "The incident, closed", schema: IncidentViewSchema },
        404: { description: "No such incident" },
        409: { description: "The incident is closed already" },
      },
    },
    async (c, { params, body }) => {
      const r = byHand(c, body);
      const row = await incidents.resolveByHand(params.id, r);
      const note = c.get("auditNote");
      if (row) {
        note?.({
          actor: auditActorOf(c),
          action: "incident.resolve",
          target: `incident ${row.id}`,
          result: "ok",
          details: { from: r.via, ...(r.note ? { note: r.note } : {}) },
        });
        return c.json(incidentView(row));
      }
      const existing = await incidents.get(params.id);
      if (!existing) return c.json(errorBody(404, "NOT_FOUND", `no incident ${params.id}`, { field: "id" }), 404);
      return c.json(
        errorBody(409, "CONFLICT", `incident ${params.id} is closed already (${existing.closedSummary ?? "closed"}): there is nothing to resolve`, {
          field: "id",
        }),
        409,
      );
    },
  );

  router.route(
    {
      method: "post",
      path: "/v4/causes/:id/resolve",
      summary: "Resolve an open cause and every incident it holds",
      description: `Closes the cause now, as resolved by the caller, with every task incident it holds open; the cause's recovered page says who resolved it. ${AFTER}`,
      tags: ["Alerts"],
      scope: "admin",
      params: z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
      body: ResolveBodySchema,
      responses: {
        200: {
          description: "The cause, resolved, and its incidents, closed",
          schema: () => z.object({ cause: z.object({ id: z.number(), title: z.string() }), incidents: z.array(IncidentViewSchema) }),
        },
        404: { description: "No such cause" },
        409: { description: "The cause is closed already" },
      },
    },
    async (c, { params, body }) => {
      const r = byHand(c, body);
      const done = await incidents.resolveCause(params.id, r);
      if (done) {
        c.get("auditNote")?.({
          actor: auditActorOf(c),
          action: "cause.resolve",
          target: `cause ${done.cause.id}`,
          result: "ok",
          details: { from: r.via, incidents: done.incidents.map((i) => i.id), ...(r.note ? { note: r.note } : {}) },
        });
        return c.json({ cause: done.cause, incidents: done.incidents.map((i) => incidentView(i)) });
      }
      const known = await incidents.causeStatus(params.id);
      if (known === undefined) return c.json(errorBody(404, "NOT_FOUND", `no cause ${params.id}`, { field: "id" }), 404);
      return c.json(errorBody(409, "CONFLICT", `cause ${params.id} is closed already: there is nothing to resolve`, { field: "id" }), 409);
    },
  );
}
