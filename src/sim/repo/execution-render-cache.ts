// Rendered execution results, kept per record until it changes: `GET /qrs/executionresult/full` renders every run
// the repository keeps (up to 5,000) on each call, and a watchdog asks every minute; a finished run never changes,
// so most answers are assembled from renders already made instead of thousands of date formats per call.
import type { ExecutionRecord } from "./repository";
import { type Json, type RenderOptions, renderExecution } from "./render-common";

/** What renderExecution reads that changes while a run goes on (or when the control API edits it). */
const versionOf = (e: ExecutionRecord, opts: RenderOptions): unknown[] => [
  e.status,
  e.startMs,
  e.stopMs,
  e.modifiedMs,
  e.createdMs,
  e.details.length,
  e.fileReferenceID,
  e.scriptLogLocation,
  e.scriptLogSize,
  e.appId,
  e.taskId,
  e.nodeId,
  e.nodeName,
  e.executionID,
  opts.privileges,
];
const same = (a: unknown[], b: unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

// Keyed by the records themselves (weakly), so simulators in one process share no state through it and a record the
// repository drops takes its render with it.
const cache = new WeakMap<ExecutionRecord, { version: unknown[]; json: Json }>();

/** The record rendered as QRS shows it; callers must not change the object (it is shared between answers). */
export function renderExecutionCached(e: ExecutionRecord, opts: RenderOptions): Json {
  const version = versionOf(e, opts);
  const hit = cache.get(e);
  if (hit && same(hit.version, version)) return hit.json;
  const json = renderExecution(e, opts);
  cache.set(e, { version, json });
  return json;
}
