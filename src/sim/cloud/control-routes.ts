// Control API of the simulated Qlik Cloud tenant: run a reload to an outcome, list the reloads, add, change, pause
// or skip scheduled tasks, change the rate limits and switch a misbehaviour on or off (documented in src/sim/README.md).
import { z } from "zod";
import { json } from "../util/http";
import { renderRun as renderQlikRun } from "./scheduling-api";
import type { CloudTask, CloudTaskRun } from "./scheduling";
import type { CloudTenant } from "./tenant";
import { addAutomationControlRoutes } from "./automation-control";
import { addDataTaskControlRoutes } from "./data-task-control";

const RunSchema = z.strictObject({
  appId: z.string().min(1),
  outcome: z.enum(["succeed", "fail", "cancel"]).default("fail"),
  type: z.enum(["hub", "chronos", "external", "automations"]).optional(),
  partial: z.boolean().optional(),
});
const TriggerSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("time") }),
  z.strictObject({ type: z.literal("task"), upstreamId: z.string().min(1), on: z.enum(["succeeded", "failed", "any"]) }),
  z.strictObject({ type: z.literal("dataset"), datasetId: z.string().min(1) }),
]);
const TaskSchema = z.strictObject({
  name: z.string().min(1),
  appId: z.string().min(1),
  // Stored as given (not validated), so a test can serve a definition Steward cannot read; empty for event triggers.
  recurrence: z.array(z.string()).default([]),
  trigger: TriggerSchema.optional(),
  timezone: z.string().optional(),
  startDateTime: z.string().optional(),
  endDateTime: z.string().optional(),
  enabled: z.boolean().optional(),
  outcome: z.enum(["succeed", "fail", "cancel"]).optional(),
});
const TaskPatchSchema = z.strictObject({
  name: z.string().min(1).optional(),
  enabled: z.boolean().optional(),
  paused: z.boolean().optional(),
  skipNext: z.int().min(0).max(10_000).optional(),
  recurrence: z.array(z.string()).min(1).optional(),
  timezone: z.string().optional(),
  outcome: z.enum(["succeed", "fail", "cancel"]).optional(),
  /** What its failing runs' logs say: the data connection the script opens, and the error line. */
  failure: z.strictObject({ connection: z.string().min(1).max(200).optional(), error: z.string().min(1).max(500) }).optional(),
  /** Who made the change (a user id; Qlik's updatedBy). */
  updatedBy: z.string().min(1).max(200).optional(),
  /** With `enabled: false`: why Qlik says it is disabled (metadata.disabledCode; MANUALLY when not given). */
  disabledCode: z.string().min(1).max(40).optional(),
  /** The task's space ("" a personal space, as Qlik's example shows it). */
  spaceId: z.string().max(200).optional(),
});
const DatasetSchema = z.strictObject({ starts: z.int().min(1).max(10).default(1) });
const SettingsSchema = z.strictObject({
  rateLimitPerMinute: z.int().min(1).optional(),
  schedulingRateLimitPerMinute: z.int().min(1).optional(),
  tokenLifetimeSeconds: z.int().min(1).max(86_400).optional(),
  retryAfterSeconds: z.int().min(0).max(3600).optional(),
  apiKeyExpiry: z.iso.datetime().nullable().optional(),
  misbehave: z.enum(["html", "truncated", "unknownStatus", "unreadableEntry", "endlessCursor"]).nullable().optional(),
  disableAfterFailures: z.int().min(0).max(100).optional(),
  automationsForbidden: z.boolean().optional(),
  listAllRefused: z.boolean().optional(),
  workflowsApi: z.boolean().optional(),
});

type Add = (method: string, path: string, handler: (c: { body: unknown; params: Record<string, string | undefined> }) => Response) => void;
type Parse = <T>(schema: z.ZodType<T>, body: unknown) => T;

/** A run as the control API shows it: Qlik's shape and the reload behind it by its own name. */
const renderRun = (r: CloudTaskRun) => ({ ...renderQlikRun(r), reloadId: r.reloadId });

