// QRS JSON of task triggers: `schemaevent` (time) and `compositeevent` (task events), as spec §4a lists them.
import type { CompositeTriggerModel, SchemaTriggerModel } from "../site/model";
import { NEVER, iso } from "../util/time";
import type { Repository, TaskState } from "./repository";
import { privileges, type Json, type RenderOptions } from "./render-common";

const TASK_REF_KEY = ["reloadTask", "externalProgramTask", "userSyncTask", null, null] as const;

function taskRef(t: TaskState): Json {
  return { id: t.model.id, name: t.model.name, taskType: t.model.taskType, enabled: t.model.enabled };
}

/** Ties a trigger to its task under the key QRS uses for the task's type (`reloadTask`, `externalProgramTask`, …). */
function owner(t: TaskState): Json {
  const out: Json = { reloadTask: null, externalProgramTask: null, userSyncTask: null };
  const key = TASK_REF_KEY[t.model.taskType];
  if (key) out[key] = taskRef(t);
  return out;
}

export function renderSchemaEvent(t: TaskState, tr: SchemaTriggerModel, nextMs: number | undefined, opts: RenderOptions): Json {
  return {
    id: tr.id,
    createdDate: t.model.createdDate,
    modifiedDate: iso(tr.modifiedMs ?? t.modifiedMs),
    modifiedByUserName: tr.modifiedByUserName ?? t.model.modifiedByUserName,
    name: tr.name,
    enabled: tr.enabled,
    eventType: 0,
    timeZone: tr.timeZone,
    daylightSavingTime: tr.daylightSavingTime,
    startDate: tr.startDate,
    expirationDate: tr.expirationDate,
    schemaFilterDescription: [tr.schemaFilterDescription],
    incrementDescription: tr.incrementDescription,
    incrementOption: tr.incrementOption,
    ...owner(t),
    operational: {
      nextExecution: nextMs === undefined ? NEVER : iso(nextMs),
      lastEventDate: t.triggerLastMs.has(tr.id) ? iso(t.triggerLastMs.get(tr.id)!) : NEVER,
      timesTriggered: t.triggerCount.get(tr.id) ?? 0,
      privileges: privileges(opts),
    },
    privileges: privileges(opts),
    schemaPath: "SchemaEvent",
  };
}

export function renderCompositeEvent(repo: Repository, t: TaskState, tr: CompositeTriggerModel, opts: RenderOptions): Json {
  return {
    id: tr.id,
    createdDate: t.model.createdDate,
    modifiedDate: iso(tr.modifiedMs ?? t.modifiedMs),
    modifiedByUserName: tr.modifiedByUserName ?? t.model.modifiedByUserName,
    name: tr.name,
    enabled: tr.enabled,
    eventType: 1,
    timeConstraint: { ...tr.timeConstraint },
    compositeRules: tr.rules.map((r) => {
      const up = repo.findTask(r.taskId);
      const ref: Json = { reloadTask: null, externalProgramTask: null, userSyncTask: null };
      const key = up ? TASK_REF_KEY[up.model.taskType] : null;
      if (up && key) ref[key] = taskRef(up);
      return { id: r.id, ruleState: r.ruleState, ...ref, privileges: privileges(opts) };
    }),
    ...owner(t),
    privileges: privileges(opts),
    schemaPath: "CompositeEvent",
  };
}
