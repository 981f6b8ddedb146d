// GUID helpers: random ids for runtime entities, stable name-derived ids for fixture entities.
import { createHash, randomUUID } from "node:crypto";

export const ZERO_GUID = "00000000-0000-0000-0000-000000000000";
export const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isGuid(value: string): boolean {
  return GUID_RE.test(value);
}

export function newGuid(): string {
  return randomUUID();
}

/** A v5-style GUID from a kind and a name, so fixture entities keep their ids across restarts. */
export function stableGuid(kind: string, name: string): string {
  const key = `${kind}:${name}`;
  let id = stableGuids.get(key);
  if (id === undefined) {
    if (stableGuids.size >= MAX_REMEMBERED) stableGuids.clear();
    stableGuids.set(key, (id = hashGuid(kind, name)));
  }
  return id;
}

/** Renders ask for the same ids on every request (a node's service states, a trigger's owner): hashed once each. */
const stableGuids = new Map<string, string>();
const MAX_REMEMBERED = 50_000;

function hashGuid(kind: string, name: string): string {
  const h = createHash("sha1").update(`steward-sim:${kind}:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
