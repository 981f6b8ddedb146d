// Does a route take an event? Every filter present must match; within a filter any value matches. The
// first failing filter is returned as the reason, for previews ("taskTypes: distribute is not in [reload]").
import type { RouteConfig } from "./config";
import type { DataCheckEvent, DomainEvent, NameValue, TaskEvent } from "../../platform/events/types";
import { isDataCheckEvent, isSiteEvent, isTaskEvent, isWatchdogEvent, type WatchdogEvent } from "../../platform/events/types";
import { sameNode } from "../../hear/events/datagram-claims";
import { timeFilterReason } from "../../platform/core/time-intervals";
import { globMatch } from "../../platform/core/glob";

export interface RouteMatch {
  matched: boolean;
  reason?: string;
}

export interface NamedRoute {
  name: string;
  index: number;
  config: RouteConfig;
}

/** Routes with their effective names (route-<n> when unnamed). */
export function nameRoutes(routes: RouteConfig[]): NamedRoute[] {
  return routes.map((config, index) => ({ name: config.name ?? `route-${index + 1}`, index, config }));
}

/** The attachScriptLog setting of the route named `name` (undefined: unset, or no such route). */
export function routeAttachScriptLog(routes: RouteConfig[], name: string): boolean | undefined {
  return nameRoutes(routes).find((r) => r.name === name)?.config.attachScriptLog;
}

/** Does any enabled route want script logs of successful reloads (so the intake must fetch them)? */
export function routesWantSuccessLogs(routes: RouteConfig[]): boolean {
  return routes.some((r) => r.enabled && r.attachScriptLog === true && r.on.includes("task.succeeded") && (!r.taskTypes || r.taskTypes.includes("reload")));
}

const lower = (s: string) => s.toLowerCase();
const anyIn = (have: string[], want: string[]) => {
  const set = new Set(have.map(lower));
  return want.some((w) => set.has(lower(w)));
};
const nvMatch = (have: NameValue[], want: Array<{ name: string; value: string }>) =>
  want.some((w) => have.some((h) => lower(h.name) === lower(w.name) && lower(h.value) === lower(w.value)));

const show = (v: unknown) => JSON.stringify(v);
/** A route's filters that only a task's run can match. */
const TASK_FILTER_KEYS = [
  "taskTypes",
  "outcomes",
  "taskIds",
  "taskNames",
  "taskTags",
  "appIds",
  "appTags",
  "streams",
  "taskCustomProperties",
  "appCustomProperties",
  "sources",
] as const;

export function matchRoute(route: RouteConfig, event: DomainEvent): RouteMatch {
  const no = (reason: string): RouteMatch => ({ matched: false, reason });
  if (!route.enabled) return no("route is disabled");
  if (!route.on.includes(event.kind)) return no(`on: ${event.kind} is not in [${route.on.join(", ")}]`);
  const offHours = timeFilterReason(route.activeTimes, route.mutedTimes, Date.parse(event.receivedAt));
  if (offHours) return no(offHours);
  // A node is listed under its short name or its DNS name alike (the Scheduler and QRS may use either).
  if (route.hosts && !route.hosts.some((h) => sameNode(h, event.host))) return no(`hosts: ${show(event.host)} is not listed`);
  if (isSiteEvent(event)) {
    for (const key of ["services", ...TASK_FILTER_KEYS] as const) {
      if (route[key]) return no(`${key}: a ${event.kind} event has no task or service`);
    }
    return { matched: true };
  }
  if (isDataCheckEvent(event)) return matchDataCheckFilters(route, event);
  if (isWatchdogEvent(event)) return matchWatchdogFilters(route, event);
  if (!isTaskEvent(event)) {
    if (route.services && !anyIn([event.service.name], route.services)) return no(`services: ${show(event.service.name)} is not listed`);
    for (const key of TASK_FILTER_KEYS) {
      if (route[key]) return no(`${key}: a service event has no task`);
    }
    return { matched: true };
  }
  return matchTaskFilters(route, event);
}

