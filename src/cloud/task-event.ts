// A final Qlik Cloud reload as the same task event an on-premise reload task gives (task.failed, task.succeeded,
// task.aborted), so routes, channels, templates, incidents and the dashboard treat both alike. The "task" of a
// Cloud reload is its app in its tenant: hub, script-editor, API and scheduled reloads of one app share a history.
import { scriptLogExcerpt } from "../events/enrich-mappers";
import type { CloudReloadRef, ExecutionInfo, ScriptLogExcerpt, TaskEvent } from "../events/types";
import type { CloudAppInfo } from "./metadata";
import { FINAL_STATUSES, timeMs, type CloudReload } from "./reloads";

export interface CloudTenantRef {
  name: string;
  url: string;
}

export interface CloudRunInput {
  tenant: CloudTenantRef;
  reload: CloudReload;
  app?: CloudAppInfo;
  /** Display name of the user who started the reload. */
  userName?: string;
  /** The reload's full log (failures), and whether only its end was read. */
  log?: { text: string; cut: boolean };
  limits: { head: number; tail: number; maxTextBytes: number };
  missing: Array<{ item: string; reason: string }>;
  receivedAt: string;
}

/** QRS status codes the rest of Steward knows (7 FinishedSuccess, 8 FinishedFail, 6 Aborted). */
const STATUS_CODES: Record<string, number> = { SUCCEEDED: 7, FAILED: 8, EXCEEDED_LIMIT: 8, CANCELED: 6 };

/** The task id of a Cloud app's reloads: the tenant's name keeps apps of two tenants apart. */
export const cloudTaskId = (tenant: string, appId: string) => `cloud:${tenant}:${appId}`;

export function cloudTaskEvent(i: CloudRunInput): TaskEvent {
  const r = i.reload;
  const outcome = FINAL_STATUSES[r.status];
  if (!outcome) throw new Error(`reload ${r.id} is not final (${r.status})`);
  const host = new URL(i.tenant.url).hostname;
  const appName = i.app?.name ?? r.appId;
  const start = timeMs(r.startTime);
  const stop = timeMs(r.endTime);
  const message = r.errorMessage ?? (r.status === "EXCEEDED_LIMIT" ? "The reload exceeded the tenant's limit." : undefined);
  const execution: ExecutionInfo = {
    executionResultId: r.id,
    statusCode: STATUS_CODES[r.status]!,
    status: r.status,
    ...(r.startTime ? { startTime: r.startTime } : {}),
    ...(r.endTime ? { stopTime: r.endTime } : {}),
    ...(start !== undefined && stop !== undefined ? { durationMs: Math.max(0, stop - start) } : {}),
    executingNode: host,
    details: message ? [{ message, detailsType: outcome === "succeeded" ? 1 : 3, createdDate: r.endTime ?? i.receivedAt }] : [],
  };
  let scriptLog: ScriptLogExcerpt | undefined;
  if (i.log) {
    scriptLog = scriptLogExcerpt(i.log.text, i.limits.head, i.limits.tail, i.limits.maxTextBytes);
    if (i.log.cut) scriptLog.truncated = true;
  }
  const cloud: CloudReloadRef = {
    tenant: i.tenant.name,
    tenantUrl: i.tenant.url,
    reloadId: r.id,
    status: r.status,
    type: r.type ?? "unknown",
    partial: r.partial ?? false,
    ...(r.tenantId ? { tenantId: r.tenantId } : {}),
    ...(r.errorCode ? { errorCode: r.errorCode } : {}),
    ...(message ? { errorMessage: message } : {}),
    ...(i.app?.spaceId ? { spaceId: i.app.spaceId } : {}),
  };
  const base = i.tenant.url.replace(/\/+$/, "");
  const event: TaskEvent = {
    id: `cloud:${i.tenant.name}:${r.id}:${outcome}`,
    kind: `task.${outcome}`,
    outcome,
    taskType: "reload",
    source: "cloud",
    receivedAt: i.receivedAt,
    host,
    executionId: r.id,
    user: i.userName ?? r.userId ?? "",
    ...(message ? { logMessage: message } : {}),
    task: {
      id: cloudTaskId(i.tenant.name, r.appId),
      name: `${appName} (Qlik Cloud ${i.tenant.name})`,
      tags: [],
      customProperties: [],
      isPartialReload: r.partial ?? false,
      isManuallyTriggered: r.type === "hub",
    },
    app: {
      id: r.appId,
      name: appName,
      ...(i.app?.spaceName || i.app?.spaceId ? { stream: i.app.spaceName ?? i.app.spaceId } : {}),
      published: Boolean(i.app?.spaceId),
      tags: [],
      customProperties: [],
      ...(i.app?.ownerId
        ? {
            owner: {
              id: i.app.ownerId,
              userDirectory: "QLIKCLOUD",
              userId: i.app.ownerEmail ?? i.app.ownerId,
              ...(i.app.ownerName ? { name: i.app.ownerName } : {}),
              emails: i.app.ownerEmail ? [i.app.ownerEmail] : [],
            },
          }
        : {}),
    },
    execution,
    ...(scriptLog ? { scriptLog } : {}),
    complete: i.missing.length === 0,
    missing: i.missing,
    links: { hubApp: `${base}/sense/app/${r.appId}` },
    cloud,
  };
  return event;
}
