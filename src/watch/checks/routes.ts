// REST view of the data checks (what the dashboard shows): the configured checks with each app's latest
// values, one app's history and runs, and one run with its values.
import { ANSWER_BUDGET_BYTES, fitAnswer, LIST_ANSWER_NOTE } from "../../platform/http/answer-budget";
import { z } from "zod";
import type { DataChecksConfig } from "./config";
import { AppError } from "../../platform/core/errors";
import type { Router } from "../../platform/http/route";
import type { CheckStore, RunRow, StoredValue } from "./check-store";

const publicRun = (r: RunRow) => ({
  runId: r.runId,
  appId: r.appId,
  appName: r.doc.app.name,
  reload: r.doc.reload,
  task: r.doc.task ? { id: r.doc.task.id, name: r.doc.task.name } : null,
  checks: r.doc.checks,
  status: r.status,
  verdict: r.verdict,
  holdBack: r.doc.holdBack ?? null,
  error: r.doc.error ?? null,
  engineHost: r.doc.host ?? null,
  owner: r.owner,
  createdAt: new Date(r.createdAt).toISOString(),
  finishedAt: r.finishedAt === null ? null : new Date(r.finishedAt).toISOString(),
});

const publicValue = (v: StoredValue) => ({
  check: v.check,
  runId: v.runId,
  at: new Date(v.at).toISOString(),
  status: v.status,
  value: v.value,
  previous: v.previous,
  expect: v.expect,
  resolved: v.resolved,
  message: v.message,
  expression: v.expression,
});

export function registerDataCheckRoutes(router: Router, deps: { cfg: DataChecksConfig | undefined; store: CheckStore | undefined }): void {
  const store = () => {
    if (!deps.store || !deps.cfg?.enabled) throw new AppError("UNAVAILABLE", "data checks are not configured (dataChecks:)");
    return deps.store;
  };
  router.route(
    {
      method: "get",
      path: "/v4/data-checks",
      summary: "Data checks: the configured checks and each app's latest values",
      tags: ["data checks"],
      scope: "read",
      responses: { 200: { description: "checks and apps" }, 503: { description: "dataChecks is not configured" } },
    },
    async (c) => {
      const s = store();
      const [latest, runs] = await Promise.all([s.latest(), s.runs({ limit: 200 })]);
      const names = new Map(runs.map((r) => [r.appId, r.doc.app.name]));
      const apps = new Map<
        string,
        { appId: string; appName: string; lastRun: ReturnType<typeof publicRun> | null; checks: ReturnType<typeof publicValue>[] }
      >();
      for (const v of latest) {
        const a = apps.get(v.appId) ?? { appId: v.appId, appName: names.get(v.appId) ?? v.appId, lastRun: null, checks: [] };
        a.checks.push(publicValue(v));
        apps.set(v.appId, a);
      }
      for (const r of runs) {
        const a = apps.get(r.appId);
        if (a && !a.lastRun) a.lastRun = publicRun(r);
      }
      const cfg = deps.cfg!;
      return c.json({
        checks: cfg.checks.map((x) => ({
          name: x.name,
          expression: x.expression,
          expect: x.expect,
          severity: x.severity,
          ...(x.description ? { description: x.description } : {}),
        })),
        apps: [...apps.values()].sort((a, b) => a.appName.localeCompare(b.appName)),
      });
    },
  );

  router.route(
    {
      method: "get",
      path: "/v4/data-checks/apps/:appId",
      summary: "One app's data check values (newest first) and recent runs",
      tags: ["data checks"],
      scope: "read",
      params: z.object({ appId: z.string().min(1).max(100) }),
      query: z.object({ check: z.string().min(1).max(100).optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) }),
      responses: {
        200: { description: `values and runs; truncated: rows were left out past about 1 MiB. ${LIST_ANSWER_NOTE}` },
        503: { description: "dataChecks is not configured" },
      },
    },
    async (c, { params, query }) => {
      const s = store();
      const [values, runs] = await Promise.all([s.history(params.appId, query.check, query.limit), s.runs({ appId: params.appId, limit: 50 })]);
      const page = fitAnswer(values.map(publicValue), { budget: ANSWER_BUDGET_BYTES / 2 });
      const recent = fitAnswer(runs.map(publicRun), { budget: ANSWER_BUDGET_BYTES / 2 });
      return c.json({
        appId: params.appId.toLowerCase(),
        appName: runs[0]?.doc.app.name ?? null,
        values: page.items,
        runs: recent.items,
        truncated: page.truncated || recent.truncated,
      });
    },
  );

  router.route(
    {
      method: "get",
      path: "/v4/data-checks/runs/:runId",
      summary: "One data check run (one per reload) with its values",
      tags: ["data checks"],
      scope: "read",
      params: z.object({ runId: z.string().min(1).max(200) }),
      responses: { 200: { description: "the run" }, 404: { description: "no such run" }, 503: { description: "dataChecks is not configured" } },
    },
    async (c, { params }) => {
      const s = store();
      const run = await s.getRun(params.runId);
      if (!run) throw new AppError("NOT_FOUND", `no data check run ${params.runId}`);
      return c.json({ ...publicRun(run), values: (await s.values(run.runId)).map(publicValue) });
    },
  );
}
