// Control API routes: state, task runs, fault injection, request log, settings, UDP knobs, listener up/down.
import { z } from "zod";
import type { EngineReloadRecord, EngineState } from "../engine/state";
import type { Repository } from "../repo/repository";
import { OutcomeSchema } from "../site/schema";
import {
  applySettingsPatch,
  assignPresent,
  parseUdpTarget,
  SimSettingsPatchSchema,
  UdpSettingsPatchSchema,
  UdpTargetSchema,
  type SimSettings,
  type UdpTarget,
} from "../settings";
import type { TaskRunner } from "../tasks/runner";
import { addCloudControlRoutes, type CloudTenant } from "../cloud";
import type { TaskScheduler } from "../tasks/scheduler";
import { FaultInputSchema, type Faults } from "../traffic/faults";
import { expressionMap, ExpressionsSchema } from "../engine/expressions";
import type { RequestLog } from "../traffic/request-log";
import type { UdpEmitter } from "../udp/emitter";
import { findNode, nodeTargetView } from "../udp/node-targets";
import { empty, json, text } from "../util/http";
import type { Listener } from "../util/listener";
import { createRouter } from "../util/router";
import { appSummary, executionSummary, stateSnapshot, taskSummary } from "./summaries";

export interface ControlDeps {
  repo: Repository;
  runner: TaskRunner;
  settings: SimSettings;
  requestLog: RequestLog;
  faults: Faults;
  udp: UdpEmitter;
  engine: EngineState;
  listeners: { qrs: Listener; engine: Listener };
  now: () => number;
  scheduler?: TaskScheduler;
  /** The simulated Qlik Cloud tenant, when started (--cloud-port). */
  cloud?: CloudTenant;
}

export interface ControlContext {
  url: URL;
  body: unknown;
}

const RunSchema = z.strictObject({
  outcome: OutcomeSchema.optional(),
  durationMs: z.int().min(0).optional(),
  user: z.string().min(1).optional(),
  /** Length of the run's script log and the line of its error (failed reloads). */
  scriptLog: z.strictObject({ lines: z.int().min(1).max(1_000_000), errorLine: z.int().min(1).optional() }).optional(),
  /** A successful reload's log shows errors skipped under ErrorMode 0 and tables that loaded 0 rows. */
  logWarnings: z
    .strictObject({
      skippedErrors: z.array(z.string().min(1).max(2_000)).max(100).optional(),
      emptyTables: z.array(z.string().min(1).max(200)).max(100).optional(),
    })
    .optional(),
  /** Node (name, host name or id) that runs this run instead of the task's own, as a load-balancing rule may pick. */
  node: z.string().min(1).optional(),
});
const AbortSchema = z.strictObject({ user: z.string().min(1).optional() });
const TaskPatchSchema = z.strictObject({
  enabled: z.boolean().optional(),
  outcome: OutcomeSchema.optional(),
  durationMs: z.int().min(0).optional(),
  maxRetries: z.int().min(0).max(20).optional(),
});
const AppPatchSchema = z.strictObject({
  reload: z.strictObject({ durationMs: z.int().min(0).optional(), outcome: z.enum(["succeed", "fail"]).optional(), error: z.string().optional() }).optional(),
});
const DownSchema = z.strictObject({ ms: z.int().min(1).optional() });
const LicensePatchSchema = z.strictObject({
  validTo: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  professionalTokens: z.int().min(0).optional(),
  analyzerTokens: z.int().min(0).optional(),
});
const SitePatchSchema = z.strictObject({
  productVersion: z.string().min(1).optional(),
  releaseLabel: z.string().min(1).optional(),
  buildVersion: z.string().min(1).optional(),
});
const UserPatchSchema = z.strictObject({
  access: z.enum(["professional", "analyzer", "none"]).optional(),
  lastUsed: z.iso.datetime().nullable().optional(),
  inactive: z.boolean().optional(),
});
const TargetsSchema = z.array(z.union([UdpTargetSchema, z.string()]));

