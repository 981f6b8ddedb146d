// REST surface of incidents: the list (open ones, recently closed ones), one incident, and acknowledging one; the
// dashboard's incident page reads the same list with the viewer's own key.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { z } from "zod";
import { auditActorOf } from "../../platform/http/audit-actor";
import { errorBody } from "../../platform/http/errors";
import type { Router } from "../../platform/http/route";
import { fitAnswer, LIST_ANSWER_NOTE } from "../../platform/http/answer-budget";
import type { IncidentCursor, IncidentRow } from "./incident-store";
import type { IncidentService } from "./service";
import { registerIncidentCauseRoutes } from "./cause-routes";
import { registerResolveRoutes } from "./resolve-routes";
import { IncidentViewSchema, incidentView } from "./incident-view";

const cursorOf = (r: IncidentRow) => Buffer.from(JSON.stringify([r.updatedAt, r.id])).toString("base64url");
function readCursor(text: string): IncidentCursor | undefined {
  try {
    const v = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown;
    return Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && Number.isSafeInteger(v[1]) ? { updatedAt: v[0], id: v[1] } : undefined;
  } catch {
    return undefined;
  }
}

export type { IncidentView } from "./incident-view";
export { incidentView } from "./incident-view";

/** Each open incident with the open cause that holds it (one read for the page). */
async function withCauses(incidents: IncidentService, rows: IncidentRow[]) {
  const [causes, holds] = await Promise.all([incidents.causesOf(rows), incidents.holdsOf(rows)]);
  return rows.map((r) => incidentView(r, r.status === "open" ? causes.get(r.subject) : undefined, holds.get(r.id)));
}

export function registerIncidentRoutes(router: Router, incidents: IncidentService, deps: { now: () => number }): void {
  // Before /v4/incidents/:id, whose parameter would take "by-cause".
  registerIncidentCauseRoutes(router, incidents);
  registerResolveRoutes(router, incidents);
  router.route(
    {
      method: "get",
      path: "/v4/incidents",
      summary: "List incidents (newest first)",
      description: `Incidents per task: opened by a failure, updated by the next failures, closed by the next success (task.recovered); and one per other condition that pages (task.missed, a check-in, a freshness promise at risk or late, data.check_failed, app.reload_failed, a queue backed up, service.stopped, a Qlik Talend Cloud data task that failed or was stopped: cloud.datatask.failed), closed by the event that ends it (taskId null). The same set as /v4/incidents/by-cause and the dashboard's Incidents page. ${LIST_ANSWER_NOTE}`,
      tags: ["Alerts"],
      scope: "read",
      query: z.strictObject({
        status: z.enum(["open", "closed"]).optional(),
        sinceHours: z.coerce
          .number()
          .min(0)
          .max(24 * 400)
          .optional()
          .describe("Only incidents updated in the last N hours."),
        taskId: z.string().min(1).max(100).optional().describe("Only this task's incidents (its QRS id): the task page's incident."),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        after: z
          .string()
          .max(200)
          .transform((t, ctx) => readCursor(t) ?? (ctx.addIssue({ code: "custom", message: "not a cursor this list gave (next)" }), z.NEVER))
          .optional()
          .describe("The `next` of the previous page: the incidents listed after it."),
      }),
      responses: {
        200: {
          description: "Incidents, within about 1 MiB",
          schema: () =>
            z.object({
              incidents: z.array(IncidentViewSchema),
              truncated: z.boolean().describe("Incidents were left out to keep the answer within about 1 MiB: ask again with after=next"),
              next: z.string().nullable().describe("Pass as `after` for the next page; null: this is the last"),
            }),
        },
      },
    },
    async (c, { query }) => {
      const since = query.sinceHours === undefined ? undefined : deps.now() - query.sinceHours * 3_600_000;
      const rows = await incidents.list({
        status: query.status,
        since,
        limit: query.limit,
        ...(query.after ? { after: query.after } : {}),
        ...(query.taskId ? { taskId: query.taskId } : {}),
      });
      const page = fitAnswer(await withCauses(incidents, rows));
      const last = rows[page.items.length - 1];
      const more = page.truncated || rows.length === query.limit;
      return c.json({ incidents: page.items, truncated: page.truncated, next: more && last ? cursorOf(last) : null });
    },
  );

  router.route(
    {
      method: "get",
      path: "/v4/incidents/recovered-by-retry",
      summary: "Runs the Scheduler's retry recovered",
      description:
        "Successful runs that took more than one attempt: a failed attempt the Scheduler retried and the retry succeeded. Nothing was paged for them (docs/noise.md); they are counted here.",
      tags: ["Alerts"],
      scope: "read",
      query: z.strictObject({
        sinceHours: z.coerce
          .number()
          .min(0)
          .max(24 * 400)
          .default(24)
          .describe("Runs that ended in the last N hours."),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      responses: {
        200: {
          description: "Runs, newest first",
          schema: () =>
            z.object({
              runs: z.array(z.object({ executionId: z.string(), taskId: z.string(), finishedAt: z.string(), attempts: z.number() })),
            }),
        },
      },
    },
    async (c, { query }) => {
      const runs = await incidents.recoveredByRetry(deps.now() - query.sinceHours * 3_600_000, query.limit);
      return c.json({ runs: runs.map((r) => ({ ...r, finishedAt: new Date(r.finishedAt).toISOString() })) });
    },
  );

  router.route(
    {
      method: "get",
      path: "/v4/incidents/:id",
      summary: "One incident",
      tags: ["Alerts"],
      scope: "read",
      params: z.object({ id: z.coerce.number().int().min(1) }),
      responses: { 200: { description: "The incident", schema: IncidentViewSchema }, 404: { description: "No such incident" } },
    },
    async (c, { params }) => {
      const row = await incidents.get(params.id);
      if (!row) return c.json(errorBody(404, "NOT_FOUND", `no incident ${params.id}`), 404);
      return c.json((await withCauses(incidents, [row]))[0]!);
    },
  );

  router.route(
    {
      method: "post",
      path: "/v4/incidents/:id/acknowledge",
      summary: "Acknowledge an open incident",
      description:
        "Says someone is on it: the incident records who (the caller's key or certificate name), when and an optional note; its further failures stop notifying on every route until it recovers, and the recovery is sent as usual.",
      tags: ["Alerts"],
      scope: "admin",
      params: z.object({ id: z.coerce.number().int().min(1) }),
      body: z.strictObject({ note: z.string().max(500).optional().describe("What is being done, shown with the incident.") }).prefault({}),
      responses: {
        200: { description: "The incident, acknowledged", schema: IncidentViewSchema },
        404: { description: "No such incident" },
        409: { description: "The incident is closed" },
      },
    },
    async (c, { params, body }) => {
      const actor = auditActorOf(c);
      const row = await incidents.acknowledge(params.id, actor.name, body.note);
      if (row) return c.json((await withCauses(incidents, [row]))[0]!);
      const existing = await incidents.get(params.id);
      if (!existing) return c.json(errorBody(404, "NOT_FOUND", `no incident ${params.id}`), 404);
      return c.json(errorBody(409, "CONFLICT", `incident ${params.id} is closed: it recovered, there is nothing to acknowledge`, { field: "id" }), 409);
    },
  );
}
