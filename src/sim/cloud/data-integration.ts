// The simulated tenant's Qlik Talend Cloud data integration: data projects, their data tasks and each task's runtime
// state, written from Qlik's published Data Integration Projects API (@qlik/api `di-projects`; the runtime state
// endpoint's fields since Qlik's changelog of 2025-10-31), not from Steward's reader. A data task's run ends
// COMPLETED, FAILED or CANCELED (Qlik's stop); a completed run updates its datasets, which starts the tenant's
// on-dataset-updated Scheduling Tasks of those datasets, as Qlik Cloud does.
import type { DataTaskInstanceState, DataTaskType } from "@qlik/api/di-projects";

export interface SimDataset {
  datasetId: string;
  name: string;
}

export interface SimDataTask {
  id: string;
  projectId: string;
  name: string;
  type: DataTaskType;
  datasets: SimDataset[];
  lastRun?: {
    state: NonNullable<DataTaskInstanceState["state"]>;
    startTime: number;
    endTime?: number;
    message?: string;
    errors?: Array<{ code: string; title: string; detail: string }>;
  };
  /** When a run last completed: the data its datasets hold is up to then (Qlik's `dataTaskUpdatedTo`). */
  updatedTo?: number;
}

export interface SimDataProject {
  id: string;
  name: string;
  spaceId: string;
  ownerId: string;
}

export interface SimDataIntegration {
  projects: SimDataProject[];
  tasks: SimDataTask[];
  /** The key's user may not read data projects: every `/api/v1/di-projects` request answers 403 (the reloads still answer). */
  forbidden: boolean;
  addProject(p: { id?: string; name: string }): SimDataProject;
  addTask(t: { id?: string; projectId: string; name: string; type?: DataTaskType; datasets: SimDataset[] }): SimDataTask;
  /** A run that ends now as given: COMPLETED updates its datasets (their on-dataset-updated tasks start). */
  run(taskId: string, outcome: "completed" | "failed" | "stopped" | "running", message?: string): SimDataTask;
}

export interface SimDataIntegrationDeps {
  now: () => number;
  spaceId: string;
  ownerId: string;
  /** A dataset was updated: the tenant's tasks triggered by it start. */
  datasetUpdated: (datasetId: string) => void;
}

let seq = 0;
const newId = (prefix: string) => `${prefix}${(++seq).toString(16).padStart(8, "0")}${Date.now().toString(16).slice(-8)}`;

export function createSimDataIntegration(d: SimDataIntegrationDeps): SimDataIntegration {
  const di: SimDataIntegration = {
    projects: [],
    tasks: [],
    forbidden: false,
    addProject(p) {
      const project = { id: p.id ?? newId("dp"), name: p.name, spaceId: d.spaceId, ownerId: d.ownerId };
      di.projects.push(project);
      return project;
    },
    addTask(t) {
      const task: SimDataTask = { id: t.id ?? newId("dt"), projectId: t.projectId, name: t.name, type: t.type ?? "QVD_STORAGE", datasets: t.datasets };
      di.tasks.push(task);
      return task;
    },
    run(taskId, outcome, message) {
      const task = di.tasks.find((t) => t.id === taskId);
      if (!task) throw new Error(`no data task ${taskId}`);
      const now = d.now();
      if (outcome === "running") {
        task.lastRun = { state: "RUNNING", startTime: now };
        return task;
      }
      const state = outcome === "completed" ? "COMPLETED" : outcome === "failed" ? "FAILED" : "CANCELED";
      const startTime = task.lastRun?.state === "RUNNING" ? task.lastRun.startTime : now;
      task.lastRun = {
        state,
        startTime,
        endTime: now,
        ...(message ? { message } : {}),
        ...(outcome === "failed"
          ? { errors: [{ code: "DI-TASK-FAILED", title: "Data task failed", detail: message ?? "The task stopped with an error" }] }
          : {}),
      };
      if (state === "COMPLETED") {
        task.updatedTo = now;
        for (const ds of task.datasets) d.datasetUpdated(ds.datasetId);
      }
      return task;
    },
  };
  return di;
}
