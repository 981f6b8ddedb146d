// Butler's base62 ↔ base16 routes: the answers recorded from Butler 16.0.4, the edge cases Butler's converter
// has (empty and zero-padded input), and clear 400s where Butler answered 500 or garbage.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { base16ToBase62, base62ToBase16 } from "../../../../src/platform/core/base-convert";
import { createTestApp, type TestApp } from "../../../helpers/app";

let t: TestApp;
beforeAll(() => {
  t = createTestApp("http:\n  port: 0\n");
});
afterAll(() => t.close());

describe("base conversion", () => {
  test("Butler's recorded answers", async () => {
    const a = await t.request("/v4/base62tobase16?base62=6DMW88LpSok9Z7P7hUK0wv7bF");
    expect(a.status).toBe(200);
    expect(await a.json()).toEqual({ base62: "6DMW88LpSok9Z7P7hUK0wv7bF", base16: "3199af08bfeeaf5d420f27ed9c01e74370077" });
    const b = await t.request("/v4/base16tobase62?base16=3199af08bfeeaf5d420f27ed9c01e59");
    expect(b.status).toBe(200);
    expect(await b.json()).toEqual({ base16: "3199af08bfeeaf5d420f27ed9c01e59", base62: "5QG4yBlbVKmqZewHGQp5v" });
  });

  test("round trips agree with BigInt arithmetic for many values", () => {
    let seed = 12345;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const hex = (BigInt(seed) * 0x9e3779b97f4a7c15n * BigInt(i + 1)).toString(16);
      const b62 = base16ToBase62(hex);
      expect(base62ToBase16(b62)).toBe(hex);
      let n = 0n;
      for (const ch of b62) n = n * 62n + BigInt("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".indexOf(ch));
      expect(n.toString(16)).toBe(hex);
    }
  });

  test("empty and zero-padded input answer as Butler's converter does", () => {
    expect(base62ToBase16("")).toBe("0");
    expect(base62ToBase16("000a")).toBe("a");
    expect(base16ToBase62("000f")).toBe("f");
    expect(base16ToBase62("FF")).toBe(base16ToBase62("ff"));
  });

  test("a missing parameter is a 400 naming it", async () => {
    const r = await t.request("/v4/base62tobase16");
    expect(r.status).toBe(400);
    const body = (await r.json()) as Record<string, unknown>;
    expect(JSON.stringify(body)).toContain("base62");
  });

  test("a character outside the alphabet is a 400 naming it (Butler: 500)", async () => {
    const r = await t.request("/v4/base62tobase16?base62=ab-c");
    expect(r.status).toBe(400);
    expect(JSON.stringify(await r.json())).toContain('\\"-\\" at position 3');
    const h = await t.request("/v4/base16tobase62?base16=xyz");
    expect(h.status).toBe(400);
  });

  test("over-long input is refused before any work", async () => {
    const r = await t.request(`/v4/base16tobase62?base16=${"f".repeat(257)}`);
    expect(r.status).toBe(400);
  });

  test("the routes are listed among the enabled Butler endpoints", async () => {
    const r = await t.request("/v4/configfile/endpointsenabled");
    const flags = (await r.json()) as string[];
    expect(flags).toContain("base62ToBase16");
    expect(flags).toContain("base16ToBase62");
  });
});

describe("base conversion switched off (Butler's endpoint flags)", () => {
  test("a route switched off answers 404 and is not listed as an enabled endpoint; the other stays", async () => {
    const off = createTestApp("http:\n  port: 0\n  baseConvert: { base62ToBase16: false }\n");
    try {
      expect((await off.request("/v4/base62tobase16?base62=6DMW88LpSok9Z7P7hUK0wv7bF")).status).toBe(404);
      expect((await off.request("/v4/base16tobase62?base16=3199af08bfeeaf5d420f27ed9c01e59")).status).toBe(200);
      const flags = (await (await off.request("/v4/configfile/endpointsenabled")).json()) as string[];
      expect(flags).toContain("base16ToBase62");
      expect(flags).not.toContain("base62ToBase16");
    } finally {
      await off.close();
    }
  });
});
