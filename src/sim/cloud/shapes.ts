// JSON shapes of the simulated tenant, as qlik.dev documents them: reloads, apps, items, spaces, users and
// scheduling tasks (only the fields a client reads plus enough to look real).
import type { AppModel, SiteModel } from "../site/model";
import type { CloudReload } from "./tenant";

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** ISO-8601 duration such as `PT12.345S`. */
function isoDuration(ms: number): string {
  return `PT${(ms / 1000).toFixed(3).replace(/\.?0+$/, "")}S`;
}

export function reloadJson(r: CloudReload, base: string, tenantId: string, withLog: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: r.id,
    appId: r.appId,
    tenantId,
    userId: r.userId,
    type: r.type,
    status: r.status,
    partial: r.partial,
    creationTime: iso(r.creationMs),
    links: { self: { href: `${base}/api/v1/reloads/${r.id}` } },
  };
  if (r.startMs !== undefined) out.startTime = iso(r.startMs);
  if (r.endMs !== undefined) {
    out.endTime = iso(r.endMs);
    const d = r.endMs - (r.startMs ?? r.endMs);
    out.duration = isoDuration(d);
    out.engineTime = isoDuration(d);
  }
  if (r.errorCode) out.errorCode = r.errorCode;
  if (r.errorMessage) out.errorMessage = r.errorMessage;
  // Since 2026 the `log` field is a summary; the full text comes from the app's reload log endpoint.
  if (withLog) out.log = r.log === undefined ? "" : summary(r);
  return out;
}

function summary(r: CloudReload): string {
  if (r.status === "SUCCEEDED") return "Reload succeeded.";
  if (r.status === "CANCELED") return "Reload was cancelled.";
  return `Reload ended with status ${r.status}: ${r.errorMessage ?? ""}`.trim();
}

export function appJson(app: AppModel, tenantId: string): Record<string, unknown> {
  return {
    attributes: {
      id: app.id,
      name: app.name,
      description: app.description,
      owner: app.ownerId,
      ownerId: app.ownerId,
      createdDate: app.createdDate,
      modifiedDate: app.lastReloadTime,
      lastReloadTime: app.lastReloadTime,
      publishTime: app.publishTime,
      published: app.streamId !== null,
      spaceId: app.streamId ?? undefined,
      tenantId,
      usage: "ANALYTICS",
      hasSectionAccess: false,
    },
    privileges: ["read", "reload"],
    create: [],
  };
}

export function itemJson(site: SiteModel, app: AppModel, base: string, tenantId: string): Record<string, unknown> {
  const owner = site.users.find((u) => u.id === app.ownerId);
  return {
    id: `item-${app.id.slice(0, 8)}`,
    name: app.name,
    resourceId: app.id,
    resourceType: "app",
    resourceAttributes: { id: app.id, name: app.name, spaceId: app.streamId ?? "", published: app.streamId !== null },
    resourceSize: { appFile: app.fileSize },
    ownerId: app.ownerId,
    creatorId: app.ownerId,
    spaceId: app.streamId ?? undefined,
    tenantId,
    createdAt: app.createdDate,
    updatedAt: app.lastReloadTime,
    links: { self: { href: `${base}/api/v1/items/item-${app.id.slice(0, 8)}` } },
    meta: { ownerName: owner?.name },
  };
}

export function spaceJson(site: SiteModel, id: string, tenantId: string): Record<string, unknown> | undefined {
  const s = site.streams.find((x) => x.id === id);
  if (!s) return undefined;
  return { id: s.id, name: s.name, type: "managed", tenantId, createdAt: s.createdDate };
}

export function userJson(site: SiteModel, id: string, tenantId: string): Record<string, unknown> | undefined {
  const u = site.users.find((x) => x.id === id);
  if (!u) return undefined;
  return { id: u.id, tenantId, name: u.name || u.userId, email: u.emails[0] ?? "", status: "active", subject: `${u.userDirectory}\\${u.userId}` };
}

/**
 * Scheduling tasks (`/api/scheduling/tasks`): one per reload task of the site file that has a cron schedule, as
 * a time-triggered reload of its app.
 */
export function schedulingTasks(site: SiteModel, tenantId: string): Record<string, unknown>[] {
  return site.tasks
    .filter((t) => t.taskType === 0 && t.appId && t.schedule)
    .map((t) => {
      const app = site.apps.find((a) => a.id === t.appId);
      return {
        id: t.id,
        name: t.name,
        enabled: t.enabled,
        resourceId: t.appId,
        spaceId: app?.streamId ?? "",
        ownerId: app?.ownerId ?? "",
        tenantId,
        triggerType: "time",
        trigger: { type: "time", recurrence: [t.schedule], timezone: "UTC" },
        action: { type: "reload", resourceId: t.appId, partial: t.partial },
        createdAt: t.createdDate,
        updatedAt: t.createdDate,
      };
    });
}
