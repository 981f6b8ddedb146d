// Steward's readers of Qlik's Data Integration Projects API checked against Qlik's published types (@qlik/api
// `di-projects`): each declaration compiles only while every answer Qlik's type allows is one the schema takes, so a
// shape Qlik changes fails `tsc`. The runtime part feeds the documented enum values (DataTaskInstanceState.state, the
// runtime state fields of Qlik's changelog of 2025-10-31) through the readers. Qlik's own example responses for these
// endpoints (placeholder values) go through the readers in qlik-examples.test.ts; the values below are the types' words.
import { describe, expect, test } from "bun:test";
import type { DataTaskInstanceState, DataTaskItemRsp, DataTaskRuntimeState, DiProjectItemRsp, ListDataTaskDatasetsRsp } from "@qlik/api/di-projects";
import type { z } from "zod";
import {
  DATA_TASK_STATE,
  type DataTaskDatasetsSchema,
  type DataTaskSchema,
  DataTaskStateSchema,
  type DiProjectSchema,
  datasetTriggered,
  lastRunOf,
} from "../../../../src/hear/cloud/data-task-read";

type Fits<Qlik, Schema extends z.ZodType> = [Qlik] extends [z.input<Schema>] ? true : never;
/** Qlik marks `id` optional; Steward needs it to know what it watches (an answer without one is a problem naming it). */
type Given<T, K extends keyof T> = T & { [P in K]-?: NonNullable<T[P]> };

const project: Fits<Given<DiProjectItemRsp, "id">, typeof DiProjectSchema> = true;
const dataTask: Fits<Given<DataTaskItemRsp, "id">, typeof DataTaskSchema> = true;
const runtimeState: Fits<DataTaskRuntimeState, typeof DataTaskStateSchema> = true;
const datasets: Fits<ListDataTaskDatasetsRsp, typeof DataTaskDatasetsSchema> = true;
/** Every state Qlik's type names has a meaning here (a new one fails tsc). */
const everyState: Record<NonNullable<DataTaskInstanceState["state"]>, string> & Record<keyof typeof DATA_TASK_STATE, string> = DATA_TASK_STATE;
type QlikStates = NonNullable<DataTaskInstanceState["state"]>;
/** And no state of Steward's that Qlik does not name. */
const noExtra: Exclude<keyof typeof DATA_TASK_STATE, QlikStates> extends never ? true : never = true;

describe("Steward's data-task readers and Qlik's published types", () => {
  test("each reader takes every shape Qlik's type allows (checked by the compiler)", () => {
    expect([project, dataTask, runtimeState, datasets, noExtra]).toEqual(Array(5).fill(true));
    expect(Object.keys(everyState).sort()).toEqual(["CANCELED", "COMPLETED", "FAILED", "RUNNING", "STARTING", "STOPPING"]);
  });

  test("a failed last run is read with its message and errors; a state Qlik does not document is a problem naming the field", () => {
    const state = DataTaskStateSchema.parse({
      name: "CRM to QVD",
      type: "QVD_STORAGE",
      lastRun: {
        state: "FAILED",
        startTime: "2026-11-24T02:00:00Z",
        endTime: "2026-11-24T02:13:41Z",
        duration: "00:13:41",
        message: "Task failed",
        errors: [{ code: "DI-1", title: "Source error", detail: "ORA-12541" }],
        general: { datasetCount: 2, datasetsInErrorCount: 2 },
      },
      runReadiness: { state: "READY_TO_RUN" },
    } satisfies DataTaskRuntimeState);
    expect(lastRunOf(state, "GET x")).toEqual({
      state: "FAILED",
      startTime: "2026-11-24T02:00:00Z",
      endTime: "2026-11-24T02:13:41Z",
      error: "Task failed; Source error: ORA-12541",
    });
    expect(lastRunOf(DataTaskStateSchema.parse({ name: "never ran" }), "GET x")).toBeUndefined();
    expect(() => lastRunOf(DataTaskStateSchema.parse({ lastRun: { state: "PAUSED" } }), "GET /api/v1/di-projects/p/di-tasks/t/runtime/state")).toThrow(
      'GET /api/v1/di-projects/p/di-tasks/t/runtime/state: lastRun.state: "PAUSED" is not one of Qlik\'s documented states',
    );
  });

  test("the on-dataset-updated tasks of a dataset are found by its datasetId correlation; disabled ones and other datasets are not", () => {
    const task = (id: string, datasetId: string, enabled = true) => ({
      id,
      name: `Reload on ${datasetId}`,
      resourceId: `APP-${id}`,
      enabled,
      events: [
        {
          name: "upstream",
          source: "dataset.updated",
          type: "com.qlik/active-analytics-orch",
          correlation: [{ contextAttributeName: "datasetId", contextAttributeValue: datasetId }],
        },
      ],
    });
    const found = datasetTriggered([task("a", "ds-orders"), task("b", "ds-other"), task("c", "DS-ORDERS", false), { id: "broken" }], new Set(["ds-orders"]));
    expect(found).toEqual([{ taskId: "a", taskName: "Reload on ds-orders", appId: "app-a", datasetId: "ds-orders" }]);
  });
});
