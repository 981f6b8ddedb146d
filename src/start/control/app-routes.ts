// App routes through the Engine API: reload as a job (PUT /v4/app/{appId}/reload → 201 as in Butler, GET
// /v4/app/reloads/{jobId}), dump (/v4/app/{appId}/dump, /v4/senseappdump/{appId}) and list (/v4/apps/list, /v4/senselistapps).
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { auditActorOf } from "../../platform/http/audit-actor";
import { z } from "zod";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { AppDumper } from "./app-dump";
import type { AppReloader } from "./app-reloader";
import { AppError, describeError } from "../../platform/core/errors";
import { butlerBoolean, butlerInteger } from "../../platform/core/butler-values";
import type { Router } from "../../platform/http/route";

export interface AppRouteDeps {
  reloader: AppReloader | undefined;
  dumper: AppDumper | undefined;
  audit: AuditLog;
}

/** Butler's ReloadSenseApp sub sends `"partialReload":"false"` and may send the mode as text: both are taken. */
const ReloadBodySchema = z.lazy(() =>
  z
    .strictObject({
      reloadMode: butlerInteger
        .pipe(z.union([z.literal(0), z.literal(1), z.literal(2)]))
        .default(0)
        .describe("0 default, 1 abort on error (ABEND), 2 ignore errors (a number or its text)."),
      partialReload: butlerBoolean.default(false).describe('Partial reload (only Add/Replace/Merge statements run); true/false or "true"/"false".'),
      startQSEoWTaskOnSuccess: z.array(z.string()).default([]).describe("Task ids started after a successful reload and save."),
      startQSEoWTaskOnFailure: z.array(z.string()).default([]).describe("Task ids started after a failed reload."),
    })
    .prefault({}),
);

const ErrorSchema = z.lazy(() => z.object({ error: z.string(), code: z.string(), details: z.unknown().optional() }));
const JobSchema = z.lazy(() => z.object({ jobId: z.string(), appId: z.string(), status: z.string(), phase: z.string() }).loose());
const AppIdParams = z.lazy(() => z.object({ appId: z.string().min(1) }));

const notConfigured = () => new AppError("UNAVAILABLE", "no Qlik Sense connection is configured (add a qlik: section with host and certDir)");

export function registerAppRoutes(router: Router, deps: AppRouteDeps): void {
  router.route(
    {
      method: "put",
      path: "/v4/app/:appId/reload",
      summary: "Reload an app through the Engine (as a job)",
      description:
        "Answers 201 (Butler's status) with the appId and a job id at once; follow it at /v4/app/reloads/{jobId}. On success the app is saved and the on-success tasks start; on failure the on-failure tasks start. Chained starts go through the start allowlist.",
      tags: ["apps"],
      scope: "apps",
      butlerFlag: "senseAppReload",
      params: AppIdParams,
      body: ReloadBodySchema.optional(),
      responses: {
        201: { description: "Reload job accepted (Butler answered 201 {appId} too).", schema: JobSchema },
        400: { description: "Invalid app or task id, or a malformed body.", schema: ErrorSchema },
        503: { description: "No Qlik connection configured.", schema: ErrorSchema },
      },
    },
    async (c, { params, body }) => {
      if (!deps.reloader) throw notConfigured();
      const b = body ?? ReloadBodySchema.parse({});
      const job = await deps.reloader.submit(params.appId, b, auditActorOf(c));
      return c.json({ ...job, statusUrl: `/v4/app/reloads/${job.jobId}` }, 201);
    },
  );

  router.route(
    {
      method: "get",
      path: "/v4/app/reloads/:jobId",
      summary: "Progress and outcome of an app reload job",
      tags: ["apps"],
      scope: "apps",
      butlerFlag: "senseAppReload",
      params: z.object({ jobId: z.string().min(1) }),
      responses: { 200: { description: "The job.", schema: JobSchema }, 404: { description: "No such job.", schema: ErrorSchema } },
    },
    async (c, { params }) => {
      if (!deps.reloader) throw notConfigured();
      const job = await deps.reloader.get(params.jobId);
      if (!job) throw new AppError("NOT_FOUND", `no reload job ${params.jobId}`);
      return c.json(job);
    },
  );

  router.route(
    {
      method: "get",
      path: "/v4/app/reloads",
      summary: "Recent app reload jobs, newest first",
      tags: ["apps"],
      scope: "apps",
      butlerFlag: "senseAppReload",
      query: z.object({ appId: z.string().optional(), limit: z.coerce.number().int().min(1).max(500).optional() }),
      responses: { 200: { description: "Jobs.", schema: () => z.object({ jobs: z.array(JobSchema) }) } },
    },
    async (c, { query }) => {
      if (!deps.reloader) throw notConfigured();
      return c.json({ jobs: await deps.reloader.list({ appId: query.appId?.toLowerCase(), limit: query.limit }) });
    },
  );

  for (const path of ["/v4/app/:appId/dump", "/v4/senseappdump/:appId"]) {
    router.route(
      {
        method: "get",
        path,
        summary: path.startsWith("/v4/app/") ? "Dump an app as JSON" : "Dump an app as JSON (Butler's older path)",
        description:
          "Every section of the app: properties, load script, lineage, sheets, stories, master objects, app properties, dimensions, measures, bookmarks, embedded media, snapshots, fields, data connections (with connection strings) and variables.",
        tags: ["apps"],
        scope: "apps",
        butlerFlag: "senseAppDump",
        params: AppIdParams,
        responses: {
          200: { description: "The app.", schema: () => z.object({ appId: z.string(), properties: z.unknown(), loadScript: z.string() }).loose() },
          404: { description: "No such app.", schema: ErrorSchema },
        },
      },
      async (c, { params }) => {
        if (!deps.dumper) throw notConfigured();
        const actor = auditActorOf(c);
        try {
          const dump = await deps.dumper.dump(params.appId);
          deps.audit.record({
            actor,
            action: "app.dump",
            target: params.appId,
            result: "ok",
            details: { sheets: dump.sheets.length, dataconnections: dump.dataconnections.length },
          });
          return c.json(dump);
        } catch (err) {
          deps.audit.record({ actor, action: "app.dump", target: params.appId.slice(0, 100), result: "failed", details: { error: describeError(err) } });
          throw err;
        }
      },
    );
  }

  for (const path of ["/v4/apps/list", "/v4/senselistapps"]) {
    router.route(
      {
        method: "get",
        path,
        summary: path === "/v4/apps/list" ? "List the apps on the Qlik site" : "List the apps on the Qlik site (Butler's older path)",
        tags: ["apps"],
        scope: "apps",
        butlerFlag: "senseListApps",
        responses: { 200: { description: "Apps (Engine GetDocList).", schema: () => z.array(z.object({ id: z.string(), name: z.string() }).loose()) } },
      },
      async (c) => {
        if (!deps.dumper) throw notConfigured();
        return c.json(await deps.dumper.listApps());
      },
    );
  }
}
