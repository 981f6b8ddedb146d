// The QRS entity collections: each lists full entities (filters run on those) and knows its condensed form.
import { ENUMS, type FilterNode, type FilterValue, filterRange, isoDateMs } from "../filter";
import type { Repository, TaskState } from "../repo/repository";
import type { TriggerModel } from "../site/model";
import type { TaskRunner } from "../tasks/runner";
import { renderExecutionCached } from "../repo/execution-render-cache";
import type { Json, RenderOptions } from "../repo/render-common";
import { condenseTask, renderTaskFull } from "../repo/render-task";
import { renderAppFull, renderCpDefinitionFull, renderNodeFull, renderStreamFull, renderTagFull, renderUserFull } from "../repo/render-app";
import { allocatedUsers, allocationId, renderAllocation } from "../repo/render-license";
import { iso } from "../util/time";
import { renderCompositeEvent, renderSchemaEvent } from "../repo/render-trigger";

export interface Resource {
  /** Full entities, in a stable order. */
  full(opts: RenderOptions): Json[];
  condense(full: Json): Json;
  /** Lookup by id for `GET /{resource}/{id}`; defaults to searching `full`. */
  byId?(id: string, opts: RenderOptions): Json | undefined;
  /** `DELETE /{resource}/{id}`; absent = not deletable. */
  remove?(id: string): boolean;
  /**
   * The entities a filter can match, picked without rendering the rest (a superset: the filter still decides), or
   * undefined when the filter does not narrow them this way.
   */
  candidates?(filter: FilterNode, opts: RenderOptions): Json[] | undefined;
}

/** An execution result's times; a filter bounded below on any of them can only match a run with some time that late. */
const EXECUTION_TIMES = ["createddate", "modifieddate", "starttime", "stoptime"];
const dateValue = (v: FilterValue) => (v.type === "string" ? isoDateMs(v.value) : undefined);
/** A status literal as the filter compares it: a number, or a status name (`FinishedSuccess`). */
const statusValue = (v: FilterValue) => {
  if (v.type === "number") return v.value;
  if (v.type !== "string" && v.type !== "name") return undefined;
  const named = ENUMS.status![v.value.toLowerCase()];
  if (named !== undefined) return named;
  return v.value.trim() !== "" && Number.isFinite(Number(v.value)) ? Number(v.value) : undefined;
};

const pick =
  (keys: string[]) =>
  (full: Json): Json => {
    const out: Json = {};
    for (const k of keys) if (k in full) out[k] = full[k];
    return out;
  };

