// Session administration of single sign-on, against a real OpenID Provider (oidc-provider) on loopback and Steward on
// a real listener with a manual clock: a session unused for the idle timeout ends, and a busy one ends at its
// lifetime; an admin lists the live sessions (who, since, last seen, from which client; never the cookie) and ends
// one, or all of a person's; a person signed out at the directory is signed out here by its back-channel logout, and
// logout tokens that are forged, meant for another client, carry a nonce or are replayed are refused. Steward started
// again with another token key cannot open the tokens it kept: the person signs in again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { createManualClock, type ManualClock } from "../../../../src/platform/core/clock";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type ForgedDirectory, startForgedDirectory } from "../../../helpers/forged-directory";
import { freeTcpPort } from "../../../helpers/free-port";
import { startOidcDirectory, type OidcDirectory } from "../../../helpers/oidc-directory";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

const manual = { redirect: "manual" } as const;
const PEOPLE = {
  anna: { name: "Anna Svensson", email: "anna@corp.example", groups: ["qlik-admins"] },
  bob: { name: "Bob Berg", email: "bob@corp.example", groups: ["qlik-readers"] },
};
const key = generateApiKey();

interface SessionView {
  id: string;
  subject: string;
  since: string;
  lastSeen: string;
  endsAt: string;
  client: { ip?: string; userAgent?: string };
}

const yamlOf = (issuer: string, base: string, port: number, extra = "") => `http: { host: 127.0.0.1, port: ${port}, publicUrl: "${base}" }
security:
  apiKeys:
    - { name: deploy-script, hash: "${hashApiKey(key)}", scopes: [admin] }
  sso:
    issuer: ${issuer}
    clientId: steward
    clientSecret: directory-secret
    scopes: [openid, profile, email, groups]
    idleTimeout: 30m
    sessionLifetime: 2h
${extra}    roles:
      - { group: qlik-admins, scopes: [admin] }
      - { group: qlik-readers, scopes: [read] }
`;

