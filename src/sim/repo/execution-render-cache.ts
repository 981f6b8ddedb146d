// Rendered execution results, kept per record until it changes: `GET /qrs/executionresult/full` renders every run
// the repository keeps (up to 5,000) on each call, and a watchdog asks every minute; a finished run never changes,
// so most answers are assembled from renders already made instead of thousands of date formats per call.
import type { ExecutionRecord } from "./repository";
import { type Json, type RenderOptions, renderExecution } from "./render-common";

/** What renderExecution reads that changes while a run goes on (or when the control API edits it). */
interface Version {
  status: ExecutionRecord["status"];
  startMs: ExecutionRecord["startMs"];
  stopMs: ExecutionRecord["stopMs"];
  modifiedMs: ExecutionRecord["modifiedMs"];
  createdMs: ExecutionRecord["createdMs"];
  details: number;
  fileReferenceID: ExecutionRecord["fileReferenceID"];
  scriptLogLocation: ExecutionRecord["scriptLogLocation"];
  scriptLogSize: ExecutionRecord["scriptLogSize"];
  appId: ExecutionRecord["appId"];
  taskId: ExecutionRecord["taskId"];
  nodeId: ExecutionRecord["nodeId"];
  nodeName: ExecutionRecord["nodeName"];
  executionID: ExecutionRecord["executionID"];
  privileges: RenderOptions["privileges"];
}
const versionOf = (e: ExecutionRecord, opts: RenderOptions): Version => ({
  status: e.status,
  startMs: e.startMs,
  stopMs: e.stopMs,
  modifiedMs: e.modifiedMs,
  createdMs: e.createdMs,
  details: e.details.length,
  fileReferenceID: e.fileReferenceID,
  scriptLogLocation: e.scriptLogLocation,
  scriptLogSize: e.scriptLogSize,
  appId: e.appId,
  taskId: e.taskId,
  nodeId: e.nodeId,
  nodeName: e.nodeName,
  executionID: e.executionID,
  privileges: opts.privileges,
});
// Compared field by field against the record itself: every query checks every kept run, so nothing is built for it.
const unchanged = (v: Version, e: ExecutionRecord, opts: RenderOptions) =>
  v.status === e.status &&
  v.modifiedMs === e.modifiedMs &&
  v.stopMs === e.stopMs &&
  v.startMs === e.startMs &&
  v.createdMs === e.createdMs &&
  v.details === e.details.length &&
  v.fileReferenceID === e.fileReferenceID &&
  v.scriptLogLocation === e.scriptLogLocation &&
  v.scriptLogSize === e.scriptLogSize &&
  v.appId === e.appId &&
  v.taskId === e.taskId &&
  v.nodeId === e.nodeId &&
  v.nodeName === e.nodeName &&
  v.executionID === e.executionID &&
  v.privileges === opts.privileges;

// Keyed by the records themselves (weakly), so simulators in one process share no state through it and a record the
// repository drops takes its render with it.
const cache = new WeakMap<ExecutionRecord, { version: Version; json: Json }>();

/** The record rendered as QRS shows it; callers must not change the object (it is shared between answers). */
export function renderExecutionCached(e: ExecutionRecord, opts: RenderOptions): Json {
  const hit = cache.get(e);
  if (hit && unchanged(hit.version, e, opts)) return hit.json;
  const json = renderExecution(e, opts);
  cache.set(e, { version: versionOf(e, opts), json });
  return json;
}
