// Control API: run, abort and change tasks, the Scheduler's and nodes' routes, and read the
// execution results and script logs the runs wrote.
import { z } from "zod";
import type { Repository } from "../repo/repository";
import { type NodeModel, TASK_TYPE_BY_NAME } from "../site/model";
import { OutcomeSchema } from "../site/schema";
import { findNode } from "../udp/node-targets";
import { json, text } from "../util/http";
import type { ControlDeps, ControlRouter } from "./control-deps";
import { BadRequest, NotFound, parse } from "./control-errors";
import { addNodeRoutes } from "./node-routes";
import { addQueueRoutes } from "./queue-routes";
import { executionSummary, taskSummary } from "./summaries";

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
  /** A reload's failing line from now on (a lock on a QVD tonight, a missing field yesterday). */
  scriptError: z.string().min(1).max(2000).optional(),
  /** Who made the change, shown as the task's modifiedByUserName (DIRECTORY\\userId). */
  modifiedBy: z.string().min(1).max(200).optional(),
});

/** The node named by `ref` (name, host name or id), or a 404 listing the site's nodes. */
export function siteNode(repo: Repository, ref: string): NodeModel {
  const n = findNode(repo.site.nodes, ref);
  if (!n) throw new NotFound(`no node ${ref} (the site's nodes: ${repo.site.nodes.map((x) => x.name).join(", ")})`);
  return n;
}

/** The Scheduler's and the nodes' routes (src/sim/control/node-routes.ts), on this router. */
export function addSchedulerRoutes(r: ControlRouter, deps: ControlDeps): void {
  const { repo } = deps;
  addNodeRoutes((m, path, h) => r.add(m, path, (_c, p) => h(p)), {
    repo,
    node: (ref) => siteNode(repo, ref),
    scheduler: deps.scheduler,
    notFound: (m) => new NotFound(m),
  });
  addQueueRoutes(r, deps, (ref) => siteNode(repo, ref));
}

export function addTaskRunRoutes(r: ControlRouter, deps: ControlDeps): void {
  const { repo, runner } = deps;
  const task = (id: string) => {
    const t = repo.findTask(id);
    if (!t) throw new NotFound(`no task ${id}`);
    return t;
  };
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
    if (b.scriptError !== undefined && t.model.taskType === TASK_TYPE_BY_NAME.reload) t.model.scriptError = b.scriptError;
    if (b.modifiedBy !== undefined) t.model.modifiedByUserName = b.modifiedBy;
    if (b.outcome !== undefined) {
      t.model.outcome = b.outcome;
      t.failuresLeft = typeof b.outcome === "object" ? b.outcome.failThenSucceed : 0;
    }
    t.modifiedMs = deps.now();
    return json(200, taskSummary(repo, t));
  });
}

export function addExecutionRoutes(r: ControlRouter, deps: ControlDeps): void {
  const { repo } = deps;
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
}
