// Compact JSON views of simulator state for the control API (tasks, executions, apps).
import type { ExecutionRecord, Repository, TaskState } from "../repo/repository";
import type { TaskRunner } from "../tasks/runner";
import { STATUS_NAMES } from "../tasks/runner";
import { NEVER, iso } from "../util/time";

const TYPE_NAMES = ["reload", "externalProgram", "userSync", "distribute", "preload"] as const;

export function taskSummary(repo: Repository, t: TaskState) {
  const last = t.lastExecutionResultId ? repo.executions.get(t.lastExecutionResultId) : undefined;
  return {
    id: t.model.id,
    name: t.model.name,
    type: TYPE_NAMES[t.model.taskType],
    taskType: t.model.taskType,
    enabled: t.model.enabled,
    appId: t.model.appId ?? null,
    running: t.runningSession !== undefined,
    runningExecutionId: t.runningSession ?? null,
    outcome: t.model.outcome,
    durationMs: t.model.durationMs,
    maxRetries: t.model.maxRetries,
    schedule: t.model.schedule ?? null,
    nextExecution: t.nextExecutionMs === undefined ? NEVER : iso(t.nextExecutionMs),
    lastExecutionResultId: last?.id ?? null,
    lastStatus: last?.status ?? 0,
    lastStatusName: STATUS_NAMES[last?.status ?? 0],
  };
}

export function executionSummary(repo: Repository, e: ExecutionRecord) {
  return {
    id: e.id,
    executionId: e.executionID,
    taskId: e.taskId,
    taskName: repo.findTask(e.taskId)?.model.name ?? "",
    attempt: e.attempt,
    status: e.status,
    statusName: STATUS_NAMES[e.status] ?? String(e.status),
    node: e.nodeName,
    startTime: e.startMs === undefined ? null : iso(e.startMs),
    stopTime: e.stopMs === undefined ? null : iso(e.stopMs),
    duration: e.startMs !== undefined && e.stopMs !== undefined ? e.stopMs - e.startMs : null,
    fileReferenceID: e.fileReferenceID,
    scriptLogSize: e.scriptLogSize,
    details: e.details.map((d) => d.message),
  };
}

export function appSummary(repo: Repository, id: string) {
  const a = repo.findApp(id)!;
  return {
    id: a.model.id,
    name: a.model.name,
    stream: repo.site.streams.find((s) => s.id === a.model.streamId)?.name ?? null,
    lastReloadTime: iso(a.lastReloadMs),
    reload: a.model.reload,
  };
}

export function stateSnapshot(repo: Repository, runner: TaskRunner) {
  return {
    tasks: [...repo.tasks.values()].map((t) => taskSummary(repo, t)),
    running: runner.runningSessions(),
    executions: [...repo.executions.values()].slice(-200).map((e) => executionSummary(repo, e)),
    apps: [...repo.apps.keys()].map((id) => appSummary(repo, id)),
  };
}
