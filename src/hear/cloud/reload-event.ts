// A finished Qlik Cloud reload as a task event, so routes, channels, templates, incidents and the dashboard treat
// it like an on-premise run: SUCCEEDED → task.succeeded, FAILED and EXCEEDED_LIMIT → task.failed, CANCELED →
// task.aborted. A Cloud reload has no task: the app is the task (its id and name), the space is the stream.
import { scriptLogExcerpt } from "../events/enrich-mappers";
import type { TaskEvent, TaskOutcome } from "../../platform/events/types";
import type { CloudReload } from "./cloud-client";

export const FINAL: Record<string, TaskOutcome> = { SUCCEEDED: "succeeded", FAILED: "failed", EXCEEDED_LIMIT: "failed", CANCELED: "aborted" };
export const IN_PROGRESS = new Set(["QUEUED", "RELOADING", "CANCELING"]);
const QRS_CODE: Record<TaskOutcome, number> = { succeeded: 7, failed: 8, aborted: 6 };

const TYPE_TEXT: Record<string, string> = {
  hub: "started in the hub or the data load editor",
  chronos: "scheduled",
  external: "started through the API",
  automations: "started by an automation",
};

export interface CloudAppInfo {
  name: string;
  spaceName?: string;
  owner?: { id: string; name?: string; email?: string };
}

export interface CloudEventInput {
  tenant: { name: string; url: string };
  reload: CloudReload;
  app: CloudAppInfo | undefined;
  log: string | undefined;
  /** Why an item is missing (the log or the app could not be read). */
  missing: Array<{ item: string; reason: string }>;
  nowMs: number;
  logLines: { head: number; tail: number };
}

const ms = (s: string | null | undefined) => {
  const t = s ? Date.parse(s) : Number.NaN;
  return Number.isFinite(t) ? t : undefined;
};

export function cloudReloadEvent(i: CloudEventInput): TaskEvent {
  const r = i.reload;
  const outcome = FINAL[r.status]!;
  const host = new URL(i.tenant.url).host;
  const appName = i.app?.name ?? r.appId;
  const start = ms(r.startTime) ?? ms(r.creationTime);
  const stop = ms(r.endTime);
  const details = [
    ...(r.type
      ? [
          {
            message: `Qlik Cloud reload ${TYPE_TEXT[r.type] ?? `of type ${r.type}`} (tenant ${i.tenant.name})`,
            detailsType: 2,
            createdDate: r.creationTime ?? "",
          },
        ]
      : []),
    ...(r.status === "EXCEEDED_LIMIT"
      ? [{ message: "The reload exceeded a limit of the tenant (time, memory or size)", detailsType: 0, createdDate: r.endTime ?? "" }]
      : []),
    ...(r.errorMessage ? [{ message: `${r.errorCode ? `${r.errorCode}: ` : ""}${r.errorMessage}`, detailsType: 0, createdDate: r.endTime ?? "" }] : []),
  ];
  const owner = i.app?.owner;
  return {
    id: `cloud:${i.tenant.name}:${r.id}:${outcome}`,
    kind: `task.${outcome}`,
    outcome,
    taskType: "reload",
    source: "cloud",
    receivedAt: new Date(i.nowMs).toISOString(),
    host,
    executionId: r.id,
    user: owner && r.userId === owner.id && owner.name ? owner.name : (r.userId ?? ""),
    task: { id: r.appId, name: `${appName} (Qlik Cloud reload)`, tags: ["Qlik Cloud"], customProperties: [], isPartialReload: r.partial === true },
    app: {
      id: r.appId,
      name: appName,
      ...(i.app?.spaceName ? { stream: i.app.spaceName } : {}),
      tags: [],
      customProperties: [],
      ...(owner
        ? {
            owner: {
              id: owner.id,
              userDirectory: "QLIKCLOUD",
              userId: owner.id,
              ...(owner.name ? { name: owner.name } : {}),
              emails: owner.email ? [owner.email] : [],
            },
          }
        : {}),
    },
    execution: {
      executionResultId: r.id,
      statusCode: QRS_CODE[outcome],
      status: r.status,
      ...(r.startTime ? { startTime: r.startTime } : {}),
      ...(r.endTime ? { stopTime: r.endTime } : {}),
      ...(start !== undefined && stop !== undefined ? { durationMs: Math.max(0, stop - start) } : {}),
      executingNode: host,
      details,
    },
    ...(i.log !== undefined ? { scriptLog: scriptLogExcerpt(i.log, i.logLines.head, i.logLines.tail, 1024 * 1024) } : {}),
    links: { hubApp: `${i.tenant.url.replace(/\/+$/, "")}/sense/app/${r.appId}` },
    complete: i.missing.length === 0,
    missing: i.missing,
  };
}