describe("session administration with a real OpenID Provider", () => {
  let dir: OidcDirectory;
  let t: TestApp;
  let clock: ManualClock;
  let base: string;
  let port: number;
  let data: TempDir;

  beforeAll(async () => {
    port = await freeTcpPort();
    base = `http://127.0.0.1:${port}`;
    dir = await startOidcDirectory({
      clientId: "steward",
      clientSecret: "directory-secret",
      redirectUris: [`${base}/auth/callback`],
      postLogoutRedirectUris: [`${base}/auth/signed-out`],
      backchannelLogoutUri: `${base}/auth/backchannel-logout`,
      people: PEOPLE,
    });
    clock = createManualClock(Date.now());
    data = createTempDir("steward-sso-sessions-");
    t = createTestApp(yamlOf(dir.issuer, base, port), { clock, dir: data.path });
    await t.app.start();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await dir?.stop();
    data?.remove();
  });

  async function signIn(login: string): Promise<string> {
    const start = await fetch(`${base}/auth/login?next=/ui`, manual);
    const callback = await dir.signIn(start.headers.get("location")!, login);
    const res = await fetch(callback, { ...manual, headers: { "user-agent": `Browser of ${login}` } });
    expect(res.status).toBe(303);
    return res.headers.get("set-cookie")!.split(";")[0]!;
  }
  const as = (cookie: string, path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, ...manual, headers: { ...init.headers, cookie } });
  const admin = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, headers: { ...init.headers, "X-API-Key": key } });
  const sessions = async (query = "") => ((await (await admin(`/v4/sso/sessions${query}`)).json()) as { sessions: SessionView[] }).sessions;

  // First, while the manual clock still agrees with the directory's: a logout token older than 5 minutes is refused.
  test("signed out at the directory: its back-channel logout ends the session here", async () => {
    const anna = await signIn("anna");
    const bob = await signIn("bob");
    expect((await as(anna, "/v4/incidents")).status).toBe(200);
    await dir.signOutAtDirectory("anna");
    expect((await as(anna, "/v4/incidents")).status).toBe(401);
    expect((await as(bob, "/v4/incidents")).status).toBe(200);
  });

  test("a session unused for the idle timeout ends; one in use goes on until its lifetime", async () => {
    const idle = await signIn("anna");
    const busy = await signIn("bob");
    for (let i = 0; i < 3; i++) {
      await clock.advance(25 * 60_000);
      expect((await as(busy, "/v4/incidents")).status).toBe(200);
    }
    expect((await as(idle, "/v4/incidents")).status).toBe(401);
    await clock.advance(25 * 60_000); // 100 minutes
    expect((await as(busy, "/v4/incidents")).status).toBe(200);
    await clock.advance(21 * 60_000); // past the 2 hours of its lifetime
    expect((await as(busy, "/v4/incidents")).status).toBe(401);
  });

  test("an admin lists who is signed in, since when, last seen and from where; never the cookie", async () => {
    const anna = await signIn("anna");
    await clock.advance(2 * 60_000);
    expect((await as(anna, "/v4/incidents")).status).toBe(200);
    const list = await sessions();
    const mine = list.find((s) => s.subject === "anna")!;
    expect(mine).toMatchObject({
      name: "Anna Svensson",
      email: "anna@corp.example",
      scopes: ["admin"],
      client: { ip: "127.0.0.1", userAgent: "Browser of anna" },
    });
    expect(Date.parse(mine.lastSeen) - Date.parse(mine.since)).toBe(2 * 60_000);
    expect(Date.parse(mine.endsAt)).toBe(Date.parse(mine.lastSeen) + 30 * 60_000);
    expect(JSON.stringify(list)).not.toContain(anna.split("=")[1]!);
    expect(mine.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    // A person whose group maps to read may not see it.
    const bob = await signIn("bob");
    const refused = await as(bob, "/v4/sso/sessions");
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toContain('lacks scope "admin"');
  });

  test("an admin ends one session, then signs a person out everywhere; the audit names them", async () => {
    const one = await signIn("anna");
    await clock.advance(1000);
    const two = await signIn("anna");
    const annas = await sessions("?subject=anna");
    expect(annas.length).toBeGreaterThanOrEqual(2);
    const [newest] = annas;
    const res = await admin(`/v4/sso/sessions/${newest!.id}`, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect((await as(two, "/v4/incidents")).status).toBe(401);
    expect((await as(one, "/v4/incidents")).status).toBe(200);
    expect((await admin(`/v4/sso/sessions/${newest!.id}`, { method: "DELETE" })).status).toBe(404);
    const all = (await (await admin("/v4/sso/people/anna/sessions", { method: "DELETE" })).json()) as { ended: SessionView[] };
    expect(all.ended.length).toBe(annas.length - 1);
    expect((await as(one, "/v4/incidents")).status).toBe(401);
    expect(await sessions("?subject=anna")).toEqual([]);
    await waitFor(
      async () => {
        const { entries } = (await (await admin("/v4/audit?action=api.write&limit=50")).json()) as {
          entries: Array<{ details: { op?: string; object?: string } }>;
        };
        return entries.filter((e) => e.details.op === "sso.session.revoke" && e.details.object === "Anna Svensson <anna@corp.example> (sso:anna)").length === 2
          ? true
          : undefined;
      },
      { what: "the two revokes in the audit" },
    );
  });

  test("a person signs out everywhere: their other browsers are signed out too; a GET does not reach the others", async () => {
    const [laptop, phone, tablet] = [await signIn("anna"), await signIn("anna"), await signIn("anna")];
    expect((await as(laptop, "/auth/logout?everywhere=1")).status).toBe(303);
    expect((await as(phone, "/v4/incidents")).status).toBe(200);
    expect((await as(phone, "/auth/logout?everywhere=1", { method: "POST", headers: { origin: base } })).status).toBe(303);
    expect((await as(tablet, "/v4/incidents")).status).toBe(401);
    expect(await sessions("?subject=anna")).toEqual([]);
  });

  test("started again with another token key, Steward cannot open the tokens it kept: the session ends, the person signs in again", async () => {
    const anna = await signIn("anna");
    await t.app.stop();
    t = createTestApp(yamlOf(dir.issuer, base, port, "    tokenKey: a-new-token-key-of-at-least-32-characters\n"), { clock, dir: data.path });
    await t.app.start();
    expect((await as(anna, "/v4/incidents")).status).toBe(401);
    const again = await signIn("anna");
    expect((await as(again, "/v4/incidents")).status).toBe(200);
    const { entries } = (await (await admin("/v4/audit?action=sso.session.end&limit=20")).json()) as { entries: Array<{ details: { reason: string } }> };
    expect(entries.some((e) => e.details.reason.startsWith("its tokens do not open"))).toBe(true);
  });
});

