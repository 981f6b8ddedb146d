// When the tenant's API key expires, and the one warning before it does. A Qlik Cloud API key is a JWT: its
// payload names the key (jti) and may carry its end (exp); otherwise the tenant tells it (GET /api/v1/api-keys/{id},
// field expiry). Checked at most twice a day; the warning is raised once per key and expiry, kept in the store.
import type { Clock } from "../../platform/core/clock";
import type { SiteEvent } from "../../platform/events/types";
import { siteEvent } from "../../platform/events/site-event";
import type { CloudClient } from "./cloud-client";
import type { CloudStore } from "./cloud-store";

export interface KeyClaims {
  id?: string;
  expiresAt?: number;
}

/** The key's own claims, read without verifying it (Steward only needs the dates; Qlik checks the signature). */
export function apiKeyClaims(key: string): KeyClaims {
  const parts = key.split(".");
  if (parts.length !== 3 || parts[1]!.length > 8192) return {};
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as { jti?: unknown; exp?: unknown };
    return {
      ...(typeof payload.jti === "string" && /^[\w-]{1,100}$/.test(payload.jti) ? { id: payload.jti } : {}),
      ...(typeof payload.exp === "number" && Number.isFinite(payload.exp) ? { expiresAt: payload.exp * 1000 } : {}),
    };
  } catch {
    return {};
  }
}

export interface KeyExpiryState {
  /** When the key expires; undefined when neither the key nor the tenant says (a key that never expires). */
  expiresAt?: number;
  checkedAt?: number;
  /** Why the date could not be read, for /v4/qlikcloud. */
  problem?: string;
}

const RECHECK_MS = 12 * 3_600_000;

export interface KeyExpiryWatch {
  /** Reads the expiry if it is due for a check; returns the warning event to raise, once per key and expiry. */
  check(): Promise<SiteEvent | undefined>;
  state(): KeyExpiryState;
  /** A new key was configured: read its expiry at the next check. */
  reset(): void;
}

export function createKeyExpiryWatch(d: {
  name: string;
  url: string;
  apiKey: () => string | undefined;
  warnBeforeMs: number;
  client: CloudClient;
  store: CloudStore;
  clock: Clock;
}): KeyExpiryWatch {
  let state: KeyExpiryState = {};
  const read = async (key: string): Promise<KeyExpiryState> => {
    const claims = apiKeyClaims(key);
    const checkedAt = d.clock.now();
    if (claims.expiresAt !== undefined) return { expiresAt: claims.expiresAt, checkedAt };
    if (!claims.id) return { checkedAt, problem: "the API key names no key id (not a Qlik Cloud API key JWT), so its expiry cannot be read" };
    try {
      const info = await d.client.getApiKey(claims.id);
      const at = info.expiry ? Date.parse(info.expiry) : Number.NaN;
      return Number.isFinite(at) ? { expiresAt: at, checkedAt } : { checkedAt };
    } catch (err) {
      return { checkedAt, problem: `the tenant did not say when the key expires: ${(err as Error).message}` };
    }
  };
  return {
    async check() {
      const key = d.apiKey();
      if (!key) return undefined;
      const now = d.clock.now();
      if (state.checkedAt !== undefined && now - state.checkedAt < RECHECK_MS) return undefined;
      state = await read(key);
      if (state.expiresAt === undefined || state.expiresAt - now > d.warnBeforeMs) return undefined;
      const marker = `${d.name}:key-expiry-warned`;
      if ((await d.store.getMeta(marker)) === String(state.expiresAt)) return undefined;
      await d.store.setMeta(marker, String(state.expiresAt));
      const days = Math.max(0, Math.floor((state.expiresAt - now) / 86_400_000));
      // The instant as ISO-8601: a message and the dashboard say it on the site's clock (src/platform/core/time-text.ts).
      const when = new Date(state.expiresAt).toISOString();
      const expired = state.expiresAt <= now;
      return siteEvent(
        "qlikcloud.key_expiring",
        `${d.name}:${state.expiresAt}`,
        new URL(d.url).host,
        now,
        {
          title: expired ? `Qlik Cloud API key of ${d.name} has expired` : `Qlik Cloud API key of ${d.name} expires in ${days} day${days === 1 ? "" : "s"}`,
          summary: `The API key Steward uses for ${new URL(d.url).host} ${expired ? "expired" : "expires"} at ${when}. Make a new key in the tenant (profile → Settings → API keys), put it in steward.env and reload the config; until then Steward keeps watching with the old one.`,
        },
        { tenant: d.name, url: d.url, expiresAt: new Date(state.expiresAt).toISOString(), daysLeft: days },
      );
    },
    state: () => state,
    reset() {
      state = {};
    },
  };
}