export function createResources(repo: Repository, runner: TaskRunner): Record<string, Resource> {
  const tasksOfType = (types: number[] | null) => (opts: RenderOptions) =>
    [...repo.tasks.values()].filter((t) => types === null || types.includes(t.model.taskType)).map((t) => renderTaskFull(repo, t, opts));
  // "What changed since the last look" (`modifiedDate gt '…'`), asked every look: only what changed is rendered.
  const tasksChanged = (types: number[] | null) => (filter: FilterNode, opts: RenderOptions) => {
    const since = filterRange(filter, ["modifieddate"], dateValue)?.lo;
    if (since === undefined) return undefined;
    return [...repo.tasks.values()]
      .filter((t) => (types === null || types.includes(t.model.taskType)) && t.modifiedMs >= since)
      .map((t) => renderTaskFull(repo, t, opts));
  };
  /** The triggers changed since the filter's modifiedDate bound, rendered by `render` (undefined for another type). */
  const triggersChanged = (filter: FilterNode, render: (t: TaskState, tr: TriggerModel) => Json | undefined) => {
    const since = filterRange(filter, ["modifieddate"], dateValue)?.lo;
    if (since === undefined) return undefined;
    return [...repo.tasks.values()].flatMap((t) =>
      t.model.triggers.flatMap((tr) => {
        const rendered = (tr.modifiedMs ?? t.modifiedMs) >= since ? render(t, tr) : undefined;
        return rendered ? [rendered] : [];
      }),
    );
  };
  const taskById = (types: number[] | null) => (id: string, opts: RenderOptions) => {
    const t = repo.findTask(id);
    return t && (types === null || types.includes(t.model.taskType)) ? renderTaskFull(repo, t, opts) : undefined;
  };
  const allocation = (kind: "professional" | "analyzer"): Resource => ({
    full: (opts) => allocatedUsers(repo, kind).map((u) => renderAllocation(u, kind, opts)),
    condense: pick(["id", "user", "lastUsed", "quarantined", "privileges"]),
    remove(id) {
      const hit = allocatedUsers(repo, kind).find((u) => allocationId(u, kind) === id.toLowerCase());
      if (!hit) return false;
      repo.releasedAllocations.add(id.toLowerCase());
      return true;
    },
  });

  return {
    task: { full: tasksOfType(null), condense: condenseTask, byId: taskById(null), candidates: tasksChanged(null) },
    // Butler reads preload (4) and distribute (3) results from reloadtask/{id} (spec §6): served leniently.
    reloadtask: { full: tasksOfType([0]), condense: condenseTask, byId: taskById([0, 3, 4]), candidates: tasksChanged([0]) },
    externalprogramtask: { full: tasksOfType([1]), condense: condenseTask, byId: taskById([1]), candidates: tasksChanged([1]) },
    usersynctask: { full: tasksOfType([2]), condense: condenseTask, byId: taskById([2]), candidates: tasksChanged([2]) },
    executionresult: {
      full: (opts) => [...repo.executions.values()].map((e) => renderExecutionCached(e, opts)),
      condense: pick(["id", "executionID", "taskID", "appID", "status", "startTime", "stopTime", "duration", "privileges"]),
      byId: (id, opts) => {
        const e = repo.executions.get(id.toLowerCase());
        return e ? renderExecutionCached(e, opts) : undefined;
      },
      candidates: (filter, opts) => {
        const since = filterRange(filter, EXECUTION_TIMES, dateValue)?.lo;
        const status = filterRange(filter, ["status"], statusValue);
        if (since === undefined && status === undefined) return undefined;
        const out: Json[] = [];
        for (const e of repo.executions.values()) {
          if (status && (e.status < status.lo || e.status > status.hi)) continue;
          if (
            since !== undefined &&
            !(e.modifiedMs >= since || e.createdMs >= since || (e.startMs ?? -Infinity) >= since || (e.stopMs ?? -Infinity) >= since)
          ) {
            continue;
          }
          out.push(renderExecutionCached(e, opts));
        }
        return out;
      },
    },
    // Exists only while the run is going; 404 once it finished (spec §2.8.5).
    executionsession: {
      full: () =>
        runner.runningSessions().map((s) => {
          const t = repo.findTask(s.taskId)!;
          return {
            id: s.executionId,
            createdDate: iso(s.startMs),
            modifiedDate: iso(s.startMs),
            modifiedByUserName: s.user,
            task: { id: t.model.id, name: t.model.name, taskType: t.model.taskType },
            schemaPath: "ExecutionSession",
          };
        }),
      condense: pick(["id", "task"]),
    },
    app: {
      full: (opts) => [...repo.apps.values()].map((a) => renderAppFull(repo, a, opts)),
      condense: pick([
        "id",
        "name",
        "appId",
        "publishTime",
        "published",
        "stream",
        "savedInProductVersion",
        "migrationHash",
        "availabilityStatus",
        "privileges",
      ]),
      byId: (id, opts) => {
        const a = repo.findApp(id);
        return a ? renderAppFull(repo, a, opts) : undefined;
      },
    },
    user: {
      full: (opts) => repo.site.users.map((u) => renderUserFull(repo, u, opts)),
      condense: pick(["id", "userId", "userDirectory", "userDirectoryConnectorName", "name", "privileges"]),
    },
    stream: {
      full: (opts) => repo.site.streams.map((s) => renderStreamFull(repo, s, opts)),
      condense: pick(["id", "name", "privileges"]),
    },
    tag: {
      full: (opts) => repo.site.tags.map((t) => renderTagFull(t.id, t.name, opts)),
      condense: pick(["id", "name", "privileges"]),
    },
    custompropertydefinition: {
      full: (opts) => repo.site.cpDefs.map((d) => renderCpDefinitionFull(repo, d.id, opts)),
      condense: pick(["id", "name", "valueType", "choiceValues", "privileges"]),
    },
    servernodeconfiguration: {
      full: (opts) => repo.site.nodes.map((n) => renderNodeFull(repo, n.id, opts)),
      condense: pick(["id", "name", "hostName", "privileges"]),
    },
    schemaevent: {
      full: (opts) =>
        [...repo.tasks.values()].flatMap((t) =>
          t.model.triggers.flatMap((tr) => (tr.type === "schema" ? [renderSchemaEvent(t, tr, t.triggerNextMs.get(tr.id), opts)] : [])),
        ),
      condense: pick(["id", "name", "enabled", "eventType", "privileges"]),
      candidates: (filter, opts) =>
        triggersChanged(filter, (t, tr) => (tr.type === "schema" ? renderSchemaEvent(t, tr, t.triggerNextMs.get(tr.id), opts) : undefined)),
    },
    compositeevent: {
      full: (opts) =>
        [...repo.tasks.values()].flatMap((t) => t.model.triggers.flatMap((tr) => (tr.type === "composite" ? [renderCompositeEvent(repo, t, tr, opts)] : []))),
      condense: pick(["id", "name", "enabled", "eventType", "privileges"]),
      candidates: (filter, opts) => triggersChanged(filter, (t, tr) => (tr.type === "composite" ? renderCompositeEvent(repo, t, tr, opts) : undefined)),
    },
    "license/professionalaccesstype": allocation("professional"),
    "license/analyzeraccesstype": allocation("analyzer"),
  };
}
