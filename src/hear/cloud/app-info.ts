// What a Cloud reload's event says about its app (name, space, owner), read from the tenant and kept an hour.
import type { Clock } from "../../platform/core/clock";
import { CloudApiError, type CloudClient } from "./cloud-client";
import type { CloudAppInfo } from "./reload-event";

const APP_TTL_MS = 60 * 60_000;

export type CloudAppDetails = CloudAppInfo & { spaceId?: string };

/** The app's details, or why they could not be read; a refused key or a rate limit is thrown (the poll stops). */
export type AppInfoLookup = (appId: string) => Promise<{ info?: CloudAppDetails; missing?: string }>;

export function createAppInfoCache(client: CloudClient, clock: Clock): AppInfoLookup {
  const apps = new Map<string, { info: CloudAppDetails; at: number }>();
  return async (appId) => {
    const hit = apps.get(appId);
    if (hit && clock.now() - hit.at < APP_TTL_MS) return { info: hit.info };
    try {
      const a = await client.getApp(appId);
      const info: CloudAppDetails = { name: a.name, ...(a.spaceId ? { spaceId: a.spaceId } : {}) };
      if (a.spaceId)
        info.spaceName = await client.getSpace(a.spaceId).then(
          (s) => s.name,
          () => undefined,
        );
      if (a.ownerId) {
        const u = await client.getUser(a.ownerId).catch(() => undefined);
        info.owner = { id: a.ownerId, ...(u?.name ? { name: u.name } : {}), ...(u?.email ? { email: u.email } : {}) };
      }
      apps.set(appId, { info, at: clock.now() });
      return { info };
    } catch (err) {
      if (err instanceof CloudApiError && (err.kind === "auth" || err.kind === "rate-limited")) throw err;
      return { missing: (err as Error).message };
    }
  };
}
