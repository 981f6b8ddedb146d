// QRS JSON of tasks of all five types, full and condensed, with `operational.lastExecutionResult`.
import { NEVER, iso } from "../util/time";
import type { Repository, TaskState } from "./repository";
import { renderExecutionCached } from "./execution-render-cache";
import { neverRunExecution, privileges, renderCpValues, renderTagRef, type Json, type RenderOptions } from "./render-common";
import { renderAppCondensed } from "./render-app";

export const TASK_SCHEMA_PATH = ["ReloadTask", "ExternalProgramTask", "UserSyncTask", "DistributionTask", "PreloadTask"] as const;

function renderOperational(repo: Repository, t: TaskState, opts: RenderOptions): Json {
  const node = repo.site.nodes.find((n) => n.id === t.model.nodeId);
  const lastId = t.lastExecutionResultId;
  const last = (lastId && repo.executions.get(lastId)) || neverRunExecution(t.model.id, t.model.appId, node?.hostName ?? "");
  return {
    id: t.operationalId,
    lastExecutionResult: renderExecutionCached(last, opts),
    nextExecution: t.nextExecutionMs === undefined ? NEVER : iso(t.nextExecutionMs),
    privileges: privileges(opts),
  };
}

export function renderTaskFull(repo: Repository, t: TaskState, opts: RenderOptions): Json {
  const m = t.model;
  const out: Json = {
    id: m.id,
    createdDate: m.createdDate,
    modifiedDate: iso(t.modifiedMs),
    modifiedByUserName: m.modifiedByUserName,
    customProperties: renderCpValues(repo, m.cps, m.createdDate, opts),
    name: m.name,
    taskType: m.taskType,
    enabled: m.enabled,
    taskSessionTimeout: m.taskSessionTimeout,
    maxRetries: m.maxRetries,
    tags: m.tagIds.map((id) => renderTagRef(repo, id, opts)),
    privileges: privileges(opts),
    schemaPath: TASK_SCHEMA_PATH[m.taskType],
  };
  // Reload, distribute and preload tasks each work on one app, and QRS returns it with the task (a distribution
  // task's app is the one it distributes, a preload task's the one it loads into memory).
  if (m.taskType === 0 || m.taskType === 3 || m.taskType === 4) {
    const app = m.appId ? repo.findApp(m.appId) : undefined;
    out.app = app ? renderAppCondensed(repo, app, opts) : null;
  }
  if (m.taskType === 0) {
    out.isManuallyTriggered = m.manuallyTriggered;
    out.isPartialReload = m.partial;
    out.timeToLive = 0;
  }
  if (m.taskType === 1) {
    out.path = m.path ?? "";
    out.parameters = m.parameters ?? "";
  }
  if (m.taskType === 2) {
    out.userDirectory = { id: null, name: m.userDirectory ?? "", userDirectoryName: m.userDirectory ?? "", privileges: privileges(opts) };
  }
  out.operational = renderOperational(repo, t, opts);
  return out;
}

/** Condensed task (`/qrs/task`, `/qrs/reloadtask`): the fields QRS returns without `/full`. */
export function condenseTask(full: Json): Json {
  const op = full.operational as Json;
  const last = op.lastExecutionResult as Json;
  const out: Json = {
    id: full.id,
    operational: {
      id: op.id,
      lastExecutionResult: {
        id: last.id,
        status: last.status,
        startTime: last.startTime,
        stopTime: last.stopTime,
        duration: last.duration,
        privileges: last.privileges,
      },
      nextExecution: op.nextExecution,
      privileges: op.privileges,
    },
    name: full.name,
    taskType: full.taskType,
    enabled: full.enabled,
    taskSessionTimeout: full.taskSessionTimeout,
    maxRetries: full.maxRetries,
    privileges: full.privileges,
  };
  if ("app" in full) out.app = full.app;
  if (full.taskType === 0) {
    out.isManuallyTriggered = full.isManuallyTriggered;
    out.isPartialReload = full.isPartialReload;
  }
  return out;
}
