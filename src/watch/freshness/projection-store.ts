// The projections in the shared store (one row of freshness_meta): written by the Steward judging the promises when
// they change, read by every Steward's /status, /v4/freshness and dashboard. A projection that was not confirmed
// for a while (the judging Steward stopped and none took over yet) is not shown as if it were current.
import type { FreshnessStore } from "./freshness-store";
import type { FreshnessProjection } from "./projection";

const KEY = "projections";

interface Kept {
  /** When the judge last confirmed them. */
  atMs: number;
  rows: FreshnessProjection[];
}

export interface ProjectionWriter {
  /** Stores the look's projections when they changed, or when the last write is older than `refreshMs`. */
  write(rows: FreshnessProjection[], nowMs: number): Promise<void>;
}

export function createProjectionWriter(store: Pick<FreshnessStore, "setMeta">, refreshMs: number): ProjectionWriter {
  let last: { json: string; atMs: number } | undefined;
  return {
    async write(rows, nowMs) {
      const json = JSON.stringify(rows);
      if (last && last.json === json && nowMs - last.atMs < refreshMs) return;
      await store.setMeta(KEY, JSON.stringify({ atMs: nowMs, rows } satisfies Kept));
      last = { json, atMs: nowMs };
    },
  };
}

/** The projections confirmed within `maxAgeMs`, by "promise app-id"; none when the judge has not looked lately. */
export async function readProjections(store: Pick<FreshnessStore, "getMeta">, nowMs: number, maxAgeMs: number): Promise<Map<string, FreshnessProjection>> {
  return readKeptRows<FreshnessProjection>(store, KEY, nowMs, maxAgeMs);
}

/** Rows one Steward keeps in a meta row for every Steward to read, by promise and app; none when older than `maxAgeMs`. */
export async function readKeptRows<R extends { promise: string; appId: string }>(
  store: Pick<FreshnessStore, "getMeta">,
  key: string,
  nowMs: number,
  maxAgeMs: number,
): Promise<Map<string, R>> {
  const out = new Map<string, R>();
  const raw = await store.getMeta(key);
  if (!raw) return out;
  let kept: { atMs: number; rows: R[] };
  try {
    kept = JSON.parse(raw) as { atMs: number; rows: R[] };
  } catch {
    return out;
  }
  if (!(nowMs - kept.atMs <= maxAgeMs) || !Array.isArray(kept.rows)) return out;
  for (const r of kept.rows) out.set(projectionKey(r.promise, r.appId), r);
  return out;
}

export const projectionKey = (promise: string, appId: string): string => `${promise} ${appId}`;
