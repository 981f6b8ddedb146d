// REST surface of incidents: the list (open ones, recently closed ones), one incident, and acknowledging one; the
// dashboard's incident page reads the same list with the viewer's own key.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { z } from "zod";
import { auditActorOf } from "../../platform/http/audit-actor";
import { errorBody } from "../../platform/http/errors";
import type { Router } from "../../platform/http/route";
import { fitAnswer, LIST_ANSWER_NOTE } from "../../platform/http/answer-budget";
import type { IncidentCursor, IncidentRow } from "./incident-store";

const cursorOf = (r: IncidentRow) => Buffer.from(JSON.stringify([r.updatedAt, r.id])).toString("base64url");
function readCursor(text: string): IncidentCursor | undefined {
  try {
    const v = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown;
    return Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && Number.isSafeInteger(v[1]) ? { updatedAt: v[0], id: v[1] } : undefined;
  } catch {
    return undefined;
  }
}
import type { CauseBrief, IncidentService } from "./service";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function incidentView(r: IncidentRow, cause?: CauseBrief) {
  return {
    id: r.id,
    subject: r.subject,
    taskId: r.taskId,
    title: r.title,
    status: r.status,
    failures: r.failures,
    events: r.events,
    openedAt: iso(r.openedAt),
    lastEventAt: iso(r.lastEventAt),
    lastEventId: r.lastEventId,
    lastKind: r.lastKind,
    lastSummary: r.lastSummary,
    errorClass: r.errorClass,
    closedAt: iso(r.closedAt),
    closedByEventId: r.closedByEventId,
    closedSummary: r.closedSummary,
    acknowledgedAt: iso(r.acknowledgedAt),
    acknowledgedBy: r.acknowledgedBy,
    acknowledgedNote: r.acknowledgedNote,
    cause: cause ? { id: cause.id, title: cause.title } : null,
  };
}

/** Each open incident with the open cause that holds it (one read for the page). */
async function withCauses(incidents: IncidentService, rows: IncidentRow[]) {
  const open = rows.filter((r) => r.status === "open").map((r) => r.subject);
  const causes = await incidents.causesOf(open);
  return rows.map((r) => incidentView(r, r.status === "open" ? causes.get(r.subject) : undefined));
}

export type IncidentView = ReturnType<typeof incidentView>;

const IncidentViewSchema = z.lazy(() =>
  z.object({
    id: z.number(),
    subject: z.string(),
    taskId: z.string().nullable(),
    title: z.string(),
    status: z.enum(["open", "closed"]),
    failures: z.number(),
    events: z.number(),
    openedAt: z.string().nullable(),
    lastEventAt: z.string().nullable(),
    lastEventId: z.string(),
    lastKind: z.string(),
    lastSummary: z.string(),
    errorClass: z.string().nullable(),
    closedAt: z.string().nullable(),
    closedByEventId: z.string().nullable(),
    closedSummary: z.string().nullable(),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: z.string().nullable(),
    acknowledgedNote: z.string().nullable(),
    cause: z
      .object({ id: z.number(), title: z.string() })
      .nullable()
      .describe("The open cause this incident is one symptom of (GET /v4/causes/{id}); acknowledging either acknowledges both. null: it is its own cause."),
  }),
);

export function registerIncidentRoutes(router: Router, incidents: IncidentService, deps: { now: () => number }): void {
  router.route(
    {
      method: "get",
      path: "/v4/incidents",
      summary: "List incidents (newest first)",
      description: `Incidents per task: opened by a failure, updated by the next failures, closed by the next success (task.recovered). ${LIST_ANSWER_NOTE}`,
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
          schema: z.object({
            incidents: z.array(IncidentViewSchema),
            truncated: z.boolean().describe("Incidents were left out to keep the answer within about 1 MiB: ask again with after=next"),
            next: z.string().nullable().describe("Pass as `after` for the next page; null: this is the last"),
          }),
        },
      },
    },
    async (c, { query }) => {
      const since = query.sinceHours === undefined ? undefined : deps.now() - query.sinceHours * 3_600_000;
      const rows = await incidents.list({ status: query.status, since, limit: query.limit, ...(query.after ? { after: query.after } : {}) });
      const page = fitAnswer(await withCauses(incidents, rows));
      const last = rows[page.items.length - 1];
      const more = page.truncated || rows.length === query.limit;
      return c.json({ incidents: page.items, truncated: page.truncated, next: more && last ? cursorOf(last) : null });
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

  // A cause's own door (the Causes page, an on-call tool holding the cause's id): the same acknowledgement as an
  // incident's, so both read the same afterwards.
  router.route(
    {
      method: "post",
      path: "/v4/causes/:id/acknowledge",
      summary: "Acknowledge an open cause and every incident it holds",
      description:
        "Says someone is on the cause: it records who, when and an optional note, and every task incident it holds open is acknowledged with it (their further failures stop notifying until they recover). Acknowledging any one of those incidents does the same.",
      tags: ["Alerts"],
      scope: "admin",
      params: z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
      body: z.strictObject({ note: z.string().max(500).optional().describe("What is being done, shown with the cause.") }).prefault({}),
      responses: {
        200: {
          description: "The cause, acknowledged, and its incidents",
          schema: z.object({ cause: z.object({ id: z.number(), title: z.string() }), incidents: z.array(IncidentViewSchema) }),
        },
        409: { description: "The cause is closed or unknown" },
      },
    },
    async (c, { params, body }) => {
      const actor = auditActorOf(c);
      const done = await incidents.acknowledgeCause(params.id, actor.name, body.note);
      if (!done)
        return c.json(
          errorBody(409, "CONFLICT", `cause ${params.id} is not open: it recovered or does not exist, there is nothing to acknowledge`, { field: "id" }),
          409,
        );
      return c.json({ cause: done.cause, incidents: done.incidents.map((r) => incidentView(r, done.cause)) });
    },
  );
}
