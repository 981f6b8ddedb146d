// Names behind a Qlik Cloud reload's ids: the app (name, space, owner) from the Items API, the space's name and the
// owner's name and e-mail, cached for a while so a busy tenant costs a few calls per app, not per reload.
import type { CloudHttp } from "./cloud-http";

export interface CloudAppInfo {
  id: string;
  name: string;
  spaceId?: string;
  spaceName?: string;
  ownerId?: string;
  ownerName?: string;
  ownerEmail?: string;
}

export interface CloudMetadata {
  /** The app's names; throws when the tenant cannot say (the event then goes out with the ids). */
  app(appId: string): Promise<CloudAppInfo>;
  /** A user's display name (the one who started a reload), or undefined. */
  userName(userId: string): Promise<string | undefined>;
}

const TTL_MS = 10 * 60_000;
const MAX_ENTRIES = 5_000;

type Json = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

export function createCloudMetadata(http: CloudHttp, now: () => number): CloudMetadata {
  const cache = new Map<string, { at: number; value: Promise<unknown> }>();
  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = cache.get(key);
    if (hit && now() - hit.at < TTL_MS) return hit.value as Promise<T>;
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
    const value = load();
    cache.set(key, { at: now(), value });
    // A failed lookup is not remembered: the next reload asks again.
    value.catch(() => cache.delete(key));
    return value;
  }

  const user = (id: string) =>
    cached(`user:${id}`, async () => {
      const u = (await http.json("GET", `/api/v1/users/${encodeURIComponent(id)}`)) as Json;
      return { name: str(u.name), email: str(u.email) };
    });
  const space = (id: string) => cached(`space:${id}`, async () => str(((await http.json("GET", `/api/v1/spaces/${encodeURIComponent(id)}`)) as Json).name));

  return {
    app: (appId) =>
      cached(`app:${appId}`, async () => {
        const body = (await http.json("GET", `/api/v1/items?resourceType=app&resourceId=${encodeURIComponent(appId)}&noActions=true&limit=1`)) as Json;
        const item = (Array.isArray(body.data) ? body.data[0] : undefined) as Json | undefined;
        if (!item) throw new Error(`the tenant has no item for app ${appId}`);
        const attrs = (item.resourceAttributes ?? {}) as Json;
        const info: CloudAppInfo = { id: appId, name: str(item.name) ?? str(attrs.name) ?? appId };
        const spaceId = str(item.spaceId) ?? str(attrs.spaceId);
        const ownerId = str(item.ownerId);
        if (spaceId) {
          info.spaceId = spaceId;
          info.spaceName = await space(spaceId).catch(() => undefined);
        }
        if (ownerId) {
          info.ownerId = ownerId;
          const o = await user(ownerId).catch(() => undefined);
          if (o?.name) info.ownerName = o.name;
          if (o?.email) info.ownerEmail = o.email;
        }
        return info;
      }),
    userName: async (userId) => (await user(userId).catch(() => undefined))?.name,
  };
}
