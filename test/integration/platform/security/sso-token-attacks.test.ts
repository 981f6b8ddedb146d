// ID tokens Steward's callback must refuse, handed to it by a directory that forges them (jose): a wrong issuer,
// another client's audience, a nonce of another sign-in, a signature by a key the directory never published, one
// expired beyond the allowed clock skew. Each is refused with a page naming the failed check, no cookie and an audit
// entry; the same directory's well-formed token signs in (so the refusals are the checks', not the forger's).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { JWTPayload } from "jose";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startForgedDirectory, type ForgedDirectory } from "../../../helpers/forged-directory";
import { freeTcpPort } from "../../../helpers/free-port";

const manual = { redirect: "manual" } as const;

describe("forged ID tokens at the sign-in callback", () => {
  let forger: ForgedDirectory;
  let t: TestApp;
  let base: string;
  const key = generateApiKey();

  beforeAll(async () => {
    const port = await freeTcpPort();
    base = `http://127.0.0.1:${port}`;
    forger = await startForgedDirectory("steward");
    t = createTestApp(`http: { host: 127.0.0.1, port: ${port}, publicUrl: "${base}" }
security:
  apiKeys: [{ name: auditor, hash: "${hashApiKey(key)}", scopes: [read] }]
  sso:
    issuer: ${forger.issuer}
    clientId: steward
    clientSecret: s3cret
    clockSkew: 30s
    roles:
      - { claim: sub, equals: mallory, scopes: [admin] }
`);
    await t.app.start();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await forger?.stop();
  });

  /** Starts a sign-in, has the forger answer with `claims(nonce)`, and brings the code back to the callback. */
  async function callbackWith(claims: (nonce: string) => JWTPayload, signWith?: ForgedDirectory["key"]): Promise<Response> {
    const start = await fetch(`${base}/auth/login?next=/ui`, manual);
    const url = new URL(start.headers.get("location")!);
    await forger.answerWith(claims(url.searchParams.get("nonce")!), signWith);
    return fetch(`${base}/auth/callback?code=stolen-code&state=${url.searchParams.get("state")}`, manual);
  }

  async function expectRefused(res: Response, words: RegExp): Promise<void> {
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
    const html = await res.text();
    expect(html).toContain("Sign-in failed");
    expect(html).toMatch(words);
  }

  test("a well-formed token of the directory signs in (the forger's control)", async () => {
    const res = await callbackWith((nonce) => ({ nonce }));
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toStartWith("steward_session=");
  });

  test("a wrong issuer is refused", async () => {
    await expectRefused(await callbackWith((nonce) => ({ nonce, iss: "https://login.evil.example/" })), /iss/);
  });

  test("another client's audience is refused", async () => {
    await expectRefused(await callbackWith((nonce) => ({ nonce, aud: "another-app" })), /aud/);
  });

  test("the nonce of another sign-in is refused", async () => {
    await expectRefused(await callbackWith(() => ({ nonce: "nonce-of-another-sign-in" })), /nonce/);
  });

  test("a signature by a key the directory never published is refused", async () => {
    await expectRefused(await callbackWith((nonce) => ({ nonce }), forger.foreignKey), /signature/i);
  });

  test("a token expired beyond the clock skew is refused; one within it is not", async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(await callbackWith((nonce) => ({ nonce, iat: now - 600, exp: now - 120 })), /exp/);
    expect((await callbackWith((nonce) => ({ nonce, iat: now - 600, exp: now - 10 }))).status).toBe(303);
  });

  test("every refusal is in the audit as a denied sign-in with its reason", async () => {
    await t.app.audit.flush();
    const rows = (await (await t.request("/v4/audit?action=sso.signin&result=denied", { headers: { "X-API-Key": key } })).json()) as {
      entries: Array<{ details: { reason: string } }>;
    };
    expect(rows.entries.length).toBeGreaterThanOrEqual(5);
  });
});
