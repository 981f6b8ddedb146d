// The directory's tokens (ID, refresh) are kept in the store encrypted, so a dump or a backup of the store signs
// nobody in at the directory: AES-256-GCM through WebCrypto, with a key derived by HKDF-SHA-256 from a configured secret
// (security.sso.tokenKey, or the client secret). Each sealed value names its key by a short id, so keys being rotated
// out (previousTokenKeys) still open what they sealed, and is bound to its session (additional data): a value copied
// into another session's row does not open there.
const VERSION = "v1";
const INFO = new TextEncoder().encode("steward sso tokens v1");
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** Raised when a sealed value opens with no configured key: the key changed, or the row was altered. */
export class TokenKeyError extends Error {}

export interface TokenSealer {
  seal(plain: string, boundTo: string): Promise<string>;
  open(sealed: string, boundTo: string): Promise<string>;
}

interface Key {
  id: string;
  key: CryptoKey;
}

async function deriveKey(secret: string): Promise<Key> {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), "HKDF", false, ["deriveBits"]);
  const bits = new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: INFO }, material, 256));
  // The id is a hash of the derived key, never of the secret: it tells which key sealed a value and nothing more.
  const id = b64(new Uint8Array(await crypto.subtle.digest("SHA-256", bits))).slice(0, 8);
  const key = await crypto.subtle.importKey("raw", bits, "AES-GCM", false, ["encrypt", "decrypt"]);
  return { id, key };
}

/** `secrets`: the current key's secret first, then those being rotated out. */
export function createTokenSealer(secrets: readonly string[]): TokenSealer {
  if (secrets.length === 0) throw new Error("createTokenSealer needs a secret");
  const keys = Promise.all(secrets.map(deriveKey));
  const aad = (boundTo: string) => new TextEncoder().encode(boundTo);
  return {
    async seal(plain, boundTo) {
      const [current] = await keys;
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad(boundTo) }, current!.key, new TextEncoder().encode(plain));
      return `${VERSION}.${current!.id}.${b64(iv)}.${b64(new Uint8Array(sealed))}`;
    },
    async open(sealed, boundTo) {
      const [version, id, iv, body] = sealed.split(".");
      if (version !== VERSION || !iv || !body) throw new TokenKeyError("the stored token is not sealed by this Steward's format");
      const key = (await keys).find((k) => k.id === id);
      if (!key) throw new TokenKeyError(`the stored token was sealed with a key that is not configured (key id ${id}): security.sso.tokenKey changed`);
      try {
        const plain = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: Buffer.from(iv, "base64url"), additionalData: aad(boundTo) },
          key.key,
          Buffer.from(body, "base64url"),
        );
        return new TextDecoder().decode(plain);
      } catch {
        throw new TokenKeyError("the stored token does not open with its key: the row was altered or copied from another session");
      }
    },
  };
}
