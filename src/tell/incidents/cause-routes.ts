// REST surface of an incident's cause (one incident per cause, issue 74): what needs someone now grouped by cause, and
// acknowledging a cause with every incident it holds. The incidents service reads the causes through tell/grouping.
import { z } from "zod";
import { fitGroups } from "../../platform/http/answer-budget";
import { auditActorOf } from "../../platform/http/audit-actor";
import { errorBody } from "../../platform/http/errors";
import type { Router } from "../../platform/http/route";
import { IncidentViewSchema, incidentView, iso } from "./incident-view";
import type { OpenCause } from "./incident-causes";
import type { IncidentService } from "./service";

export function registerIncidentCauseRoutes(router: Router, incidents: IncidentService): void {
  router.route(
    {
      method: "get",
      path: "/v4/incidents/by-cause",
      summary: "What needs someone now: the open incidents, one entry per cause",
      description:
        "Each open cause (a source down, a node gone, a failed upstream, a queue backed up) with the open task incidents it holds, oldest first; each ended cause whose tasks still fail (a queue that emptied after Qlik cancelled their runs: `status: closed`); then each open incident no cause explains: a task failing for its own reason is a cause of one (`cause: null`). The dashboard's Incidents page shows this list. An answer holds about 1 MiB at most: past it `truncated` is true and `omitted` counts the open incidents left out (`GET /v4/incidents?status=open` pages through all of them); each text is cut at 2,000 characters (the one-item route keeps it whole).",
      tags: ["Alerts"],
      scope: "read",
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(200) }),
      responses: {
        200: {
          description: "One entry per cause",
          schema: () =>
            z.object({
              causes: z.array(
                z.object({
                  cause: z
                    .object({
                      id: z.number(),
                      title: z.string(),
                      status: z.enum(["open", "closed"]).describe("closed: the cause ended (a queue emptied) while these tasks still wait for a good run"),
                      openedAt: z.string(),
                      closedAt: z.string().nullable(),
                      acknowledgedAt: z.string().nullable(),
                      acknowledgedBy: z.string().nullable(),
                      acknowledgedNote: z.string().nullable(),
                    })
                    .nullable()
                    .describe("null: the incident is its own cause"),
                  incidents: z.array(IncidentViewSchema),
                }),
              ),
              truncated: z
                .boolean()
                .describe("Incidents were left out to keep the answer within about 1 MiB: GET /v4/incidents?status=open pages through them all"),
              omitted: z.number().int().describe("How many of the open incidents read (at most `limit`) were left out: 0 unless truncated"),
            }),
        },
      },
    },
    async (c, { query }) => {
      const entries = await incidents.openByCause(query.limit);
      const holds = await incidents.holdsOf(entries.flatMap((e) => e.incidents));
      const page = fitGroups(entries.map((e) => ({ head: causeHead(e.cause), rows: e.incidents.map((r) => incidentView(r, e.cause, holds.get(r.id))) })));
      return c.json({ causes: page.groups.map((g) => ({ cause: g.head, incidents: g.rows })), truncated: page.truncated, omitted: page.omitted });
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
          schema: () => z.object({ cause: z.object({ id: z.number(), title: z.string() }), incidents: z.array(IncidentViewSchema) }),
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

/** A cause as the list shows it above its incidents; null for an incident that is its own cause. */
function causeHead(cause: OpenCause | undefined) {
  return cause
    ? {
        id: cause.id,
        title: cause.title,
        status: cause.status,
        openedAt: iso(cause.openedAt)!,
        closedAt: iso(cause.closedAt),
        acknowledgedAt: iso(cause.acknowledgedAt),
        acknowledgedBy: cause.acknowledgedBy,
        acknowledgedNote: cause.acknowledgedNote,
      }
    : null;
}
