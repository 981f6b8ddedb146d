// Control API routes: state, task runs, fault injection, request log, settings, UDP knobs, listener up/down. Each
// group of routes is in its own file; this one lists them and puts them together in the order they match.
import { addCloudControlRoutes } from "../cloud";
import { json } from "../util/http";
import { createRouter } from "../util/router";
import { addAppRoutes, withoutLog } from "./app-routes";
import type { ControlContext, ControlDeps } from "./control-deps";
import { NotFound, parse } from "./control-errors";
import { NODE_ENDPOINTS } from "./node-routes";
import { QUEUE_ENDPOINTS } from "./queue-routes";
import { addSiteAdminRoutes } from "./site-admin-routes";
import { stateSnapshot, taskSummary } from "./summaries";
import { addTaskEditRoutes } from "./task-edit-routes";
import { addExecutionRoutes, addSchedulerRoutes, addTaskRunRoutes } from "./task-run-routes";
import { addListenerRoutes, addRequestAndFaultRoutes, addSettingsAndUdpRoutes } from "./traffic-routes";

export type { ControlContext, ControlDeps } from "./control-deps";
export { BadRequest, NotFound } from "./control-errors";

export function buildControlRouter(deps: ControlDeps) {
  const { repo, runner } = deps;
  const r = createRouter<ControlContext>();
  r.add("GET", "/", () =>
    json(200, {
      endpoints: [
        "GET /health",
        "GET /state",
        "GET /tasks",
        "GET /tasks/{id}",
        "POST /tasks/{id}/run",
        "POST /tasks/{id}/abort",
        "PATCH /tasks/{id}",
        ...NODE_ENDPOINTS,
        ...QUEUE_ENDPOINTS,
        "GET /executions",
        "GET /executions/{id}/scriptlog",
        "GET /apps",
        "PATCH /apps/{id}",
        "GET /apps/{id}/expressions",
        "PUT /apps/{id}/expressions",
        "GET /engine/reloads",
        "GET /requests",
        "DELETE /requests",
        "GET /faults",
        "POST /faults",
        "DELETE /faults",
        "DELETE /faults/{id}",
        "GET /settings",
        "PATCH /settings",
        "GET /udp",
        "PATCH /udp",
        "PUT /udp/targets",
        "PUT /udp/nodes/{node}/targets",
        "DELETE /udp/nodes/{node}/targets",
        "PUT /udp/nodes/{node}/engine",
        "DELETE /udp/sent",
        "POST /listeners/{qrs|engine}/down",
        "POST /listeners/{qrs|engine}/up",
      ],
    }),
  );
  r.add("GET", "/health", () => json(200, { ok: true, qrs: deps.listeners.qrs.isUp(), engine: deps.listeners.engine.isUp() }));
  r.add("GET", "/state", () => json(200, { ...stateSnapshot(repo, runner), engineReloads: deps.engine.reloads.slice(-100).map(withoutLog) }));
  r.add("GET", "/tasks", () =>
    json(
      200,
      [...repo.tasks.values()].map((t) => taskSummary(repo, t)),
    ),
  );
  addSchedulerRoutes(r, deps);
  addTaskRunRoutes(r, deps);
  addExecutionRoutes(r, deps);
  addAppRoutes(r, deps);
  addRequestAndFaultRoutes(r, deps);
  addSettingsAndUdpRoutes(r, deps);
  addSiteAdminRoutes(r, deps);
  addListenerRoutes(r, deps);
  addTaskEditRoutes(
    (m, path, h) => r.add(m, path, (c, p) => h(c, p)),
    repo,
    parse,
    (msg) => new NotFound(msg),
    deps.now,
    (id) => deps.scheduler?.rearm(id),
  );
  if (deps.cloud)
    addCloudControlRoutes(
      (m, path, h) => r.add(m, path, (c, p) => h({ body: c.body, params: p })),
      deps.cloud,
      parse,
      (msg) => new NotFound(msg),
    );
  return r;
}
