// The set of keys a request is checked against: config keys plus active store keys. SHA-256 keys are found by
// their digest in one lookup. scrypt keys with a lookup tag are found by the tag, so a presented key costs at
// most one scrypt and an unknown key none; untagged (hand-chosen or older) scrypt keys are tried one by one.
// scrypt runs on the thread pool, never on the event loop; a key that matched is remembered by its digest, and
// one that failed is remembered as unknown, so a repeated key costs no second KDF.
import type { Scope } from "../http/types";
import { lookupTag, parseKeyHash, sha256Hex, verifyApiKeyAsync, type ParsedHash } from "./api-keys";

export interface KeyIdentity {
  name: string;
  scopes: readonly Scope[];
  source: "config" | "store";
  /** The person the key belongs to (security.apiKeys[].person): the two-person rule counts them, not the key. */
  person?: string;
}

interface Entry extends KeyIdentity {
  parsed: ParsedHash;
}

export interface KeyRing {
  /** The identity of a presented key, or undefined when it matches none. */
  match(key: string): Promise<KeyIdentity | undefined>;
  readonly size: number;
  names(): string[];
  /** How many scrypt computations lookups have run (for tests and metrics). */
  kdfRuns(): number;
}

const REMEMBERED_MAX = 1000;
const UNKNOWN_MAX = 10_000;

export function createKeyRing(keys: Array<{ name: string; hash: string; scopes: readonly Scope[]; source: "config" | "store"; person?: string }>): KeyRing {
  const bySha = new Map<string, Entry>();
  const byTag = new Map<string, Entry[]>();
  const untagged: Entry[] = [];
  for (const k of keys) {
    const parsed = parseKeyHash(k.hash);
    const entry: Entry = { name: k.name, scopes: k.scopes, source: k.source, parsed, ...(k.person ? { person: k.person } : {}) };
    const tag = parsed.scrypt?.tag;
    if (parsed.algorithm === "sha256") bySha.set(parsed.hex!, entry);
    else if (tag) byTag.set(tag, [...(byTag.get(tag) ?? []), entry]);
    else untagged.push(entry);
  }
  const remembered = new Map<string, Entry>();
  // Digests of keys that matched nothing. The ring is rebuilt whenever keys change, so this never hides a new key.
  const unknown = new Set<string>();
  let kdf = 0;
  const inFlight = new Map<string, Promise<KeyIdentity | undefined>>();
  const identity = (e: Entry): KeyIdentity => ({ name: e.name, scopes: e.scopes, source: e.source, ...(e.person ? { person: e.person } : {}) });
  const slowMatch = async (key: string, digest: string): Promise<KeyIdentity | undefined> => {
    for (const e of [...(byTag.get(lookupTag(digest)) ?? []), ...untagged]) {
      kdf++;
      if (await verifyApiKeyAsync(key, e.parsed)) {
        if (remembered.size >= REMEMBERED_MAX) remembered.clear();
        remembered.set(digest, e);
        return identity(e);
      }
    }
    if (unknown.size >= UNKNOWN_MAX) unknown.clear();
    unknown.add(digest);
    return undefined;
  };
  const all = () => [...bySha.values(), ...[...byTag.values()].flat(), ...untagged];
  return {
    async match(key) {
      if (key.length === 0 || key.length > 512) return undefined;
      const digest = sha256Hex(key);
      const fast = bySha.get(digest);
      if (fast) return identity(fast);
      const known = remembered.get(digest);
      if (known) return identity(known);
      if (unknown.has(digest)) return undefined;
      // Concurrent requests with one key share one lookup.
      let pending = inFlight.get(digest);
      if (!pending) {
        pending = slowMatch(key, digest).finally(() => inFlight.delete(digest));
        inFlight.set(digest, pending);
      }
      return pending;
    },
    get size() {
      return bySha.size + untagged.length + [...byTag.values()].reduce((n, list) => n + list.length, 0);
    },
    names: () => all().map((e) => e.name),
    kdfRuns: () => kdf,
  };
}
