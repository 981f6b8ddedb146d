// API key material: generation, the two hash formats (sha256 and scrypt), and constant-time verification.
// Keys are 256-bit random, so a plain SHA-256 is enough to store them; scrypt is offered for policies that
// require a slow hash. A scrypt hash of a Steward-generated key carries a lookup tag (the first 64 bits of the
// key's SHA-256) so that a presented key is checked against at most one scrypt entry, and an unknown key
// against none; with 256 random bits in the key, the tag tells an attacker nothing usable. Keys chosen by
// hand (`steward apikey hash`) get no tag: a fast tag would let a stolen config be brute-forced past scrypt.
import { createHash, randomBytes, scrypt, scryptSync, timingSafeEqual } from "node:crypto";
import { AppError } from "../core/errors";

export const KEY_PREFIX = "stw_";
export type HashAlgorithm = "sha256" | "scrypt";

/** A new random key: `stw_` + 43 base64url characters (32 bytes). */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString("base64url");
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

const SCRYPT = { N: 16_384, r: 8, p: 1, keyLen: 32 };

/** A key as generateApiKey makes it: 256 random bits, safe to tag with a digest prefix. */
export const GENERATED_KEY = /^stw_[A-Za-z0-9_-]{43}$/;

/** The lookup tag of a generated key: 16 hex digits of its SHA-256. */
export function lookupTag(sha256hex: string): string {
  return sha256hex.slice(0, 16);
}

/** The stored form of a key: `sha256:<hex>` or `scrypt:N:r:p:<salt>:<hash>[:<tag>]` (base64url; tag hex). */
export function hashApiKey(key: string, algorithm: HashAlgorithm = "sha256"): string {
  if (algorithm === "sha256") return `sha256:${sha256Hex(key)}`;
  const salt = randomBytes(16);
  const hash = scryptSync(key, salt, SCRYPT.keyLen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  const tag = GENERATED_KEY.test(key) ? `:${lookupTag(sha256Hex(key))}` : "";
  return `scrypt:${SCRYPT.N}:${SCRYPT.r}:${SCRYPT.p}:${salt.toString("base64url")}:${hash.toString("base64url")}${tag}`;
}

export interface ParsedHash {
  algorithm: HashAlgorithm;
  /** sha256: the hex digest. */
  hex?: string;
  /** scrypt: parameters, and the lookup tag when the hash has one. */
  scrypt?: { N: number; r: number; p: number; salt: Buffer; hash: Buffer; tag?: string };
}

export function parseKeyHash(text: string): ParsedHash {
  if (/^sha256:[0-9a-f]{64}$/.test(text)) return { algorithm: "sha256", hex: text.slice(7) };
  const m = /^scrypt:(\d+):(\d+):(\d+):([A-Za-z0-9_-]+):([A-Za-z0-9_-]+)(?::([0-9a-f]{16}))?$/.exec(text);
  if (m) {
    const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
    // Bounds keep a hostile config from making every request burn seconds of CPU or gigabytes of memory.
    if (N < 1024 || N > 1 << 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) {
      throw new AppError("CONFIG_INVALID", `scrypt parameters out of range in key hash (N=${N}, r=${r}, p=${p})`);
    }
    return {
      algorithm: "scrypt",
      scrypt: { N, r, p, salt: Buffer.from(m[4]!, "base64url"), hash: Buffer.from(m[5]!, "base64url"), ...(m[6] ? { tag: m[6] } : {}) },
    };
  }
  throw new AppError("CONFIG_INVALID", "a key hash must be sha256:<64 hex> or scrypt:N:r:p:salt:hash[:tag]");
}

/** Does `key` match the parsed hash? Constant-time in the compared bytes. */
export function verifyApiKey(key: string, parsed: ParsedHash): boolean {
  if (parsed.algorithm === "sha256") {
    const a = Buffer.from(sha256Hex(key), "hex");
    const b = Buffer.from(parsed.hex!, "hex");
    return a.length === b.length && timingSafeEqual(a, b);
  }
  const s = parsed.scrypt!;
  const got = scryptSync(key, s.salt, s.hash.length, { N: s.N, r: s.r, p: s.p, maxmem: 256 * s.N * s.r + 1024 * 1024 });
  return got.length === s.hash.length && timingSafeEqual(got, s.hash);
}

/** verifyApiKey without blocking the event loop: scrypt runs on the thread pool. */
export function verifyApiKeyAsync(key: string, parsed: ParsedHash): Promise<boolean> {
  if (parsed.algorithm === "sha256") return Promise.resolve(verifyApiKey(key, parsed));
  const s = parsed.scrypt!;
  return new Promise((resolve, reject) => {
    scrypt(key, s.salt, s.hash.length, { N: s.N, r: s.r, p: s.p, maxmem: 256 * s.N * s.r + 1024 * 1024 }, (err, got) => {
      if (err) reject(err);
      else resolve(got.length === s.hash.length && timingSafeEqual(got, s.hash));
    });
  });
}

/** Where the key arrives: X-API-Key, or Authorization: Bearer. */
export function keyFromHeaders(headers: { get(name: string): string | null | undefined }): string | undefined {
  const direct = headers.get("x-api-key")?.trim();
  if (direct) return direct;
  const auth = headers.get("authorization");
  const m = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  return m?.[1];
}
