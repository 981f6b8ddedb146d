// The QRS collections of tasks, their triggers and their runs: the ones a watchdog asks about at every look ("what
// changed since", "what is running"), so each can pick what a filter may match before rendering anything.
import { ENUMS, type FilterNode, type FilterValue, filterId, filterIds, filterRange, isoDateMs, type Range } from "../filter";
import { renderExecutionCached } from "../repo/execution-render-cache";
import type { Json, RenderOptions } from "../repo/render-common";
import { condenseTask, renderTaskFull } from "../repo/render-task";
import { renderCompositeEvent, renderSchemaEvent } from "../repo/render-trigger";
import type { ExecutionRecord, Repository, TaskState } from "../repo/repository";
import type { TriggerModel } from "../site/model";
import { pick, type Resource } from "./resource";

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

/**
 * `value` is `lower` (lower-case) but for case. Asked of every run kept for each lookup by id, so most values (ids that
 * differ from the first character) are told apart without building a lower-cased copy of each.
 */
function equalsLower(value: string, lower: string): boolean {
  if (value === lower) return true;
  if (value.length !== lower.length) return false;
  const first = value.charCodeAt(0);
  if (first < 128 && (first >= 65 && first <= 90 ? first + 32 : first) !== lower.charCodeAt(0)) return false;
  return value.toLowerCase() === lower;
}

/**
 * A test of whether a run may match `node`, made once per query and judged on the run's own fields before it is
 * rendered: a status range, or a time bounded below (any of its times that late, as above); a condition on anything
 * else may match (the filter decides after).
 */
function runMayMatch(node: FilterNode): (e: ExecutionRecord) => boolean {
  if (node.kind === "or") {
    const flat = flatOr(node.items);
    if (flat) return flat;
  }
  if (node.kind !== "predicate") {
    const parts = node.items.map(runMayMatch);
    return node.kind === "and" ? (e) => parts.every((p) => p(e)) : (e) => parts.some((p) => p(e));
  }
  const status = filterRange(node, ["status"], statusValue);
  if (status) return (e) => e.status >= status.lo && e.status <= status.hi;
  const since = filterRange(node, EXECUTION_TIMES, dateValue)?.lo;
  if (since === undefined || since === -Infinity) return () => true;
  return (e) => e.modifiedMs >= since || e.createdMs >= since || (e.startMs ?? -Infinity) >= since || (e.stopMs ?? -Infinity) >= since;
}

/** A run's status within one of `ranges`, or any of its times at `since` or later. */
const statusOrSince = (ranges: Range[], since: number) => (e: ExecutionRecord) => {
  for (const r of ranges) if (e.status >= r.lo && e.status <= r.hi) return true;
  return e.modifiedMs >= since || e.createdMs >= since || (e.startMs ?? -Infinity) >= since || (e.stopMs ?? -Infinity) >= since;
};

/**
 * The same test as runMayMatch's for an `or` whose branches are each a status range (a predicate, or an `and` of
 * status predicates only) or a time bounded below: a look's "in progress, or changed since" asks it of every run kept
 * (5,000 on a long simulation), and one test of the run beats a closure per branch and per predicate. Undefined for
 * any other shape, which runMayMatch tests branch by branch.
 */
function flatOr(items: readonly FilterNode[]): ((e: ExecutionRecord) => boolean) | undefined {
  const ranges: Range[] = [];
  let since = Infinity;
  for (const item of items) {
    const onlyStatus = item.kind === "predicate" || (item.kind === "and" && item.items.every((n) => n.kind === "predicate"));
    const status = onlyStatus ? filterRange(item, ["status"], statusValue) : undefined;
    // An and's range is its predicates' intersection only when each of them bounds the status.
    if (status && (item.kind === "predicate" || (item.kind === "and" && item.items.every((n) => filterRange(n, ["status"], statusValue))))) {
      ranges.push(status);
      continue;
    }
    const lo = item.kind === "predicate" ? filterRange(item, EXECUTION_TIMES, dateValue)?.lo : undefined;
    if (lo === undefined || lo === -Infinity) return undefined;
    since = Math.min(since, lo);
  }
  return statusOrSince(ranges, since);
}