/** A data check event has an app and (after a reload task) a task: those filters apply; the others cannot match. */
function matchDataCheckFilters(route: RouteConfig, e: DataCheckEvent): RouteMatch {
  const no = (reason: string): RouteMatch => ({ matched: false, reason });
  for (const key of ["services", "taskTypes", "outcomes", "sources"] as const) {
    if (route[key]) return no(`${key}: a ${e.kind} event has no ${key === "services" ? "service" : "task run"}`);
  }
  if (!e.task) {
    for (const key of ["taskIds", "taskNames", "taskTags", "taskCustomProperties"] as const) {
      if (route[key]) return no(`${key}: this ${e.kind} followed a reload Steward ran, not a reload task`);
    }
  }
  return matchTaskAndApp(route, e.task, e.app);
}

/** A watchdog event names a task (app.stale: an app): task and app filters apply; run filters cannot match. */
function matchWatchdogFilters(route: RouteConfig, e: WatchdogEvent): RouteMatch {
  const no = (reason: string): RouteMatch => ({ matched: false, reason });
  for (const key of ["services", "taskTypes", "outcomes", "sources"] as const) {
    if (route[key]) return no(`${key}: a ${e.kind} event has no ${key === "services" ? "service" : "finished run"}`);
  }
  if (!e.task) {
    for (const key of ["taskIds", "taskNames", "taskTags", "taskCustomProperties"] as const) {
      if (route[key]) return no(`${key}: this ${e.kind} is about an app, not a task`);
    }
  }
  return matchTaskAndApp(route, e.task, e.app);
}

function matchTaskFilters(route: RouteConfig, e: TaskEvent): RouteMatch {
  const no = (reason: string): RouteMatch => ({ matched: false, reason });
  if (route.services) return no("services: a task event has no service");
  if (route.taskTypes && !route.taskTypes.includes(e.taskType)) return no(`taskTypes: ${e.taskType} is not in [${route.taskTypes.join(", ")}]`);
  if (route.outcomes && !route.outcomes.includes(e.outcome)) return no(`outcomes: ${e.outcome} is not in [${route.outcomes.join(", ")}]`);
  if (route.sources && !route.sources.includes(e.source)) return no(`sources: ${e.source} is not in [${route.sources.join(", ")}]`);
  return matchTaskAndApp(route, e.task, e.app);
}

type TaskPart = Pick<TaskEvent["task"], "id" | "name" | "tags" | "customProperties">;
type AppPart = Pick<NonNullable<TaskEvent["app"]>, "id" | "tags" | "stream" | "customProperties">;

function matchTaskAndApp(route: RouteConfig, task: TaskPart | undefined, app: AppPart | undefined): RouteMatch {
  const no = (reason: string): RouteMatch => ({ matched: false, reason });
  if (task) {
    if (route.taskIds && !anyIn([task.id], route.taskIds)) return no(`taskIds: ${task.id} is not listed`);
    if (route.taskNames && !route.taskNames.some((g) => globMatch(g, task.name))) return no(`taskNames: ${show(task.name)} matches none`);
    if (route.taskTags && !anyIn(task.tags, route.taskTags)) return no(`taskTags: the task has none of [${route.taskTags.join(", ")}]`);
    if (route.taskCustomProperties && !nvMatch(task.customProperties, route.taskCustomProperties)) {
      return no(`taskCustomProperties: the task has none of ${route.taskCustomProperties.map((p) => `${p.name}=${p.value}`).join(", ")}`);
    }
  }
  if (route.appIds && !(app && anyIn([app.id], route.appIds))) return no(`appIds: ${app ? app.id : "the task has no app"} is not listed`);
  if (route.appTags && !(app && anyIn(app.tags, route.appTags))) return no(`appTags: the app has none of [${route.appTags.join(", ")}]`);
  if (route.streams && !(app?.stream && anyIn([app.stream], route.streams)))
    return no(`streams: ${show(app?.stream ?? "(unpublished or unknown)")} is not listed`);
  if (route.appCustomProperties && !(app && nvMatch(app.customProperties, route.appCustomProperties))) {
    return no(`appCustomProperties: the app has none of ${route.appCustomProperties.map((p) => `${p.name}=${p.value}`).join(", ")}`);
  }
  return { matched: true };
}
