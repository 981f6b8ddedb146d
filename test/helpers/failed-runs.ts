// Failed runs as the Scheduler's path delivers them, for the tests of causes, incidents and on-call channels: a run
// that failed reading a source (a connection refused by it: the same source's failures are one cause), and the way
// such a run opens its task's incident on its way to the bus.
import type { TaskEvent } from "../../src/platform/events/types";
import { syntheticTaskEvent } from "../../src/tell/notify/samples";
import type { TestApp } from "./app";

export interface FailedRunOptions {
  /** The source the run could not reach; without one the run failed as the sample event does. */
  source?: string;
  /** The node that ran it. */
  host?: string;
}

/** Run `n` of task `task-<n>` (app `app-<n>`) failed, heard by UDP. */
export function failedRun(n: number | string, o: FailedRunOptions = {}): TaskEvent {
  const e: TaskEvent = {
    ...syntheticTaskEvent({
      outcome: "failed",
      taskName: `Load ${n}`,
      taskId: `task-${n}`,
      appName: `App ${n}`,
      appId: `app-${n}`,
      ...(o.host ? { host: o.host } : {}),
    }),
    source: "udp",
  };
  if (o.source) return withSourceFailure(e, o.source);
  return e;
}

/** `e` failed because `source` refused the connection: the error line and a script log whose third line says so. */
export function withSourceFailure(e: TaskEvent, source: string): TaskEvent {
  e.errorClass = "connection";
  e.errorLine = `Error: Connection refused (${source})`;
  e.scriptLog = {
    head: ["Execution started.", `LIB CONNECT TO '${source}'`, "Error: Connection refused"],
    tail: [],
    totalLines: 3,
    sizeBytes: 80,
    failureLines: [3],
  };
  return e;
}

/** As heard from the Scheduler: the run opens (or joins) its task's incident, then goes to the bus. */
export async function emitFailure(t: TestApp, e: TaskEvent): Promise<void> {
  const [annotated] = await t.app.incidents!.annotate(e);
  await t.app.bus.emit(annotated!.kind, annotated!);
}
