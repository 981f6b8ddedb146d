// The set of keys a request is checked against: config keys plus active store keys. SHA-256 keys are found by
// their digest in one lookup; scrypt keys are tried one by one, and a key that matched once is remembered
// (by its digest) so the slow hash runs once per key, not once per request.
import type { Scope } from "../http/types";
import { parseKeyHash, sha256Hex, verifyApiKey, type ParsedHash } from "./api-keys";

export interface KeyIdentity {
  name: string;
  scopes: readonly Scope[];
  source: "config" | "store";
}

interface Entry extends KeyIdentity {
  parsed: ParsedHash;
}

export interface KeyRing {
  /** The identity of a presented key, or undefined when it matches none. */
  match(key: string): KeyIdentity | undefined;
  readonly size: number;
  names(): string[];
}

const REMEMBERED_MAX = 1000;

export function createKeyRing(keys: Array<{ name: string; hash: string; scopes: readonly Scope[]; source: "config" | "store" }>): KeyRing {
  const bySha = new Map<string, Entry>();
  const slow: Entry[] = [];
  for (const k of keys) {
    const parsed = parseKeyHash(k.hash);
    const entry: Entry = { name: k.name, scopes: k.scopes, source: k.source, parsed };
    if (parsed.algorithm === "sha256") bySha.set(parsed.hex!, entry);
    else slow.push(entry);
  }
  const remembered = new Map<string, Entry>();
  const identity = (e: Entry): KeyIdentity => ({ name: e.name, scopes: e.scopes, source: e.source });
  return {
    match(key) {
      if (key.length === 0 || key.length > 512) return undefined;
      const digest = sha256Hex(key);
      const fast = bySha.get(digest);
      if (fast) return identity(fast);
      const known = remembered.get(digest);
      if (known) return identity(known);
      for (const e of slow) {
        if (verifyApiKey(key, e.parsed)) {
          if (remembered.size >= REMEMBERED_MAX) remembered.clear();
          remembered.set(digest, e);
          return identity(e);
        }
      }
      return undefined;
    },
    get size() {
      return bySha.size + slow.length;
    },
    names: () => [...bySha.values(), ...slow].map((e) => e.name),
  };
}
