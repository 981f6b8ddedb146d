// The simulated tenant's Data Integration Projects API, as Qlik publishes it (@qlik/api `di-projects`):
// `GET /api/v1/di-projects` (ListDiProjectsRsp), `GET /api/v1/di-projects/{projectId}/di-tasks` (ListDataTasksRsp),
// `GET …/di-tasks/{dataTaskId}/runtime/state` (DataTaskRuntimeState) and `GET …/runtime/state/datasets`
// (ListDataTaskDatasetsRsp). Errors as Qlik's Errors type. The answers are typed by Qlik's own types, so a shape that
// differs from theirs does not compile.
import type {
  DataTaskItemRsp,
  DataTaskRuntimeState,
  DiProjectItemRsp,
  ListDataTaskDatasetsRsp,
  ListDataTasksRsp,
  ListDiProjectsRsp,
} from "@qlik/api/di-projects";
import { json } from "../util/http";
import { apiError } from "./api-error";
import type { SimDataIntegration, SimDataTask } from "./data-integration";

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
/** Qlik's duration: HH:MM:SS. */
const hms = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
};

const renderProject = (p: SimDataIntegration["projects"][number]): DiProjectItemRsp => ({
  id: p.id,
  name: p.name,
  description: "",
  ownerId: p.ownerId,
  spaceId: p.spaceId,
  platformType: "QLIK_QVD",
  type: "DATA_PIPELINE",
});

const renderTask = (t: SimDataTask, spaceId: string, ownerId: string): DataTaskItemRsp => ({
  id: t.id,
  name: t.name,
  type: t.type,
  description: "",
  spaceId,
  ownerId,
});

/**
 * A data task's runtime state as Qlik's DataTaskRuntimeState, with every field of Qlik's example response: a simulated
 * task is a full load through one gateway, so its change-data-capture, streaming and last-batch figures are zero.
 */
function renderState(t: SimDataTask): DataTaskRuntimeState {
  const r = t.lastRun;
  const failed = r?.state === "FAILED" ? t.datasets.length : 0;
  const running = r?.state === "RUNNING" || r?.state === "STARTING";
  const n = t.datasets.length;
  return {
    name: t.name,
    type: t.type,
    runReadiness: running
      ? { state: "ALREADY_RUNNING", message: "The data task is running" }
      : { state: "READY_TO_RUN", message: "The data task is ready to run" },
    ...(r
      ? {
          lastRun: {
            state: r.state,
            startTime: iso(r.startTime),
            ...(r.endTime !== undefined ? { endTime: iso(r.endTime), duration: hms(r.endTime - r.startTime) } : {}),
            ...(r.message ? { message: r.message } : {}),
            ...(r.errors ? { errors: r.errors } : {}),
            general: {
              datasetCount: n,
              datasetsInErrorCount: failed,
              gatewayId: `gateway-${t.projectId}`,
              gatewayName: "Data Movement gateway (simulated)",
              gatewayTaskName: t.name,
              lakehouseClusterId: "",
              lakehouseClusterName: "",
              ...(t.updatedTo !== undefined ? { dataTaskUpdatedTo: iso(t.updatedTo), liveViewsUpdatedTo: iso(t.updatedTo) } : {}),
            },
            fullLoad: {
              completedCount: r.state === "COMPLETED" ? n : 0,
              errorCount: failed,
              loadingCount: running ? n : 0,
              queuedCount: 0,
            },
            cdcStatus: {
              latency: "00:00:00",
              accumulatingChangesCount: 0,
              applyingChangesCount: 0,
              incomingChangesCount: 0,
              throughputInKilobytesPerSecond: 0,
              totalProcessedCount: 0,
            },
            streaming: { latency: "00:00:00", errorCount: 0, queuedCount: 0, runningCount: 0, totalProcessedCount: 0 },
            lastBatchOfChanges: {
              relatesToRecordsFrom: iso(r.startTime),
              relatesToRecordsTo: iso(r.endTime ?? r.startTime),
              throughputInRecordsPerSecond: 0,
              totalProcessedCount: 0,
            },
            traceId: `trace-${t.id}-${r.startTime}`,
          },
        }
      : {}),
  };
}

