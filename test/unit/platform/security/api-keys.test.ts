// API key generation, both hash formats, verification and the key ring's lookup.
import { describe, expect, test } from "bun:test";
import { generateApiKey, hashApiKey, keyFromHeaders, parseKeyHash, verifyApiKey } from "../../../../src/platform/security/api-keys";
import { createKeyRing } from "../../../../src/platform/security/key-ring";

describe("api keys", () => {
  test("keys are random, prefixed and 256-bit", () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a).toMatch(/^stw_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  test("sha256 and scrypt hashes verify the right key only", () => {
    const key = generateApiKey();
    for (const algo of ["sha256", "scrypt"] as const) {
      const hash = hashApiKey(key, algo);
      expect(hash.startsWith(`${algo}:`)).toBe(true);
      expect(hash).not.toContain(key);
      const parsed = parseKeyHash(hash);
      expect(verifyApiKey(key, parsed)).toBe(true);
      expect(verifyApiKey(`${key}x`, parsed)).toBe(false);
    }
    // scrypt salts: two hashes of one key differ.
    expect(hashApiKey(key, "scrypt")).not.toBe(hashApiKey(key, "scrypt"));
    expect(hashApiKey(key)).toBe(hashApiKey(key));
  });

  test("malformed hashes and hostile scrypt parameters are rejected", () => {
    expect(() => parseKeyHash("md5:abc")).toThrow("sha256:<64 hex>");
    expect(() => parseKeyHash("scrypt:1073741824:8:1:AAAA:BBBB")).toThrow("out of range");
    expect(() => parseKeyHash("scrypt:1000:8:1:AAAA:BBBB")).toThrow("out of range");
  });

  test("the key comes from X-API-Key or Authorization: Bearer", () => {
    const h = (o: Record<string, string>) => new Headers(o);
    expect(keyFromHeaders(h({ "x-api-key": " k1 " }))).toBe("k1");
    expect(keyFromHeaders(h({ authorization: "Bearer k2" }))).toBe("k2");
    expect(keyFromHeaders(h({ authorization: "bearer  k3 " }))).toBe("k3");
    expect(keyFromHeaders(h({ authorization: "Basic dXNlcjpwdw==" }))).toBeUndefined();
    expect(keyFromHeaders(h({}))).toBeUndefined();
  });

  test("the ring finds sha256 and scrypt keys, and nothing else", async () => {
    const k1 = generateApiKey();
    const k2 = generateApiKey();
    const ring = createKeyRing([
      { name: "fast", hash: hashApiKey(k1), scopes: ["tasks"], source: "config" },
      { name: "slow", hash: hashApiKey(k2, "scrypt"), scopes: ["admin"], source: "store" },
    ]);
    expect(ring.size).toBe(2);
    expect(await ring.match(k1)).toEqual({ name: "fast", scopes: ["tasks"], source: "config" });
    expect(await ring.match(k2)).toEqual({ name: "slow", scopes: ["admin"], source: "store" });
    expect((await ring.match(k2))?.name).toBe("slow");
    expect(await ring.match(generateApiKey())).toBeUndefined();
    expect(await ring.match("")).toBeUndefined();
  });

  test("a presented key costs at most one scrypt, and an unknown key none, however many scrypt keys exist", async () => {
    const keys = Array.from({ length: 6 }, () => generateApiKey());
    const ring = createKeyRing(keys.map((k, i) => ({ name: `s${i}`, hash: hashApiKey(k, "scrypt"), scopes: ["tasks"], source: "config" as const })));
    for (let i = 0; i < 20; i++) expect(await ring.match(generateApiKey())).toBeUndefined();
    expect(await ring.match("stw_not-even-well-formed")).toBeUndefined();
    expect(ring.kdfRuns()).toBe(0);
    expect((await ring.match(keys[4]!))?.name).toBe("s4");
    expect(ring.kdfRuns()).toBe(1);
    // Remembered once matched: no second KDF.
    expect((await ring.match(keys[4]!))?.name).toBe("s4");
    expect(ring.kdfRuns()).toBe(1);
  });

  test("untagged (hand-chosen or older) scrypt keys: a failed key is remembered, and the KDF never blocks the event loop", async () => {
    const chosen = "correct horse battery staple";
    expect(hashApiKey(chosen, "scrypt")).toMatch(/^scrypt:(\d+:){3}[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/);
    expect(hashApiKey(generateApiKey(), "scrypt")).toMatch(/:[0-9a-f]{16}$/);
    const ring = createKeyRing([
      { name: "a", hash: hashApiKey(chosen, "scrypt"), scopes: ["tasks"], source: "config" },
      { name: "b", hash: hashApiKey("another chosen key", "scrypt"), scopes: ["tasks"], source: "config" },
    ]);
    let ticked = false;
    setImmediate(() => (ticked = true));
    const bad = generateApiKey();
    // Concurrent requests with one key share one lookup.
    const answers = await Promise.all([ring.match(bad), ring.match(bad), ring.match(bad)]);
    expect(answers).toEqual([undefined, undefined, undefined]);
    // The event loop turned while scrypt ran on the thread pool.
    expect(ticked).toBe(true);
    expect(ring.kdfRuns()).toBe(2);
    expect(await ring.match(bad)).toBeUndefined();
    expect(ring.kdfRuns()).toBe(2);
    expect((await ring.match(chosen))?.name).toBe("a");
  });
});
