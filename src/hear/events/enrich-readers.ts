// The batched QRS reads of task enrichment (see qrs-batch-reader.ts): tasks, apps, owners and executions are kept
// for a short time, for runs heard of before they were read, so a burst of failures of the same tasks reads each
// once. A run waiting in the intake's queue has its reads asked for at once (prefetchRun): the runs of a burst then
// share requests, however few of them are enriched at the same time.
import type { Clock } from "../../platform/core/clock";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { ZERO_GUID, type QrsApp, type QrsExecutionResult, type QrsTask, type QrsUser } from "../../platform/qlik/qrs-schemas";
import { taskTypeOf } from "./enrich-mappers";
import type { QueuedRun, RunReport } from "./run-report";
import { createBatchReader, type BatchReader } from "../../platform/qlik/qrs-batch-reader";

/** How long a task, app, owner or execution read serves runs heard of before it was read. */
export const ENRICH_CACHE_TTL_MS = 30_000;

export interface EnrichReaders {
  task: BatchReader<QrsTask>;
  app: BatchReader<QrsApp>;
  user: BatchReader<QrsUser>;
  /** By executionID: one row per attempt of the run (re-reads while it ends ask for rows read from then on). */
  execution: BatchReader<QrsExecutionResult>;
  /** Requests all four have sent. */
  readonly requests: number;
}

export function createEnrichReaders(qrs: QrsClient, clock: Clock, ttlMs = ENRICH_CACHE_TTL_MS): EnrichReaders {
  const byId = { field: "id", keyOf: (row: { id: string }) => row.id, clock, ttlMs };
  const task = createBatchReader<QrsTask>({ ...byId, what: "task", fetch: (f, o) => qrs.listTasksFull(f, o) });
  const app = createBatchReader<QrsApp>({ ...byId, what: "app", fetch: (f, o) => qrs.listAppsFull(f, o) });
  const user = createBatchReader<QrsUser>({ ...byId, what: "user", fetch: (f, o) => qrs.listUsersFull(f, o) });
  const execution = createBatchReader<QrsExecutionResult>({
    what: "execution",
    field: "executionID",
    keyOf: (row) => row.executionID,
    fetch: (f, o) => qrs.getExecutionResults(f, o),
    clock,
    ttlMs,
  });
  return {
    task,
    app,
    user,
    execution,
    get requests() {
      return task.requests + app.requests + user.requests + execution.requests;
    },
  };
}

/**
 * Asks for the reads the enrichment of `r` will make (its task; once QRS knows the task, its app, the app's owner
 * and the run's execution), without waiting: they join the batches of the runs ahead of it and are kept for it. A
 * datagram naming a task QRS does not know still costs one lookup. Failures are left to the enrichment, which reads
 * again. `taskKnown` hears of the run once its task is read, so a later stage may start its own reads.
 */
export function prefetchRun(readers: EnrichReaders, r: RunReport, timeoutMs: number, nowMs: number, taskKnown?: (q: QueuedRun) => void): void {
  // A distribution's event is enriched once its outcome is polled, minutes later: nothing to share now.
  if (r.deniedByQrs || r.distribute) return;
  const o = { timeoutMs, notBefore: r.heardAtMs ?? nowMs };
  const afterTask = async ([task]: QrsTask[]) => {
    if (!task) return;
    const last = task.operational?.lastExecutionResult?.executionID?.toLowerCase();
    const taskType = taskTypeOf(task.taskType);
    if (taskKnown && taskType) {
      const startTime = r.execution?.startTime ?? (last === r.executionId ? task.operational?.lastExecutionResult?.startTime : undefined);
      taskKnown({ report: r, taskType, ...(startTime ? { startTime } : {}) });
    }
    const needsExecution = r.executionIdAsSent === undefined && !r.execution && last !== r.executionId;
    const appId = r.appId ?? (task.app?.id && task.app.id !== ZERO_GUID ? task.app.id : undefined);
    await Promise.all([
      needsExecution ? readers.execution.read(r.executionId, o) : undefined,
      appId ? readers.app.read(appId, o).then(([app]) => (app?.owner?.id ? readers.user.read(app.owner.id, o) : undefined)) : undefined,
    ]);
  };
  readers.task
    .read(r.taskId, o)
    .then(afterTask)
    .catch(() => undefined);
}