export function addCloudControlRoutes(add: Add, tenant: CloudTenant, parse: Parse, notFound: (message: string) => Error): void {
  add("POST", "/cloud/reloads", (c) => {
    const b = parse(RunSchema, c.body);
    if (!tenant.apps.has(b.appId.toLowerCase())) throw notFound(`no app ${b.appId} in the site file (the tenant's apps are the site's)`);
    const r = tenant.runReload(b.appId, b.outcome, { ...(b.type ? { type: b.type } : {}), ...(b.partial !== undefined ? { partial: b.partial } : {}) });
    return json(201, { id: r.id, appId: r.appId, status: r.status, type: r.type, outcome: b.outcome });
  });
  add("GET", "/cloud/reloads", () =>
    json(
      200,
      tenant.reloads.map((r) => ({ id: r.id, appId: r.appId, status: r.status, type: r.type })),
    ),
  );
  const view = (t: CloudTask) => ({
    ...t,
    createdAt: new Date(t.createdAt).toISOString(),
    updatedAt: new Date(t.updatedAt).toISOString(),
    nextRun: t.nextRunMs !== undefined ? new Date(t.nextRunMs).toISOString() : null,
    runs: tenant.scheduling.runs.filter((r) => r.taskId === t.id).length,
  });
  const task = (id: string) => {
    const t = tenant.scheduling.tasks.find((x) => x.id === id);
    if (!t) throw notFound(`no Cloud task ${id}`);
    return t;
  };
  add("GET", "/cloud/tasks", () => json(200, tenant.scheduling.tasks.map(view)));
  add("POST", "/cloud/tasks", (c) => {
    const b = parse(TaskSchema, c.body);
    if (!tenant.apps.has(b.appId.toLowerCase())) throw notFound(`no app ${b.appId} in the site file (the tenant's apps are the site's)`);
    if (b.trigger?.type === "task" && !tenant.scheduling.tasks.some((x) => x.id === (b.trigger as { upstreamId: string }).upstreamId))
      throw notFound(`no Cloud task ${b.trigger.upstreamId} to chain on`);
    // A time-scheduled task needs its recurrence lines (a 400 naming the field).
    if ((b.trigger ?? { type: "time" }).type === "time") parse(z.object({ recurrence: z.array(z.string()).min(1) }), { recurrence: b.recurrence });
    const { trigger, ...rest } = b;
    const t = tenant.scheduling.add({ ...rest, appId: b.appId.toLowerCase(), ...(trigger ? { trigger } : {}) });
    return json(201, view(t));
  });
  add("PATCH", "/cloud/tasks/:id", (c) => {
    const t = task(c.params.id!);
    tenant.scheduling.update(t.id, parse(TaskPatchSchema, c.body));
    return json(200, view(t));
  });
  add("DELETE", "/cloud/tasks/:id", (c) => {
    tenant.scheduling.remove(task(c.params.id!).id);
    return json(200, { deleted: c.params.id });
  });
  add("POST", "/cloud/tasks/:id/run", (c) => json(201, renderRun(tenant.scheduling.startNow(task(c.params.id!).id)!)));
  add("GET", "/cloud/task-runs", () => json(200, tenant.scheduling.runs.map(renderRun)));
  add("POST", "/cloud/datasets/:id/updated", (c) =>
    json(201, tenant.scheduling.datasetUpdated(c.params.id!, parse(DatasetSchema, c.body).starts).map(renderRun)),
  );
  add("POST", "/cloud/scheduler/pause", () => (tenant.scheduling.pauseAll(true), json(200, { paused: true })));
  add("POST", "/cloud/scheduler/resume", () => (tenant.scheduling.pauseAll(false), json(200, { paused: false })));
  addAutomationControlRoutes(add, tenant, parse, notFound);
  addDataTaskControlRoutes(add, tenant, parse, notFound);
  add("GET", "/cloud/settings", () => json(200, tenant.settings));
  add("PATCH", "/cloud/settings", (c) => {
    const b = parse(SettingsSchema, c.body);
    if (b.rateLimitPerMinute !== undefined) tenant.settings.rateLimitPerMinute = b.rateLimitPerMinute;
    if (b.schedulingRateLimitPerMinute !== undefined) tenant.settings.schedulingRateLimitPerMinute = b.schedulingRateLimitPerMinute;
    if (b.tokenLifetimeSeconds !== undefined) tenant.settings.tokenLifetimeSeconds = b.tokenLifetimeSeconds;
    if (b.retryAfterSeconds !== undefined) tenant.settings.retryAfterSeconds = b.retryAfterSeconds;
    if (b.misbehave !== undefined) tenant.settings.misbehave = b.misbehave;
    if (b.apiKeyExpiry !== undefined) tenant.settings.apiKeyExpiry = b.apiKeyExpiry;
    if (b.disableAfterFailures !== undefined) tenant.settings.disableAfterFailures = b.disableAfterFailures;
    if (b.workflowsApi !== undefined) tenant.settings.workflowsApi = b.workflowsApi;
    if (b.automationsForbidden !== undefined) tenant.settings.automationsForbidden = b.automationsForbidden;
    if (b.listAllRefused !== undefined) tenant.settings.listAllRefused = b.listAllRefused;
    return json(200, tenant.settings);
  });
}
