// Butler-compatible schedule routes (/v4/schedules list/get, create, delete, start, stop, startall, stopall,
// status) plus update, bulk start/stop by id or tag, and import of Butler's schedule file. Fixed paths are
// registered before /:id ones so "startall" is never read as a schedule id.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { auditActorOf } from "../../platform/http/audit-actor";
import { z } from "zod";
import { AppError } from "../../platform/core/errors";
import type { Router } from "../../platform/http/route";
import { ScheduleInputSchema, ScheduleUpdateSchema } from "./schedule-model";
import { BulkSelectorSchema, type Scheduler } from "./scheduler";

const IdParamsSchema = z.lazy(() => z.strictObject({ id: z.string().min(1) }));
const ScheduleSchema = z.lazy(() =>
  z.looseObject({
    id: z.string(),
    name: z.string(),
    cronSchedule: z.string().optional(),
    timezone: z.string(),
    qlikSenseTaskId: z.string(),
    startupState: z.string(),
    tags: z.array(z.string()),
    created: z.string(),
    lastKnownState: z.enum(["started", "stopped"]),
    nextRun: z.string().nullable(),
  }),
);
const notFound = { 404: { description: "no schedule with this id" } };

const base = { tags: ["schedules"], scope: "schedules" as const };

export function registerScheduleRoutes(router: Router, scheduler: Scheduler): void {
  // Fixed paths first, so "startall" or "import" is never read as a schedule id.
  registerListAndCreate(router, scheduler);
  registerBulkRoutes(router, scheduler);
  registerOneScheduleRoutes(router, scheduler);
}

/** The list (or one by ?id=), the status text and create. */
function registerListAndCreate(router: Router, scheduler: Scheduler): void {
  router.route(
    {
      ...base,
      method: "get",
      path: "/v4/schedules",
      summary: "All schedules, or the one with ?id= (as a one-element list)",
      butlerFlag: "getSchedule",
      query: z.object({ id: z.string().min(1).optional() }),
      responses: { 200: { description: "schedules", schema: () => z.array(ScheduleSchema) }, ...notFound },
    },
    async (c, { query }) => {
      if (query.id === undefined) return c.json(await scheduler.list());
      const s = await scheduler.get(query.id);
      if (!s) throw new AppError("NOT_FOUND", `schedule '${query.id}' not found`, { details: { id: query.id } });
      return c.json([s]);
    },
  );

  router.route(
    {
      ...base,
      method: "get",
      path: "/v4/schedules/status",
      summary: "Running/Stopped per schedule, as text (Butler's cron-manager format)",
      butlerFlag: "getScheduleStatusAll",
      responses: { 200: { description: "one line per schedule", contentType: "text/plain" } },
    },
    async (c) => c.text(await scheduler.statusText()),
  );

  router.route(
    {
      ...base,
      method: "post",
      path: "/v4/schedules",
      summary: "Create a schedule (cron or event trigger)",
      description:
        "Butler's body (name, cronSchedule, timezone, qlikSenseTaskId, startupState, tags) plus startDate, endDate, timeWindow {from,to}, catchUp and trigger {on, taskIds, taskTags}. An invalid cron or time zone is a 400 naming the field.",
      butlerFlag: "createNewSchedule",
      body: ScheduleInputSchema,
      responses: {
        201: { description: "the new schedule", schema: ScheduleSchema },
        400: { description: "invalid field" },
        409: { description: "scheduler.maxSchedules reached" },
      },
    },
    async (c, { body }) => c.json(await scheduler.create(body, auditActorOf(c)), 201),
  );
}