/** The datasets' runtime state as Qlik's ListDataTaskDatasetsRsp, with every field of Qlik's example (zero where a full load has no figure). */
function renderDatasets(t: SimDataTask): ListDataTaskDatasetsRsp {
  const r = t.lastRun;
  const state = r?.state === "FAILED" ? "ERROR" : r?.state === "COMPLETED" ? "COMPLETED" : "QUEUED";
  const message = state === "ERROR" ? (r?.message ?? "The data task failed") : "";
  const times = r
    ? { startTime: iso(r.startTime), ...(r.endTime !== undefined ? { endTime: iso(r.endTime), duration: hms(r.endTime - r.startTime) } : {}) }
    : {};
  const zeroFiles = { processedCount: 0, volume: "0 B" };
  return {
    datasets: t.datasets.map((d) => ({
      datasetId: d.datasetId,
      name: d.name,
      sourceName: d.name,
      dataReadiness: state === "ERROR" ? "ERROR" : state === "COMPLETED" ? "READY" : "NOT_READY",
      ...(r
        ? {
            fullLoad: {
              state,
              ...times,
              message,
              fileStats: zeroFiles,
              cachedChangesCount: 0,
              failedRecordsCount: 0,
              totalProcessedCount: 0,
            },
            cdcStatus: {
              state: "QUEUED",
              message: "",
              ddlCount: 0,
              deleteCount: 0,
              insertCount: 0,
              updateCount: 0,
              lastProcessed: iso(r.startTime),
              totalProcessedCount: 0,
              incomingChangesCount: 0,
              unoptimizedRecordsCount: 0,
            },
            streaming: {
              state: "QUEUED",
              message: "",
              lastProcessed: iso(r.startTime),
              parseIssueCount: 0,
              recordsWrittenCount: 0,
              totalProcessedCount: 0,
              recordsFilteredCount: 0,
              unoptimizedRecordsCount: 0,
            },
            lastBatchOfChanges: {
              state: "QUEUED",
              ...times,
              message: "",
              fileStats: zeroFiles,
              operationStats: { deleteCount: 0, failedCount: 0, insertCount: 0, updateCount: 0 },
              totalProcessedCount: 0,
              throughputInRecordsPerSecond: 0,
            },
          }
        : {}),
    })),
  };
}

const PATH = /^\/api\/v1\/di-projects(?:\/([^/]+)\/di-tasks(?:\/([^/]+)\/runtime\/state(\/datasets)?)?)?$/;

export function handleDataIntegration(di: SimDataIntegration, req: Request, path: string): Response | undefined {
  if (!path.startsWith("/api/v1/di-projects")) return undefined;
  if (di.forbidden) return apiError(403, "Forbidden", "HTTP-403");
  const m = PATH.exec(path);
  if (req.method !== "GET" || !m) return apiError(404, "Not Found", "HTTP-404");
  const [, projectId, taskId, datasets] = m;
  if (!projectId) return json(200, { projects: di.projects.map(renderProject) } satisfies ListDiProjectsRsp);
  const project = di.projects.find((p) => p.id === decodeURIComponent(projectId));
  if (!project) return apiError(404, "Project not found", "HTTP-404");
  const tasks = di.tasks.filter((t) => t.projectId === project.id);
  if (!taskId) return json(200, { dataTasks: tasks.map((t) => renderTask(t, project.spaceId, project.ownerId)) } satisfies ListDataTasksRsp);
  const task = tasks.find((t) => t.id === decodeURIComponent(taskId));
  if (!task) return apiError(404, "Data task not found", "HTTP-404");
  return json(200, datasets ? renderDatasets(task) : renderState(task));
}