/** Engine reload records without the (large) log text. */
function withoutLog(r: EngineReloadRecord): Omit<EngineReloadRecord, "scriptLog"> {
  const { scriptLog: _log, ...rest } = r;
  return rest;
}

class BadRequest extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success)
    throw new BadRequest(
      "invalid request body",
      r.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`),
    );
  return r.data;
}

export function buildControlRouter(deps: ControlDeps) {
  const { repo, runner, settings } = deps;
  const r = createRouter<ControlContext>();
  const task = (id: string) => {
    const t = repo.findTask(id);
    if (!t) throw new NotFound(`no task ${id}`);
    return t;
  };
  const node = (ref: string) => {
    const n = findNode(repo.site.nodes, ref);
    if (!n) throw new NotFound(`no node ${ref} (the site's nodes: ${repo.site.nodes.map((x) => x.name).join(", ")})`);
    return n;
  };
  const targetsFrom = (body: unknown): UdpTarget[] =>
    parse(TargetsSchema, body).map((i) => {
      const t = typeof i === "string" ? parseUdpTarget(i) : i;
      if (!t) throw new BadRequest(`invalid UDP target '${String(i)}' (host:port)`);
      return t;
    });
  const udpView = () => ({ ...settings.udp, nodes: nodeTargetView(repo.site.nodes, settings.udp) });
  const listener = (name: string) => {
    if (name !== "qrs" && name !== "engine") throw new NotFound(`no listener ${name} (qrs or engine)`);
    return deps.listeners[name];
  };

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
        "GET /scheduler",
        "POST /scheduler/pause",
        "POST /scheduler/resume",
        "POST /triggers/{id}/fire",
        "POST /nodes/{node}/down",
        "POST /nodes/{node}/up",
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
  const schedulerView = () => ({
    paused: deps.scheduler?.paused() ?? false,
    downNodes: (deps.scheduler?.downNodes() ?? []).map((id) => repo.site.nodes.find((n) => n.id === id)?.name ?? id),
  });
  const needScheduler = () => {
    if (!deps.scheduler) throw new NotFound("this simulator has no scheduler");
    return deps.scheduler;
  };
  r.add("GET", "/scheduler", () => json(200, schedulerView()));
  r.add("POST", "/scheduler/pause", () => (needScheduler().pause(), json(200, schedulerView())));
  r.add("POST", "/scheduler/resume", () => (needScheduler().resume(), json(200, schedulerView())));
  r.add("POST", "/triggers/:id/fire", (_c, p) => {
    const fired = needScheduler().fireTrigger(p.id!);
    if (!fired) throw new NotFound(`no trigger ${p.id} that can fire now (unknown, or the scheduler is paused, or its node is down)`);
    return json(200, { fired: p.id });
  });
  r.add("POST", "/nodes/:node/down", (_c, p) => (needScheduler().setNodeDown(node(p.node!).id, true), json(200, schedulerView())));
  r.add("POST", "/nodes/:node/up", (_c, p) => (needScheduler().setNodeDown(node(p.node!).id, false), json(200, schedulerView())));
  r.add("GET", "/tasks/:id", (_c, p) => json(200, taskSummary(repo, task(p.id!))));
  r.add("POST", "/tasks/:id/run", (c, p) => {
    const t = task(p.id!);
    const b = parse(RunSchema, c.body);
    const runNode = b.node === undefined ? undefined : findNode(repo.site.nodes, b.node);
    if (b.node !== undefined && !runNode) throw new BadRequest(`node: no node '${b.node}' in the site (${repo.site.nodes.map((x) => x.name).join(", ")})`);
    const res = runner.start(t.model.id, {
      ...(runNode ? { nodeId: runNode.id } : {}),
      ...(b.user ? { user: b.user } : {}),
      ...(b.outcome ? { outcome: b.outcome } : {}),
      ...(b.durationMs !== undefined ? { durationMs: b.durationMs } : {}),
      ...(b.scriptLog ? { scriptLog: b.scriptLog } : {}),
      ...(b.logWarnings ? { logWarnings: b.logWarnings } : {}),
    });
    if (!res.started) return json(409, { error: `task not started: ${res.reason}`, reason: res.reason, executionId: res.executionId ?? null });
    return json(201, { executionId: res.executionId, executionResultId: res.executionResultId });
  });
  r.add("POST", "/tasks/:id/abort", (c, p) => {
    const t = task(p.id!);
    const b = parse(AbortSchema, c.body);
    return runner.abort(t.model.id, b.user) ? json(202, { aborting: true }) : json(409, { error: "task is not running" });
  });
  r.add("PATCH", "/tasks/:id", (c, p) => {
    const t = task(p.id!);
    const b = parse(TaskPatchSchema, c.body);
    if (b.enabled !== undefined) t.model.enabled = b.enabled;
    if (b.durationMs !== undefined) t.model.durationMs = b.durationMs;
    if (b.maxRetries !== undefined) t.model.maxRetries = b.maxRetries;
    if (b.outcome !== undefined) {
      t.model.outcome = b.outcome;
      t.failuresLeft = typeof b.outcome === "object" ? b.outcome.failThenSucceed : 0;
    }
    t.modifiedMs = deps.now();
    return json(200, taskSummary(repo, t));
  });

  r.add("GET", "/executions", (c) => {
    const taskId = c.url.searchParams.get("taskId")?.toLowerCase();
    const limit = Number(c.url.searchParams.get("limit") ?? 200);
    const all = [...repo.executions.values()].filter((e) => !taskId || e.taskId === taskId);
    return json(
      200,
      all.slice(-Math.max(1, limit)).map((e) => executionSummary(repo, e)),
    );
  });
  r.add("GET", "/executions/:id/scriptlog", (_c, p) => {
    const e = repo.executions.get(p.id!.toLowerCase());
    if (!e?.scriptLog) throw new NotFound("no script log for that execution result");
    return text(200, e.scriptLog);
  });

  r.add("GET", "/apps", () =>
    json(
      200,
      [...repo.apps.keys()].map((id) => appSummary(repo, id)),
    ),
  );
  r.add("PATCH", "/apps/:id", (c, p) => {
    const a = repo.findApp(p.id!);
    if (!a) throw new NotFound(`no app ${p.id}`);
    const b = parse(AppPatchSchema, c.body);
    if (b.reload) Object.assign(a.model.reload, b.reload);
    return json(200, appSummary(repo, a.model.id));
  });
  r.add("PUT", "/apps/:id/expressions", (c, p) => {
    const a = repo.findApp(p.id!);
    if (!a) throw new NotFound(`no app ${p.id}`);
    a.expressions = expressionMap(parse(ExpressionsSchema, c.body));
    return json(200, { id: a.model.id, expressions: Object.fromEntries(a.expressions) });
  });
  r.add("GET", "/apps/:id/expressions", (_c, p) => {
    const a = repo.findApp(p.id!);
    if (!a) throw new NotFound(`no app ${p.id}`);
    return json(200, { id: a.model.id, expressions: Object.fromEntries(a.expressions) });
  });
  r.add("GET", "/engine/reloads", () => json(200, deps.engine.reloads.map(withoutLog)));

  r.add("GET", "/requests", (c) => {
    const q = c.url.searchParams;
    const source = q.get("source");
    return json(
      200,
      deps.requestLog.list({
        ...(source === "qrs" || source === "engine" || source === "version" ? { source } : {}),
        ...(q.has("sinceSeq") ? { sinceSeq: Number(q.get("sinceSeq")) } : {}),
        ...(q.has("method") ? { method: q.get("method")! } : {}),
        ...(q.has("path") ? { pathContains: q.get("path")! } : {}),
      }),
    );
  });
  r.add("DELETE", "/requests", () => {
    deps.requestLog.clear();
    return empty(204);
  });

  r.add("GET", "/faults", () => json(200, deps.faults.list(deps.now())));
  r.add("POST", "/faults", (c) => json(201, deps.faults.add(parse(FaultInputSchema, c.body), deps.now())));
  r.add("DELETE", "/faults", () => {
    deps.faults.clear();
    return empty(204);
  });
  r.add("DELETE", "/faults/:id", (_c, p) => (deps.faults.remove(p.id!) ? empty(204) : json(404, { error: "no such fault" })));

  r.add("GET", "/settings", () => json(200, settings));
  r.add("PATCH", "/settings", (c) => {
    applySettingsPatch(settings, parse(SimSettingsPatchSchema, c.body), c.body);
    return json(200, settings);
  });
  r.add("GET", "/udp", () => json(200, { settings: udpView(), sent: deps.udp.recent() }));
  r.add("PATCH", "/udp", (c) => {
    assignPresent(settings.udp, parse(UdpSettingsPatchSchema, c.body), (c.body ?? {}) as object);
    return json(200, udpView());
  });
  r.add("PUT", "/udp/targets", (c) => {
    settings.udp.targets = targetsFrom(c.body);
    return json(200, udpView());
  });
  // One node's own appender targets (one Steward per node); an empty list silences that node's appender.
  r.add("PUT", "/udp/nodes/:node/targets", (c, p) => {
    const n = node(p.node!);
    settings.udp.nodeTargets[n.name] = targetsFrom(c.body);
    return json(200, udpView());
  });
  // Back to the site-wide targets for that node.
  r.add("DELETE", "/udp/nodes/:node/targets", (_c, p) => {
    delete settings.udp.nodeTargets[node(p.node!).name];
    return json(200, udpView());
  });
  r.add("DELETE", "/udp/sent", () => {
    deps.udp.clearRecent();
    return empty(204);
  });

  // License, version and user changes, so license and version monitors have something to notice.
  r.add("GET", "/license", () => json(200, { ...repo.site.license, releasedAllocations: [...repo.releasedAllocations] }));
  r.add("PATCH", "/license", (c) => {
    assignPresent(repo.site.license, parse(LicensePatchSchema, c.body), c.body as object);
    return json(200, repo.site.license);
  });
  r.add("GET", "/site", () => json(200, repo.site.info));
  r.add("PATCH", "/site", (c) => {
    assignPresent(repo.site.info, parse(SitePatchSchema, c.body), c.body as object);
    return json(200, repo.site.info);
  });
  const userSummary = (u: (typeof repo.site.users)[number]) => ({
    id: u.id,
    userDirectory: u.userDirectory,
    userId: u.userId,
    access: u.access,
    lastUsed: u.lastUsed ?? null,
    inactive: u.inactive,
  });
  r.add("GET", "/users", () => json(200, repo.site.users.map(userSummary)));
  r.add("PATCH", "/users/:id", (c, p) => {
    const key = p.id!.toLowerCase();
    const u = repo.site.users.find((x) => x.id === key || `${x.userDirectory}\\${x.userId}`.toLowerCase() === key);
    if (!u) throw new NotFound(`no user ${p.id} (id or DIRECTORY\\userId)`);
    const b = parse(UserPatchSchema, c.body);
    if (b.access !== undefined) u.access = b.access;
    if (b.lastUsed !== undefined) u.lastUsed = b.lastUsed ?? undefined;
    if (b.inactive !== undefined) u.inactive = b.inactive;
    return json(200, userSummary(u));
  });

  r.add("POST", "/listeners/:name/down", (c, p) => {
    const l = listener(p.name!);
    const b = parse(DownSchema, c.body);
    l.down(b.ms);
    return json(200, { name: p.name, up: l.isUp(), backInMs: b.ms ?? null });
  });
  r.add("POST", "/listeners/:name/up", (_c, p) => {
    const l = listener(p.name!);
    l.up();
    return json(200, { name: p.name, up: l.isUp() });
  });
  if (deps.cloud)
    addCloudControlRoutes(
      (m, path, h) => r.add(m, path, (c, p) => h({ body: c.body, params: p })),
      deps.cloud,
      parse,
      (msg) => new NotFound(msg),
    );
  return r;
}

export class NotFound extends Error {}
export { BadRequest };
