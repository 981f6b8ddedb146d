// The fixture's tasks as site models: node, app and cron schedule resolved, then their triggers (composite rules
// name upstream tasks, so triggers resolve once every task has its id).
import { Cron } from "croner";
import { readSimTrigger } from "../scheduler-clock";
import { stableGuid } from "../util/ids";
import { type AppModel, type NodeModel, TASK_TYPE_BY_NAME, type TaskModel, type TriggerModel } from "./model";
import { cpValues, dayAfterBase, findByIdOrName, findByName, issue, type Resolving, tagIds } from "./resolve-refs";
import type { SiteFixture, TaskFixture } from "./schema";

const CP_OBJECT_TYPE: Record<TaskFixture["type"], string> = {
  reload: "ReloadTask",
  externalProgram: "ExternalProgramTask",
  userSync: "UserSyncTask",
  distribute: "ReloadTask",
  preload: "ReloadTask",
};

const INCREMENT_OPTIONS = ["once", "hourly", "daily", "weekly", "monthly", "custom"];
/** QMC's own "minutes hours days weeks" for each option when the site file gives none. */
/** What the QMC writes for each option: once none, hourly an hour, daily and monthly a day (the filter picks the days), weekly a week. */
const DEFAULT_INCREMENT = ["0 0 0 0", "0 1 0 0", "0 0 1 0", "0 0 0 1", "0 0 1 0", "0 0 1 0"];

export function resolveTasks(r: Resolving, fx: SiteFixture, nodes: NodeModel[], findApp: (ref: string) => AppModel | undefined): TaskModel[] {
  const tasks = fx.tasks.map((t, i) => resolveTask(r, t, i, nodes, findApp));
  // Task ids are lower case (resolveTask), so an id matches ignoring case as before.
  const findTask = findByIdOrName(tasks);
  fx.tasks.forEach((t, i) => {
    tasks[i]!.triggers = t.triggers.map((tr, j) => resolveTrigger(r, tr, ["tasks", i, "triggers", j], tasks[i]!.id, findTask));
  });
  return tasks;
}

function resolveTask(r: Resolving, t: TaskFixture, i: number, nodes: NodeModel[], findApp: (ref: string) => AppModel | undefined): TaskModel {
  const path = ["tasks", i];
  let nodeId = nodes[0]?.id ?? "";
  if (t.node !== undefined) {
    const node = findByName(nodes, t.node);
    if (!node) issue(r, [...path, "node"], `unknown node '${t.node}'`);
    else nodeId = node.id;
  }
  if (t.schedule !== undefined) {
    try {
      new Cron(t.schedule, { paused: true }).stop();
    } catch (err) {
      issue(r, [...path, "schedule"], `invalid cron expression '${t.schedule}': ${(err as Error).message}`);
    }
  }
  const appRef = "app" in t ? t.app : undefined;
  let appId: string | undefined;
  if (appRef !== undefined) {
    const app = findApp(appRef);
    if (!app) issue(r, [...path, "app"], `unknown app '${appRef}' (use an app name or id from apps)`);
    appId = app?.id;
  }
  return {
    id: t.id?.toLowerCase() ?? stableGuid("task", t.name),
    name: t.name,
    taskType: TASK_TYPE_BY_NAME[t.type],
    enabled: t.enabled,
    tagIds: tagIds(r, t.tags, [...path, "tags"]),
    cps: cpValues(r, t.customProperties, CP_OBJECT_TYPE[t.type], `task:${t.name}`, [...path, "customProperties"]),
    nodeId,
    maxRetries: t.maxRetries,
    taskSessionTimeout: t.taskSessionTimeout,
    durationMs: t.durationMs,
    outcome: t.outcome,
    schedule: t.schedule,
    triggers: [],
    createdDate: t.createdDate ?? dayAfterBase(10 + i),
    modifiedByUserName: t.modifiedByUserName ?? "INTERNAL\\sa_repository",
    appId,
    partial: t.type === "reload" ? t.partial : false,
    manuallyTriggered: t.type === "reload" ? t.manuallyTriggered : false,
    scriptError: t.type === "reload" ? t.scriptError : undefined,
    sessionFails: t.type === "reload" ? t.sessionFails : undefined,
    failMessage: t.type === "preload" ? t.failMessage : undefined,
    path: t.type === "externalProgram" ? t.path : undefined,
    parameters: t.type === "externalProgram" ? t.parameters : undefined,
    userDirectory: t.type === "userSync" ? t.userDirectory : undefined,
  };
}

function resolveTrigger(
  r: Resolving,
  tr: TaskFixture["triggers"][number],
  path: (string | number)[],
  taskId: string,
  findTask: (ref: string) => TaskModel | undefined,
): TriggerModel {
  const id = stableGuid("trigger", `${taskId}/${tr.name}`);
  if (tr.type === "schema") {
    const named = INCREMENT_OPTIONS.indexOf(String(tr.incrementOption));
    const option = named >= 0 ? named : tr.incrementOption;
    const incrementDescription = tr.incrementDescription ?? DEFAULT_INCREMENT[Number(option)]!;
    // The Scheduler reads the whole trigger; one it could not read would silently never fire, unless the site says so.
    const read = readSimTrigger({ ...tr, incrementOption: option, incrementDescription });
    if (typeof read === "string" && !tr.unreadable) issue(r, path, `${read} (mark the trigger unreadable: true to serve it as written, never fired)`);
    return {
      type: "schema",
      id,
      name: tr.name,
      enabled: tr.enabled,
      incrementOption: option,
      incrementDescription,
      startDate: tr.startDate,
      expirationDate: tr.expirationDate,
      timeZone: tr.timeZone,
      daylightSavingTime: tr.daylightSavingTime,
      schemaFilterDescription: tr.schemaFilterDescription,
      ...(tr.unreadable ? { unreadable: true } : {}),
      ...(tr.schedulerShiftMinutes ? { shiftMs: tr.schedulerShiftMinutes * 60_000 } : {}),
    };
  }
  const rules = tr.rules.map((rule, k) => {
    const up = findTask(rule.task);
    if (!up) issue(r, [...path, "rules", k, "task"], `unknown task '${rule.task}' (use a task name or id from tasks)`);
    return { id: stableGuid("rule", `${id}/${k}`), taskId: up?.id ?? "", ruleState: rule.state === "success" ? (1 as const) : (2 as const) };
  });
  return { type: "composite", id, name: tr.name, enabled: tr.enabled, timeConstraint: tr.timeConstraint, rules };
}
