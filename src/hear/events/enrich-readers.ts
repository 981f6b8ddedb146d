// The batched QRS reads of task enrichment (see qrs-batch-reader.ts): tasks, apps and owners are kept for a short
// time, so a burst of failures of the same tasks reads each once; executions change while a run ends and are
// batched but never kept.
import type { Clock } from "../../platform/core/clock";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { QrsApp, QrsExecutionResult, QrsTask, QrsUser } from "../../platform/qlik/qrs-schemas";
import { createBatchReader, type BatchReader } from "./qrs-batch-reader";

/** How long a task, app or owner read serves runs heard of before it was read. */
export const ENRICH_CACHE_TTL_MS = 30_000;

export interface EnrichReaders {
  task: BatchReader<QrsTask>;
  app: BatchReader<QrsApp>;
  user: BatchReader<QrsUser>;
  /** By executionID: one row per attempt of the run. */
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
    ttlMs: 0,
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
