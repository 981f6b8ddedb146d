// What a retry of an open incident's task would do if approved now, said before anyone confirms (issue 105, dryRun):
// the task, when it would start (the delay asked), on which node it last ran and that node's engines now, and for each
// freshness promise whose chain it feeds when its app would be fresh. A retry is started at its time whatever the
// engines: on a full node Qlik's Scheduler queues it, so the preview says so rather than a start time it cannot keep.
// Nothing is recorded or started.
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { eq } from "../../platform/qlik/qrs-filter";
import { type EnginePort, hasFreeEngine } from "./engine-room";
import { enginesOf, promisesFed, type RerunPreview, type RerunPreviewDeps } from "./rerun-preview";

export interface RetryPreviewDeps extends Pick<RerunPreviewDeps, "promises" | "formatTime"> {
  qrs: Pick<QrsClient, "listTasksFull">;
  engines?: EnginePort;
}

export interface RetryPreview {
  dryRun: true;
  incident: { id: number; title: string };
  task: { id: string; name: string };
  /** When the worker would start it: now plus the delay asked. */
  startsAt: string;
  /** The node its last run ran on (absent: it has not run, or QRS did not say); the Scheduler may pick another. */
  node?: string;
  /** That node's engines now; absent when the node or its Scheduler limit is unknown. */
  engines?: { busy: number; max: number; waiting: number; free: boolean };
  /** When it would start and what it would meet there, in words. */
  startsWhen: string;
  promises: RerunPreview["promises"];
}

export async function previewRetry(
  deps: RetryPreviewDeps,
  incident: { id: number; title: string; taskId: string },
  delayMs: number,
  now: number,
): Promise<RetryPreview> {
  const due = now + delayMs;
  const [task] = await deps.qrs.listTasksFull(eq("id", incident.taskId)).catch(() => []);
  const node = task?.operational?.lastExecutionResult?.executingNodeName ?? undefined;
  const room = node && deps.engines ? await deps.engines.roomOn(node, now).catch(() => undefined) : undefined;
  const when = delayMs <= 0 ? "now" : `at ${deps.formatTime(due)}`;
  const where = node ? ` (it last ran on ${node}; the Scheduler picks the node)` : "";
  const meets = !room
    ? ""
    : hasFreeEngine(room)
      ? `; ${room.node} has a free engine now (${room.busy} of ${room.max} busy, none waiting)`
      : `; ${room.node} has no free engine now (${room.busy} of ${room.max} busy, ${room.waiting} waiting): Qlik's Scheduler queues the run until one is free`;
  return {
    dryRun: true,
    incident: { id: incident.id, title: incident.title },
    task: { id: incident.taskId, name: task?.name ?? incident.title },
    startsAt: new Date(due).toISOString(),
    ...(node ? { node } : {}),
    ...(room ? { engines: { busy: room.busy, max: room.max, waiting: room.waiting, free: hasFreeEngine(room) } } : {}),
    startsWhen: `started ${when}${where}${meets}`,
    promises: await promisesFed(deps, [{ taskId: incident.taskId, dueMs: due, ...(enginesOf(room) ? { engines: enginesOf(room)! } : {}) }]),
  };
}
