// Reading a Qlik Cloud API key's own claims: the key id and an expiry when the key carries one, nothing from what
// is not a JWT, and no cost from a huge or hostile key.
import { describe, expect, test } from "bun:test";
import { apiKeyClaims } from "../../../../src/hear/cloud/key-expiry";

const jwt = (payload: object) => `${Buffer.from('{"alg":"ES384"}').toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.c2ln`;

describe("apiKeyClaims", () => {
  test("the key id and, when present, the expiry (exp, seconds)", () => {
    expect(apiKeyClaims(jwt({ jti: "6571e4a1b2c3d4e5f6a7b8ca", exp: 1_800_000_000 }))).toEqual({
      id: "6571e4a1b2c3d4e5f6a7b8ca",
      expiresAt: 1_800_000_000_000,
    });
    expect(apiKeyClaims(jwt({ jti: "abc" }))).toEqual({ id: "abc" });
  });

  test("anything else reads as nothing", () => {
    for (const key of ["simcloud_abc", "a.b", "a.%%%.c", jwt({ jti: "../../x", exp: "soon" }), jwt({ jti: 5 }), `a.${"A".repeat(100_000)}.c`]) {
      expect(apiKeyClaims(key).expiresAt).toBeUndefined();
      expect(apiKeyClaims(key).id).toBeUndefined();
    }
  });
});
