// The events of the watchdog's Qlik Cloud part: a watchdog event for a tenant's task, with the app's name and space
// (read from the tenant, cached an hour; an app that cannot be read is named by its id), the tenant as a fact and
// `source: "cloud"`.
import { CloudApiError } from "../../hear/cloud/cloud-client";
import type { Clock } from "../../platform/core/clock";
import type { WatchCondition, WatchdogEvent, WatchdogEventKind } from "../../platform/events/types";
import type { CloudPlanTask } from "./cloud-plan";
import type { CloudWatchTenant } from "./cloud-task-list";
import { type WatchDetails, watchdogEvent } from "./watchdog-event";

const APP_TTL_MS = 60 * 60_000;

export interface CloudEventSpec {
  kind: WatchdogEventKind;
  type: WatchCondition;
  key: string;
  openedMs: number;
  closedMs?: number;
  taskRef?: WatchdogEvent["task"];
  appId?: string;
  details: WatchDetails;
}

export function createCloudEvents(clock: Clock): { event(t: CloudWatchTenant, task: CloudPlanTask | undefined, o: CloudEventSpec): Promise<WatchdogEvent> } {
  const apps = new Map<string, { at: number; ref: NonNullable<WatchdogEvent["app"]> }>();

  async function appRef(t: CloudWatchTenant, appId: string | undefined): Promise<WatchdogEvent["app"] | undefined> {
    if (!appId) return undefined;
    const hit = apps.get(`${t.name}:${appId}`);
    if (hit && clock.now() - hit.at < APP_TTL_MS) return hit.ref;
    const ref: NonNullable<WatchdogEvent["app"]> = { id: appId, name: appId, tags: [], customProperties: [] };
    try {
      const a = await t.client.getApp(appId);
      ref.name = a.name;
      if (a.spaceId) ref.stream = (await t.client.getSpace(a.spaceId).catch(() => undefined))?.name ?? a.spaceId;
    } catch (err) {
      if (err instanceof CloudApiError && (err.kind === "auth" || err.kind === "rate-limited")) throw err;
    }
    apps.set(`${t.name}:${appId}`, { at: clock.now(), ref });
    return ref;
  }

  async function event(t: CloudWatchTenant, task: CloudPlanTask | undefined, o: CloudEventSpec): Promise<WatchdogEvent> {
    const app = await appRef(t, task?.appId ?? o.appId);
    const e = watchdogEvent({
      kind: o.kind,
      condition: { type: o.type, key: o.key, openedAtMs: o.openedMs, ...(o.closedMs !== undefined ? { closedAtMs: o.closedMs } : {}) },
      nowMs: clock.now(),
      host: new URL(t.url).host,
      ...(o.taskRef ? { task: o.taskRef } : task ? { task: { id: task.id, name: task.name, tags: ["Qlik Cloud"], customProperties: [] } } : {}),
      ...(app ? { app } : {}),
      details: o.details,
    });
    e.facts.push({ name: "Qlik Cloud tenant", value: t.name });
    e.data.source = "cloud";
    e.data.tenant = t.name;
    if (app?.stream) e.data.space = app.stream;
    return e;
  }

  return { event };
}
