// The simulated tenant's Scheduling Tasks API (`/api/scheduling/tasks…`): the task list with cursor paging, sort
// and a SCIM filter, one task's full definition, its runs (newest first), the last run, a resource's runs, a run's
// log and a manual start. Documented parts and inferred ones are listed in src/sim/README.md.
import type { CorrelationDef, OrchRun, OrchRunBase, Task, TaskMetadata } from "@qlik/api/scheduling/tasks";
import { json, text } from "../util/http";
import type { CloudScheduling, CloudTask, CloudTaskRun } from "./scheduling";
import type { CloudTenant } from "./tenant";

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const apiError = (status: number, title: string, code: string) => json(status, { errors: [{ title, code, status: String(status) }] });

function lastRun(s: CloudScheduling, taskId: string): CloudTaskRun | undefined {
  let last: CloudTaskRun | undefined;
  for (const r of s.runs) if (r.taskId === taskId && (!last || r.startedAt >= last.startedAt)) last = r;
  return last;
}

/**
 * A task's metadata as Qlik's TaskMetadata, with every field of Qlik's example but those that are there only in a
 * state the task is not in (`disabledCode` when disabled, `deletedAt` when deleted, `migratedFrom` when migrated from
 * a reload task) and `trigger`, whose type numbers (0–4) Qlik does not explain. `updatedBy` is not in the type: it
 * sits beside `updatedAt` (inferred: the list's filter names it).
 */
function metadataOf(s: CloudScheduling, t: CloudTask, tenantId: string, appName?: string): TaskMetadata & { updatedBy: string } {
  const last = lastRun(s, t.id);
  return {
    tenantId,
    spaceId: t.spaceId,
    spaceType: t.spaceId ? "shared" : "personal",
    ownerId: t.ownerId,
    createdBy: t.ownerId,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
    updatedBy: t.updatedBy,
    resourceType: "app",
    resourceSubType: "script",
    ...(appName !== undefined ? { resourceName: appName } : {}),
    // The app's script runs as the task's owner (the sim's apps have one owner).
    scriptOwnerId: t.ownerId,
    usage: "ANALYTICS",
    topology: {
      isChild: t.trigger.type === "task",
      isParent: s.tasks.some((x) => x.trigger.type === "task" && x.trigger.upstreamId === t.id),
    },
    ...(!t.enabled && t.disabledCode ? { disabledCode: t.disabledCode as NonNullable<TaskMetadata["disabledCode"]> } : {}),
    orchestration: {
      id: `${t.id}-orch`,
      type: 3,
      ...(last
        ? {
            attrs: {
              last_run_status: qlikStatus(last.status),
              last_run_startedAt: iso(last.startedAt)!,
              ...(last.endedAt !== undefined ? { last_run_endedAt: iso(last.endedAt)! } : {}),
              last_run_worker_type: "reloads",
            },
            lastRun: renderRunBase(last),
          }
        : {}),
    },
  };
}

/**
 * A task in the shape of Qlik's Task type (@qlik/api `scheduling/tasks`, qlik.dev Scheduling Tasks): space, owner,
 * times and `disabledCode` under `metadata`, the last run under `metadata.orchestration` both as `lastRun` (the type)
 * and as `attrs.last_run_*` (the type's example). `updatedBy` is not in the type: it sits beside `updatedAt` in
 * `metadata` (inferred: the list's filter names it).
 */
export function renderTask(s: CloudScheduling, t: CloudTask, tenantId: string, appName?: string): Task {
  const metadata = metadataOf(s, t, tenantId, appName);
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    enabled: t.enabled,
    resourceId: t.appId,
    specVersion: "1.16.0",
    version: "1.0.0",
    keepActive: false,
    metadata,
    ...renderTrigger(t),
    states: [
      {
        name: "Reload",
        type: "EVENT",
        end: true,
        exclusive: false,
        onEvents: [
          {
            eventRefs: t.trigger.type === "time" ? [] : ["upstream"],
            actions: [{ name: "app.reload", functionRef: { refName: "app.reload", arguments: { appId: t.appId, partial: false } } }],
          },
        ],
      },
    ],
  };
}

/**
 * The task's trigger: a time trigger as `start.schedule` with `recurrence` one RRULE string (Qlik's type and example;
 * several lines are joined by a line break, as RFC 5545 content lines, inferred), `timezone`, `startDateTime` and
 * `endDateTime`; an on-task-event trigger as an event on `system-events.task` / `com.qlik.v1.task.run.finished`
 * correlated by the upstream task's `id` and, unless any outcome starts it, `status`; a dataset trigger on
 * `dataset.updated` (type `com.qlik/active-analytics-orch`, Qlik's example) correlated by `datasetId`. Event tasks have
 * no `start` (Qlik's example has none).
 */
