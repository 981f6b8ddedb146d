// Reading Qlik Talend Cloud's Data Integration Projects API (Qlik's published `di-projects` types, @qlik/api; the
// runtime state fields since Qlik's changelog of 2025-10-31): the data projects, their data tasks, a task's runtime
// state (its last run) and the datasets it writes; and which Scheduling Tasks a dataset update starts (an
// on-dataset-updated trigger: an event on `dataset.updated` correlated by `datasetId`). An answer in another shape is
// a problem naming the field, never a silent default. The schemas are exported for the check against Qlik's types.
import { z } from "zod";

const Text = z.string().max(2_000);
const Id = z.string().min(1).max(200);

/** A data project of `GET /api/v1/di-projects` (Qlik's DiProjectItemRsp). */
export const DiProjectSchema = z.lazy(() =>
  z.looseObject({ id: Id, name: Text.nullish(), spaceId: Text.nullish(), ownerId: Text.nullish(), type: Text.nullish() }),
);
export const DiProjectListSchema = z.lazy(() => z.looseObject({ projects: z.array(DiProjectSchema).max(10_000).nullish() }));

/** A data task of `GET /api/v1/di-projects/{projectId}/di-tasks` (Qlik's DataTaskItemRsp). */
export const DataTaskSchema = z.lazy(() =>
  z.looseObject({ id: Id, name: Text.nullish(), type: Text.nullish(), spaceId: Text.nullish(), ownerId: Text.nullish() }),
);
export const DataTaskListSchema = z.lazy(() => z.looseObject({ dataTasks: z.array(DataTaskSchema).max(10_000).nullish() }));

/** One error of a run (Qlik's Error: code, title, detail). */
const RunError = z.lazy(() => z.looseObject({ code: Text.nullish(), title: Text.nullish(), detail: Text.nullish() }));

/** `GET …/di-tasks/{dataTaskId}/runtime/state` (Qlik's DataTaskRuntimeState): the last run (DataTaskInstanceState). */
export const DataTaskStateSchema = z.lazy(() =>
  z.looseObject({
    name: Text.nullish(),
    type: Text.nullish(),
    lastRun: z
      .looseObject({
        state: Text.nullish(),
        startTime: Text.nullish(),
        endTime: Text.nullish(),
        message: Text.nullish(),
        errors: z.array(RunError).max(100).nullish(),
        general: z.looseObject({ datasetCount: z.number().nullish(), datasetsInErrorCount: z.number().nullish() }).nullish(),
        traceId: Text.nullish(),
      })
      .nullish(),
  }),
);

/** `GET …/runtime/state/datasets` (Qlik's ListDataTaskDatasetsRsp). */
export const DataTaskDatasetsSchema = z.lazy(() =>
  z.looseObject({
    datasets: z
      .array(z.looseObject({ datasetId: Text.nullish(), name: Text.nullish(), dataReadiness: Text.nullish() }))
      .max(10_000)
      .nullish(),
  }),
);

/** What a run's end means for what the task feeds: Qlik's six states (DataTaskInstanceState.state). */
export const DATA_TASK_STATE = {
  STARTING: "running",
  RUNNING: "running",
  STOPPING: "running",
  COMPLETED: "ok",
  FAILED: "failed",
  CANCELED: "stopped",
} as const satisfies Record<string, "running" | "ok" | "failed" | "stopped">;
export type DataTaskState = keyof typeof DATA_TASK_STATE;

export interface DataTaskLastRun {
  state: DataTaskState;
  startTime?: string;
  endTime?: string;
  /** The run's message and its errors' titles and details, as one line. */
  error?: string;
  traceId?: string;
}

const shapeProblem = (what: string, e: z.ZodError) => {
  const i = e.issues[0]!;
  return `${what}: ${i.path.join(".") || "(root)"}: ${i.message}`;
};

/** Parses an answer, or throws a problem naming the field Steward does not understand. */
export function readAnswer<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) throw new Error(shapeProblem(what, r.error));
  return r.data;
}

/** The last run of a runtime state, or undefined when the task never ran; an undocumented state is a problem. */
export function lastRunOf(state: z.infer<typeof DataTaskStateSchema>, what: string): DataTaskLastRun | undefined {
  const r = state.lastRun;
  if (!r?.state) return undefined;
  if (!(r.state in DATA_TASK_STATE))
    throw new Error(`${what}: lastRun.state: "${r.state}" is not one of Qlik's documented states (${Object.keys(DATA_TASK_STATE).join(", ")})`);
  const errors = (r.errors ?? []).map((e) => [e.title, e.detail].filter(Boolean).join(": ")).filter((x) => x !== "");
  const error = [r.message, ...errors].filter((x): x is string => Boolean(x)).join("; ");
  return {
    state: r.state as DataTaskState,
    ...(r.startTime ? { startTime: r.startTime } : {}),
    ...(r.endTime ? { endTime: r.endTime } : {}),
    ...(error ? { error } : {}),
    ...(r.traceId ? { traceId: r.traceId } : {}),
  };
}

const Correlation = z.looseObject({ contextAttributeName: z.string().max(100), contextAttributeValue: z.string().max(500).nullish() });
const TaskRow = z.looseObject({
  id: Id,
  name: Text.nullish(),
  resourceId: Text.nullish(),
  enabled: z.boolean().nullish(),
  events: z
    .array(z.looseObject({ source: Text.nullish(), correlation: z.array(Correlation).max(20).nullish() }))
    .max(20)
    .nullish(),
});

/** A Scheduling Task that a dataset update starts: the dataset, and the app it reloads (Qlik's `resourceId`). */
export interface DatasetTriggeredTask {
  taskId: string;
  taskName: string;
  appId: string;
  datasetId: string;
}

/** The enabled tasks of a task list page that start on an update of one of `datasetIds` (rows Steward cannot read are skipped). */
export function datasetTriggered(rows: readonly unknown[], datasetIds: ReadonlySet<string>): DatasetTriggeredTask[] {
  const out: DatasetTriggeredTask[] = [];
  for (const raw of rows) {
    const r = TaskRow.safeParse(raw);
    if (!r.success || r.data.enabled === false || !r.data.resourceId) continue;
    for (const e of r.data.events ?? []) {
      if (e.source !== "dataset.updated") continue;
      const id = e.correlation?.find((c) => c.contextAttributeName.toLowerCase() === "datasetid")?.contextAttributeValue;
      if (id && datasetIds.has(id.toLowerCase()))
        out.push({ taskId: r.data.id, taskName: r.data.name ?? r.data.id, appId: r.data.resourceId.toLowerCase(), datasetId: id });
    }
  }
  return out;
}