describe("logout tokens that are not the directory's own, for Steward, once", () => {
  let forged: ForgedDirectory;
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    forged = await startForgedDirectory("steward");
    const port = await freeTcpPort();
    base = `http://127.0.0.1:${port}`;
    t = createTestApp(yamlOf(forged.issuer, base, port));
    await t.app.start();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await forged?.stop();
  });

  const EVENTS = { "http://schemas.openid.net/event/backchannel-logout": {} };
  async function logoutToken(claims: Record<string, unknown>, signWith = forged.key): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: forged.issuer, aud: "steward", sub: "anna", iat: now, jti: crypto.randomUUID(), events: EVENTS, ...claims })
      .setProtectedHeader({ alg: "RS256", kid: "published", typ: "logout+jwt" })
      .sign(signWith);
  }
  const post = (token: string) =>
    fetch(`${base}/auth/backchannel-logout`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ logout_token: token }).toString(),
    });
  const refusal = async (token: string) => {
    const res = await post(token);
    expect(res.status).toBe(400);
    return ((await res.json()) as { error_description: string }).error_description;
  };

  test("a well-formed logout token is taken once; its replay is refused", async () => {
    const token = await logoutToken({ sid: "dir-session-9" });
    expect((await post(token)).status).toBe(200);
    expect(await refusal(token)).toContain("was used already (a replay)");
  });

  test("a wrong issuer, another client's audience, a foreign signature, a nonce, no event, no sid nor sub, too old: refused", async () => {
    expect(await refusal(await logoutToken({ iss: "http://127.0.0.1:1" }))).toContain('unexpected "iss" claim value');
    expect(await refusal(await logoutToken({ aud: "another-app" }))).toContain('unexpected "aud" claim value');
    expect(await refusal(await logoutToken({}, forged.foreignKey))).toContain("signature verification failed");
    expect(await refusal(await logoutToken({ nonce: "n-1" }))).toContain("carries a nonce");
    expect(await refusal(await logoutToken({ events: {} }))).toContain("it is not a logout token");
    expect(await refusal(await logoutToken({ sub: undefined }))).toContain("neither a sid nor a sub");
    expect(await refusal(await logoutToken({ jti: undefined }))).toContain("no jti");
    expect(await refusal(await logoutToken({ iat: Math.floor(Date.now() / 1000) - 3600 }))).toContain('"iat" claim timestamp check failed');
    expect(await refusal("not-a-token")).toContain("the logout token was refused");
    // Only what the directory signed is audited: anyone may post forgeries here, and a row each would flood the log.
    const { entries } = (await (await fetch(`${base}/v4/audit?action=sso.backchannel-logout&limit=50`, { headers: { "X-API-Key": key } })).json()) as {
      entries: Array<{ result: string; details: { reason: string } }>;
    };
    const reasons = entries.map((e) => e.details.reason);
    expect(reasons.some((r) => r.includes("carries a nonce"))).toBe(true);
    expect(reasons.some((r) => r.includes("a replay"))).toBe(true);
    expect(reasons.filter((r) => r.includes("the logout token was refused"))).toEqual([]);
  });
});