function renderTrigger(t: CloudTask): Pick<Task, "start" | "events"> {
  if (t.trigger.type === "time")
    return {
      start: {
        stateName: "Reload",
        schedule: {
          recurrence: t.recurrence.join("\n"),
          timezone: t.timezone,
          ...(t.startDateTime ? { startDateTime: t.startDateTime } : {}),
          ...(t.endDateTime ? { endDateTime: t.endDateTime } : {}),
        },
      },
    };
  const correlation: CorrelationDef[] =
    t.trigger.type === "task"
      ? [
          { contextAttributeName: "id", contextAttributeValue: t.trigger.upstreamId },
          ...(t.trigger.on === "any" ? [] : [{ contextAttributeName: "status" as const, contextAttributeValue: t.trigger.on }]),
        ]
      : [{ contextAttributeName: "datasetId", contextAttributeValue: t.trigger.datasetId }];
  const event =
    t.trigger.type === "task"
      ? ({ name: "upstream", source: "system-events.task", type: "com.qlik.v1.task.run.finished", correlation, dataOnly: true } as const)
      : ({ name: "upstream", source: "dataset.updated", type: "com.qlik/active-analytics-orch", correlation, dataOnly: true } as const);
  return { events: [event] };
}

/** Qlik's run statuses are RUNNING, SUCCEEDED and FAILED: a cancelled reload's run is a failed one. */
const qlikStatus = (s: CloudTaskRun["status"]): OrchRunBase["status"] => (s === "CANCELED" ? "FAILED" : s);

/** Qlik's OrchRunBase: the reload behind a run is its `workerId` (workerType `reloads`). */
const renderRunBase = (r: CloudTaskRun): OrchRunBase => ({
  id: r.id,
  status: qlikStatus(r.status),
  startedAt: iso(r.startedAt),
  ...(r.endedAt !== undefined ? { endedAt: iso(r.endedAt) } : {}),
  triggeredBy: r.triggeredBy,
  executedAs: r.executedAs,
  workerId: r.reloadId,
  workerType: "reloads",
});

/**
 * Qlik's OrchRun: the base with the task, its name and metadata at the time, the action and the resource; `meta` the
 * task's whole metadata and `log` its reload's log when the API answers (the control API leaves them out).
 */
export const renderRun = (r: CloudTaskRun, task?: CloudTask, extra: { meta?: TaskMetadata; log?: string } = {}): OrchRun => ({
  ...renderRunBase(r),
  ...(extra.log !== undefined ? { log: extra.log } : {}),
  taskId: r.taskId,
  taskName: task?.name ?? "",
  taskMeta: extra.meta ?? (task ? { spaceId: task.spaceId, ownerId: task.ownerId } : {}),
  actionId: "reload",
  resourceId: r.appId,
});

const SORTS: Record<string, (t: CloudTask) => number | string> = {
  name: (t) => t.name.toLowerCase(),
  createdAt: (t) => t.createdAt,
  updatedAt: (t) => t.updatedAt,
};

/** SCIM `eq` on enabled, resourceId, name, triggerType and spaceId, joined by `and`. */
function taskFilter(expr: string | null): ((t: CloudTask) => boolean) | "bad" {
  if (!expr) return () => true;
  const tests: Array<(t: CloudTask) => boolean> = [];
  for (const part of expr.split(/\s+and\s+/i)) {
    const m = /^\(?\s*(enabled|resourceId|name|triggerType|spaceId)\s+eq\s+"?([^"]*)"?\s*\)?$/i.exec(part.trim());
    if (!m) return "bad";
    const [, field, value] = m as unknown as [string, string, string];
    const f = field.toLowerCase();
    tests.push((t) =>
      f === "enabled"
        ? String(t.enabled) === value.toLowerCase()
        : f === "resourceid"
          ? t.appId === value.toLowerCase()
          : f === "name"
            ? t.name === value
            : f === "spaceid"
              ? t.spaceId === value
              : value === "time",
    );
  }
  return (t) => tests.every((x) => x(t));
}

/** One page of `items` from the `page` cursor (an offset), with the `links` Qlik Cloud's lists carry. */
function paged<T>(url: URL, items: T[], render: (x: T) => unknown, misbehave: CloudTenant["settings"]["misbehave"]): Response {
  const limit = Number(url.searchParams.get("limit") ?? 10);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return apiError(400, "limit must be between 1 and 100", "CHO-001");
  const cursor = url.searchParams.get("page");
  const offset = cursor ? Number(Buffer.from(cursor, "base64url").toString("utf8")) : 0;
  if (!Number.isInteger(offset) || offset < 0) return apiError(400, "Bad page cursor", "CHO-001");
  const page = items.slice(offset, offset + limit);
  const more = misbehave === "endlessCursor" || offset + limit < items.length;
  const next = new URL(url.toString());
  next.searchParams.set(
    "page",
    misbehave === "endlessCursor" ? (cursor ?? Buffer.from("0").toString("base64url")) : Buffer.from(String(offset + limit)).toString("base64url"),
  );
  const body = JSON.stringify({ data: page.map(render), links: { self: { href: url.toString() }, ...(more ? { next: { href: next.toString() } } : {}) } });
  if (misbehave === "truncated")
    return new Response(body.slice(0, Math.floor(body.length / 2)), { status: 200, headers: { "content-type": "application/json" } });
  return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
}