/** Start or stop all or a selection of schedules, and import Butler's schedule file. */
function registerBulkRoutes(router: Router, scheduler: Scheduler): void {
  for (const [word, state, flag] of [
    ["startall", "started", "startSchedule"],
    ["stopall", "stopped", "stopSchedule"],
  ] as const) {
    router.route(
      {
        ...base,
        method: "put",
        path: `/v4/schedules/${word}`,
        summary: `${state === "started" ? "Start" : "Stop"} every schedule`,
        butlerFlag: flag,
        responses: { 200: { description: "all schedules", schema: () => z.array(ScheduleSchema) } },
      },
      async (c) => c.json(await scheduler.setAll(state, auditActorOf(c))),
    );
    router.route(
      {
        ...base,
        method: "put",
        path: `/v4/schedules/bulk/${state === "started" ? "start" : "stop"}`,
        summary: `${state === "started" ? "Start" : "Stop"} the schedules with the given ids and/or tags`,
        description: "All or nothing: an unknown id is a 404 and changes nothing. State persists across restarts.",
        body: BulkSelectorSchema,
        responses: { 200: { description: "the affected schedules", schema: () => z.array(ScheduleSchema) }, ...notFound },
      },
      async (c, { body }) => c.json(await scheduler.setMany(body, state, auditActorOf(c))),
    );
  }

  router.route(
    {
      ...base,
      method: "post",
      path: "/v4/schedules/import",
      summary: "Import Butler's schedule file (YAML with the root key butlerSchedule)",
      description:
        "Send the file as the request body. Ids, created and lastKnownState are kept. ?onConflict=replace replaces schedules with the same id (default: skip them). Nothing is imported unless every entry is valid.",
      query: z.object({ onConflict: z.enum(["skip", "replace"]).default("skip") }),
      responses: {
        200: {
          description: "what was imported, replaced and skipped",
          schema: () =>
            z.object({
              imported: z.array(ScheduleSchema),
              replaced: z.array(z.string()),
              skipped: z.array(z.object({ id: z.string(), reason: z.string() })),
            }),
        },
        400: { description: "FILE:LINE:COL path: message per problem" },
      },
    },
    async (c, { query }) => {
      const text = await c.req.text();
      if (text.trim() === "") throw new AppError("BAD_REQUEST", "body: send the schedule file (YAML) as the request body");
      return c.json(await scheduler.importButler(text, "request body", query.onConflict, auditActorOf(c)));
    },
  );
}

/** Update, delete, start and stop one schedule by id. */
function registerOneScheduleRoutes(router: Router, scheduler: Scheduler): void {
  router.route(
    {
      ...base,
      method: "put",
      path: "/v4/schedules/:id",
      summary: "Update a schedule (fields given replace the stored ones; null clears an optional one)",
      butlerFlag: "updateSchedule",
      params: IdParamsSchema,
      body: ScheduleUpdateSchema,
      responses: { 200: { description: "the updated schedule", schema: ScheduleSchema }, 400: { description: "invalid field" }, ...notFound },
    },
    async (c, { params, body }) => c.json(await scheduler.update(params.id, body ?? {}, auditActorOf(c))),
  );

  router.route(
    {
      ...base,
      method: "delete",
      path: "/v4/schedules/:id",
      summary: "Delete a schedule",
      butlerFlag: "deleteSchedule",
      params: IdParamsSchema,
      responses: { 204: { description: "deleted" }, ...notFound },
    },
    async (c, { params }) => {
      await scheduler.remove(params.id, auditActorOf(c));
      return c.body(null, 204);
    },
  );

  for (const [word, state, flag] of [
    ["start", "started", "startSchedule"],
    ["stop", "stopped", "stopSchedule"],
  ] as const) {
    router.route(
      {
        ...base,
        method: "put",
        path: `/v4/schedules/:id/${word}`,
        summary: `${word === "start" ? "Start (enable)" : "Stop (disable)"} one schedule; the state persists across restarts`,
        butlerFlag: flag,
        params: IdParamsSchema,
        responses: { 200: { description: "the schedule, in a one-element list", schema: () => z.array(ScheduleSchema) }, ...notFound },
      },
      async (c, { params }) => c.json([await scheduler.setState(params.id, state, auditActorOf(c))]),
    );
  }
}
