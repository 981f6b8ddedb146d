// API key material: generation, the two hash formats (sha256 and scrypt), and constant-time verification.
// Keys are 256-bit random, so a plain SHA-256 is enough to store them; scrypt is offered for policies that
// require a slow hash.
import { createHash, randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
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

/** The stored form of a key: `sha256:<hex>` or `scrypt:N:r:p:<salt>:<hash>` (base64url). */
export function hashApiKey(key: string, algorithm: HashAlgorithm = "sha256"): string {
  if (algorithm === "sha256") return `sha256:${sha256Hex(key)}`;
  const salt = randomBytes(16);
  const hash = scryptSync(key, salt, SCRYPT.keyLen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt:${SCRYPT.N}:${SCRYPT.r}:${SCRYPT.p}:${salt.toString("base64url")}:${hash.toString("base64url")}`;
}

export interface ParsedHash {
  algorithm: HashAlgorithm;
  /** sha256: the hex digest. */
  hex?: string;
  scrypt?: { N: number; r: number; p: number; salt: Buffer; hash: Buffer };
}

export function parseKeyHash(text: string): ParsedHash {
  if (/^sha256:[0-9a-f]{64}$/.test(text)) return { algorithm: "sha256", hex: text.slice(7) };
  const m = /^scrypt:(\d+):(\d+):(\d+):([A-Za-z0-9_-]+):([A-Za-z0-9_-]+)$/.exec(text);
  if (m) {
    const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
    // Bounds keep a hostile config from making every request burn seconds of CPU or gigabytes of memory.
    if (N < 1024 || N > 1 << 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) {
      throw new AppError("CONFIG_INVALID", `scrypt parameters out of range in key hash (N=${N}, r=${r}, p=${p})`);
    }
    return { algorithm: "scrypt", scrypt: { N, r, p, salt: Buffer.from(m[4]!, "base64url"), hash: Buffer.from(m[5]!, "base64url") } };
  }
  throw new AppError("CONFIG_INVALID", "a key hash must be sha256:<64 hex> or scrypt:N:r:p:salt:hash");
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

/** Where the key arrives: X-API-Key, or Authorization: Bearer. */
export function keyFromHeaders(headers: { get(name: string): string | null | undefined }): string | undefined {
  const direct = headers.get("x-api-key")?.trim();
  if (direct) return direct;
  const auth = headers.get("authorization");
  const m = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  return m?.[1];
}