function sortRuns(url: URL, runs: CloudTaskRun[]): CloudTaskRun[] | "bad" {
  const sort = url.searchParams.get("sort") ?? "-startedAt";
  const m = /^([+-]?)(startedAt|endedAt|status|taskId|actionId)$/.exec(sort);
  if (!m) return "bad";
  const dir = m[1] === "-" ? -1 : 1;
  const key = (r: CloudTaskRun): number | string =>
    m[2] === "startedAt"
      ? r.startedAt
      : m[2] === "endedAt"
        ? (r.endedAt ?? Number.MAX_SAFE_INTEGER)
        : m[2] === "status"
          ? r.status
          : m[2] === "taskId"
            ? r.taskId
            : "reload";
  return [...runs].sort((a, b) => (key(a) < key(b) ? -dir : key(a) > key(b) ? dir : 0));
}

/** The answer for a Scheduling Tasks path, or undefined when the path is not one. */
export function handleScheduling(tenant: CloudTenant, req: Request, url: URL, path: string, tenantId: string): Response | undefined {
  if (!path.startsWith("/api/scheduling/tasks")) return undefined;
  const s = tenant.scheduling;
  const misbehave = tenant.settings.misbehave;
  const appName = (t: CloudTask) => tenant.apps.get(t.appId)?.name;
  /** A run as the API gives it: with its task's metadata and, once it ended, its reload's log. */
  const run = (r: CloudTaskRun, task: CloudTask | undefined) => {
    const reload = tenant.reloads.find((x) => x.id === r.reloadId);
    return renderRun(r, task, {
      ...(task ? { meta: metadataOf(s, task, tenantId, appName(task)) } : {}),
      ...(reload?.endTime !== undefined ? { log: reload.log } : {}),
    });
  };
  if (req.method === "GET" && path === "/api/scheduling/tasks") {
    const filter = taskFilter(url.searchParams.get("filter"));
    if (filter === "bad") return apiError(400, "Bad filter", "CHO-001");
    const sort = url.searchParams.get("sort") ?? "-updatedAt";
    const m = /^([+-]?)(name|createdAt|updatedAt)$/.exec(sort);
    if (!m) return apiError(400, "Bad sort", "CHO-001");
    const dir = m[1] === "-" ? -1 : 1;
    const key = SORTS[m[2]!]!;
    const resourceId = url.searchParams.get("resourceId")?.toLowerCase();
    const list = s.tasks
      .filter((t) => (!resourceId || t.appId === resourceId) && filter(t))
      .sort((a, b) => (key(a) < key(b) ? -dir : key(a) > key(b) ? dir : a.id < b.id ? -1 : 1));
    return paged(url, list, (t) => renderTask(s, t, tenantId, appName(t)), misbehave);
  }
  let m = /^\/api\/scheduling\/tasks\/resources\/([^/]+)\/runs$/.exec(path);
  if (req.method === "GET" && m) {
    const runs = sortRuns(
      url,
      s.runs.filter((r) => r.appId === m![1]!.toLowerCase()),
    );
    return runs === "bad"
      ? apiError(400, "Bad sort", "CHO-001")
      : paged(
          url,
          runs,
          (r) =>
            run(
              r,
              s.tasks.find((t) => t.id === r.taskId),
            ),
          misbehave,
        );
  }
  m = /^\/api\/scheduling\/tasks\/([^/]+)(\/.*)?$/.exec(path);
  if (!m) return apiError(404, "Not Found", "CHO-004");
  const task = s.tasks.find((t) => t.id === m![1]);
  if (!task) return apiError(404, "Task not found", "CHO-004");
  const rest = m[2] ?? "";
  if (req.method === "GET" && rest === "") return json(200, renderTask(s, task, tenantId, appName(task)));
  if (req.method === "GET" && rest === "/runs") {
    const runs = sortRuns(
      url,
      s.runs.filter((r) => r.taskId === task.id),
    );
    return runs === "bad" ? apiError(400, "Bad sort", "CHO-001") : paged(url, runs, (r) => run(r, task), misbehave);
  }
  if (req.method === "GET" && rest === "/runs/last") {
    const last = lastRun(s, task.id);
    return last ? json(200, run(last, task)) : apiError(404, "The task has not run", "CHO-004");
  }
  const log = /^\/runs\/([^/]+)\/log$/.exec(rest);
  if (req.method === "GET" && log) {
    const run = s.runs.find((r) => r.taskId === task.id && r.id === log[1]);
    const reload = run ? tenant.reloads.find((r) => r.id === run.reloadId) : undefined;
    return reload?.endTime !== undefined ? text(200, reload.log) : apiError(404, "Not Found", "CHO-004");
  }
  if (req.method === "POST" && rest === "/actions/start") {
    return json(201, { ...run(s.startNow(task.id)!, task), source: url.searchParams.get("source") ?? "manual" });
  }
  return apiError(404, "Not Found", "CHO-004");
}
