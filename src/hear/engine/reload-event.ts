// A reload outside the Scheduler as a task event (app.reload_failed, app.reload_succeeded), in the shape Qlik Cloud's
// reloads already have (src/hear/cloud/reload-event.ts): the app is the task, the user who started it and the node
// are named, the Engine's failing lines are the message, and the script log, when Steward could read it, goes along.
import type { ExecutionDetail, ScriptLogExcerpt, TaskEvent } from "../../platform/events/types";
import type { FinishedReload } from "./reload-tracker";

export interface ReloadEventInput {
  run: FinishedReload;
  app: NonNullable<TaskEvent["app"]> | undefined;
  scriptLog?: ScriptLogExcerpt;
  /** Why an item is missing (the app, its owner, the script log). */
  missing: Array<{ item: string; reason: string }>;
  /** Why it is alerted (engineReloads.alertFor…), for the details. */
  reason: string;
  links?: TaskEvent["links"];
  nowMs: number;
  /** The user's name as QRS lists it, beside DIRECTORY\userid. */
  userName?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Whether the reload came through the Qlik Proxy, as the Engine's ProxySessionId tells ("0": it did not). */
export const startedVia = (run: FinishedReload): "proxy" | "engine-api" => (run.proxySessionId !== "" && run.proxySessionId !== "0" ? "proxy" : "engine-api");

/** Where the reload was started from, in words. */
export function startedFrom(run: FinishedReload): string {
  return startedVia(run) === "proxy"
    ? "in the hub or the data load editor (through the Qlik Proxy)"
    : "through the Engine API, not through the Qlik Proxy (an integration, a mashup, a script)";
}

export function engineReloadEvent(i: ReloadEventInput): TaskEvent {
  const { run } = i;
  const failed = run.outcome === "failed";
  const kind = failed ? "app.reload_failed" : "app.reload_succeeded";
  const appName = i.app?.name ?? run.appId;
  const user = run.user || "(not named by the Engine)";
  const start = run.startMs;
  const details: ExecutionDetail[] = [
    {
      message: `Reload started outside the Scheduler by ${i.userName ? `${i.userName} (${user})` : user}, ${startedFrom(run)}, on ${run.node}`,
      detailsType: 2,
      createdDate: iso(start ?? run.endMs),
    },
    ...run.lines.map((message) => ({ message, detailsType: 0, createdDate: iso(run.endMs) })),
    ...(failed ? [{ message: `Alerted: ${i.reason}`, detailsType: 2, createdDate: iso(run.endMs) }] : []),
  ];
  return {
    id: `engine:${run.key}:${run.outcome}`,
    kind,
    outcome: run.outcome,
    taskType: "reload",
    source: "engine",
    receivedAt: iso(i.nowMs),
    host: run.node,
    executionId: `engine:${run.key}`,
    user,
    startedVia: startedVia(run),
    logTimestamp: iso(run.endMs),
    logLevel: failed ? "ERROR" : "INFO",
    logMessage: failed ? run.lines.join("\n") || "The Engine reported the reload failed" : "The Engine reported the reload finished",
    task: { id: run.appId, name: `${appName} (reload outside the Scheduler)`, tags: [], customProperties: [] },
    app: i.app ?? { id: run.appId, name: appName, tags: [], customProperties: [] },
    execution: {
      statusCode: failed ? 8 : 7,
      status: failed ? "FinishedFail" : "FinishedSuccess",
      ...(start !== undefined ? { startTime: iso(start), durationMs: Math.max(0, run.endMs - start) } : {}),
      stopTime: iso(run.endMs),
      executingNode: run.node,
      details,
    },
    ...(i.scriptLog ? { scriptLog: i.scriptLog } : {}),
    ...(i.links ? { links: i.links } : {}),
    complete: i.missing.length === 0,
    missing: i.missing,
  };
}