export function taskResources(repo: Repository): Record<string, Resource> {
  const tasksOfType = (types: number[] | null) => (opts: RenderOptions) =>
    [...repo.tasks.values()].filter((t) => types === null || types.includes(t.model.taskType)).map((t) => renderTaskFull(repo, t, opts));
  // Asked for every run a client enriches (`id eq …`) and at every look (`modifiedDate gt '…'`): only the task with
  // that id, or only what changed, is rendered.
  const taskCandidates = (types: number[] | null) => (filter: FilterNode, opts: RenderOptions) => {
    const ofType = (t: TaskState) => types === null || types.includes(t.model.taskType);
    const ids = filterIds(filter);
    if (ids !== undefined) {
      return ids.flatMap((id) => {
        const t = repo.findTask(id);
        return t && ofType(t) ? [renderTaskFull(repo, t, opts)] : [];
      });
    }
    const since = filterRange(filter, ["modifieddate"], dateValue)?.lo;
    if (since === undefined) return undefined;
    return [...repo.tasks.values()].filter((t) => ofType(t) && t.modifiedMs >= since).map((t) => renderTaskFull(repo, t, opts));
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
  const countOfType = (types: number[] | null) => () =>
    types === null ? repo.tasks.size : [...repo.tasks.values()].filter((t) => types.includes(t.model.taskType)).length;
  const triggerCount = (type: TriggerModel["type"]) => () =>
    [...repo.tasks.values()].reduce((n, t) => n + t.model.triggers.filter((tr) => tr.type === type).length, 0);
  const taskById = (types: number[] | null) => (id: string, opts: RenderOptions) => {
    const t = repo.findTask(id);
    return t && (types === null || types.includes(t.model.taskType)) ? renderTaskFull(repo, t, opts) : undefined;
  };

  return {
    task: { full: tasksOfType(null), condense: condenseTask, byId: taskById(null), candidates: taskCandidates(null), count: countOfType(null) },
    // Butler reads preload (4) and distribute (3) results from reloadtask/{id} (spec §6): served leniently.
    reloadtask: { full: tasksOfType([0]), condense: condenseTask, byId: taskById([0, 3, 4]), candidates: taskCandidates([0]), count: countOfType([0]) },
    externalprogramtask: { full: tasksOfType([1]), condense: condenseTask, byId: taskById([1]), candidates: taskCandidates([1]), count: countOfType([1]) },
    usersynctask: { full: tasksOfType([2]), condense: condenseTask, byId: taskById([2]), candidates: taskCandidates([2]), count: countOfType([2]) },
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
        const taskId = filterId(filter, "taskid");
        // A client enriching a run asks for its attempts by executionID: picked without rendering every run kept.
        const executionIds = filterIds(filter, "executionid");
        const executionId = executionIds?.length === 1 ? executionIds[0] : undefined;
        const executionIdSet = executionIds && executionIds.length > 1 ? new Set(executionIds) : undefined;
        if (since === undefined && status === undefined && taskId === undefined && executionIds === undefined) {
          if (filter.kind !== "or") return undefined;
          // An or of conditions (a look's runs in progress or changed since): each run tried on its own fields first.
          const may = runMayMatch(filter);
          const picked: Json[] = [];
          for (const e of repo.executions.values()) if (may(e)) picked.push(renderExecutionCached(e, opts));
          return picked;
        }
        const out: Json[] = [];
        for (const e of executionId !== undefined ? repo.executionsOfRun(executionId.toLowerCase()) : repo.executions.values()) {
          if (executionId !== undefined && !equalsLower(e.executionID, executionId)) continue;
          if (executionIdSet !== undefined && !executionIdSet.has(e.executionID.toLowerCase())) continue;
          if (taskId !== undefined && !equalsLower(e.taskId, taskId)) continue;
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
    schemaevent: {
      full: (opts) =>
        [...repo.tasks.values()].flatMap((t) =>
          t.model.triggers.flatMap((tr) => (tr.type === "schema" ? [renderSchemaEvent(t, tr, t.triggerNextMs.get(tr.id), opts)] : [])),
        ),
      condense: pick(["id", "name", "enabled", "eventType", "privileges"]),
      candidates: (filter, opts) =>
        triggersChanged(filter, (t, tr) => (tr.type === "schema" ? renderSchemaEvent(t, tr, t.triggerNextMs.get(tr.id), opts) : undefined)),
      count: triggerCount("schema"),
    },
    compositeevent: {
      full: (opts) =>
        [...repo.tasks.values()].flatMap((t) => t.model.triggers.flatMap((tr) => (tr.type === "composite" ? [renderCompositeEvent(repo, t, tr, opts)] : []))),
      condense: pick(["id", "name", "enabled", "eventType", "privileges"]),
      candidates: (filter, opts) => triggersChanged(filter, (t, tr) => (tr.type === "composite" ? renderCompositeEvent(repo, t, tr, opts) : undefined)),
      count: triggerCount("composite"),
    },
  };
}
