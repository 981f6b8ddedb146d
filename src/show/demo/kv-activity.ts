// In the demo, plays a load script that keeps state in Steward's key-value store: after each successful
// reload it records the app's last good load time through the REST API (POST /v4/keyvalues/etl-state),
// so the dashboard's key-value browser has something real to show.
import type { Hono } from "hono";
import type { TimelineEntry } from "../dashboard";
import { inProcessEnv, type HttpEnv } from "../../platform/http/types";
import { isTaskEvent } from "../../platform/events/types";

export const DEMO_KV_NAMESPACE = "etl-state";

export function recordLastGoodLoad(hono: Hono<HttpEnv>, entry: TimelineEntry): Promise<unknown> | undefined {
  const e = entry.event;
  if (!isTaskEvent(e) || e.outcome !== "succeeded" || !e.app) return undefined;
  const body = JSON.stringify({ key: `${e.app.name}.lastGoodLoad`, value: e.execution?.stopTime ?? e.receivedAt });
  return Promise.resolve(
    hono.request(`/v4/keyvalues/${DEMO_KV_NAMESPACE}`, { method: "POST", headers: { "content-type": "application/json" }, body }, inProcessEnv()),
  );
}
