// Signing in with the company directory: a real OpenID Provider on loopback (oidc-provider) and Steward on a real
// listener. A person signs in with PKCE, state and nonce, is mapped to scopes by group, is refused with a page when no
// group is mapped, signs out (the cookie then opens nothing), and a callback replayed is refused. A session whose
// refresh the directory refuses ends. API keys keep working beside it, and when the directory is unreachable the
// sign-in page says why while keys still work.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { createManualClock, type ManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { doctorProbes } from "../../../../src/show/doctor/from-config";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { freeTcpPort } from "../../../helpers/free-port";
import { startOidcDirectory, type OidcDirectory } from "../../../helpers/oidc-directory";
import { waitFor } from "../../../helpers/wait-for";

const PEOPLE = {
  anna: { name: "Anna Svensson", email: "anna@corp.example", groups: ["qlik-admins", "staff"] },
  bob: { name: "Bob Berg", email: "bob@corp.example", groups: ["qlik-readers"] },
  eve: { name: "Eve Ek", email: "eve@corp.example", groups: ["marketing"] },
  carl: { name: "Carl Ceder", email: "carl@corp.example", groups: ["qlik-readers"] },
};

const manual = { redirect: "manual" } as const;

function ssoYaml(issuer: string, base: string, port: number, key: string): string {
  return `http: { host: 127.0.0.1, port: ${port}, publicUrl: "${base}" }
security:
  apiKeys:
    - { name: deploy-script, hash: "${hashApiKey(key)}", scopes: [admin] }
  sso:
    issuer: ${issuer}
    clientId: steward
    clientSecret: directory-secret
    scopes: [openid, profile, email, groups, offline_access]
    roles:
      - { group: qlik-admins, scopes: [admin] }
      - { group: qlik-readers, scopes: [read] }
`;
}

/** The doctor's line for single sign-on, for a config. */
async function doctorLine(yaml: string) {
  const { probes, close } = doctorProbes(parseConfigText(`udp: { enabled: false }\n${yaml}`, "doctor.yaml", "/").config, "/", createSilentLogger());
  try {
    return await probes.find((p) => p.check === "single sign-on")!.run();
  } finally {
    close();
  }
}

describe("single sign-on with a real OpenID Provider", () => {
  let dir: OidcDirectory;
  let t: TestApp;
  let clock: ManualClock;
  let base: string;
  const key = generateApiKey();
  const people = structuredClone(PEOPLE) as Record<string, (typeof PEOPLE)["anna"]>;

  beforeAll(async () => {
    const port = await freeTcpPort();
    base = `http://127.0.0.1:${port}`;
    dir = await startOidcDirectory({
      clientId: "steward",
      clientSecret: "directory-secret",
      redirectUris: [`${base}/auth/callback`],
      postLogoutRedirectUris: [`${base}/auth/signed-out`],
      people,
      accessTokenTtl: 600,
    });
    clock = createManualClock(Date.now());
    t = createTestApp(ssoYaml(dir.issuer, base, port, key), { clock });
    await t.app.start();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await dir?.stop();
  });

  /** Signs `login` in through the directory, starting from `next`: the callback's answer. */
  async function callbackFor(login: string, next = "/ui"): Promise<{ res: Response; callback: string }> {
    const start = await fetch(`${base}/auth/login?next=${encodeURIComponent(next)}`, manual);
    expect(start.status).toBe(303);
    const callback = await dir.signIn(start.headers.get("location")!, login);
    return { res: await fetch(callback, manual), callback };
  }
  async function signIn(login: string): Promise<string> {
    const { res } = await callbackFor(login);
    expect(res.status).toBe(303);
    const set = res.headers.get("set-cookie")!;
    return set.split(";")[0]!;
  }
  const as = (cookie: string, path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, ...manual, headers: { ...init.headers, cookie } });

  test("the directory is asked with PKCE (S256), state and nonce, for the configured scopes and Steward's redirect URI", async () => {
    const res = await fetch(`${base}/auth/login?next=/ui/incidents`, manual);
    const url = new URL(res.headers.get("location")!);
    expect(url.origin).toBe(dir.issuer);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")?.length).toBeGreaterThan(40);
    expect(url.searchParams.get("state")?.length).toBeGreaterThan(20);
    expect(url.searchParams.get("nonce")?.length).toBeGreaterThan(20);
    expect(url.searchParams.get("redirect_uri")).toBe(`${base}/auth/callback`);
    expect(url.searchParams.get("scope")).toBe("openid profile email groups offline_access");
  });

  test("Anna (qlik-admins) signs in: an HttpOnly, SameSite=Lax session cookie opens what admin opens, and the audit names her", async () => {
    const { res } = await callbackFor("anna", "/ui/incidents");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/ui/incidents");
    const set = res.headers.get("set-cookie")!;
    expect(set).toMatch(/^steward_session=[A-Za-z0-9_-]{40,}; Path=\/; Max-Age=86400; HttpOnly; SameSite=Lax$/);
    const cookie = set.split(";")[0]!;
    const me = (await (await as(cookie, "/auth/session")).json()) as { signedIn: boolean; subject: string; scopes: string[]; email: string };
    expect(me).toMatchObject({ signedIn: true, subject: "anna", email: "anna@corp.example", scopes: ["admin"] });
    expect((await as(cookie, "/v4/incidents")).status).toBe(200);
    expect((await as(cookie, "/v4/admin/apikeys")).status).toBe(200);
    expect((await fetch(`${base}/v4/incidents`)).status).toBe(401);
    await waitFor(
      async () => {
        const audit = (await (await fetch(`${base}/v4/audit?action=sso.signin`, { headers: { "X-API-Key": key } })).json()) as {
          entries: Array<{ actor: { kind: string; name: string }; result: string; details: { scopes?: string[] } }>;
        };
        return audit.entries.some((e) => e.actor.kind === "sso" && e.actor.name === "Anna Svensson <anna@corp.example> (sso:anna)" && e.result === "ok");
      },
      { what: "Anna's sign-in in the audit" },
    );
  });

  test("Bob (qlik-readers) may read but not administer", async () => {
    const cookie = await signIn("bob");
    expect((await as(cookie, "/v4/incidents")).status).toBe(200);
    const refused = await as(cookie, "/v4/admin/apikeys");
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toContain('Bob Berg <bob@corp.example> (sso:bob) lacks scope "admin"');
  });

  test("Eve, whose groups map to nothing, gets a page that says so and no cookie", async () => {
    const { res } = await callbackFor("eve");
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
    const html = await res.text();
    expect(html).toContain("No access to Steward");
    expect(html).toContain("marketing");
    expect(html).toContain("security.sso.roles");
  });

  test("a callback used twice completes once", async () => {
    const { res, callback } = await callbackFor("bob");
    expect(res.status).toBe(303);
    const again = await fetch(callback, manual);
    expect(again.status).toBe(400);
    expect(again.headers.get("set-cookie")).toBeNull();
  });

  test("a next address on another site is never followed", async () => {
    const { res } = await callbackFor("bob", "//evil.example/x");
    expect(res.headers.get("location")).toBe("/ui");
  });

  test("a dashboard page opened without a session sends the browser to sign in with the directory", async () => {
    const res = await fetch(`${base}/ui/incidents`, { ...manual, headers: { accept: "text/html" } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/auth/login?next=%2Fui%2Fincidents");
  });

  test("sign-out ends the session (at the directory too) and the cookie opens nothing after", async () => {
    const cookie = await signIn("anna");
    const out = await as(cookie, "/auth/logout", { method: "POST", headers: { origin: base } });
    expect(out.status).toBe(303);
    expect(out.headers.get("location")!.startsWith(`${dir.issuer}/session/end`)).toBe(true);
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    expect((await as(cookie, "/v4/incidents")).status).toBe(401);
    expect(((await (await as(cookie, "/auth/session")).json()) as { signedIn: boolean }).signedIn).toBe(false);
  });

  test("a session whose refresh the directory refuses ends; one it refreshes goes on", async () => {
    const bob = await signIn("bob");
    const carl = await signIn("carl");
    delete people.carl; // Carl leaves the company: the directory refuses to refresh his tokens.
    await clock.advance(11 * 60_000);
    expect((await as(bob, "/v4/incidents")).status).toBe(200);
    expect((await as(carl, "/v4/incidents")).status).toBe(401);
  });

  test("/status without a session offers the sign-in; Bob's session (read) opens it", async () => {
    const page = await fetch(`${base}/status`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('<a href="/auth/login?next=%2Fstatus">Sign in with your company account</a>');
    const cookie = await signIn("bob");
    expect((await as(cookie, "/status", { headers: { accept: "application/json" } })).status).toBe(200);
  });

  test("the dashboard's key page offers the directory first", async () => {
    const html = await (await fetch(`${base}/ui/login?next=/ui/incidents`, { headers: { accept: "text/html" } })).text();
    expect(html).toContain('href="/auth/login?next=%2Fui%2Fincidents"');
    expect(html).toContain("Sign in with your company account");
  });

  test("steward doctor reads the directory's discovery and its signing keys", async () => {
    const line = await doctorLine(ssoYaml(dir.issuer, base, 1, key));
    expect(line.ok).toBe(true);
    expect(line.detail).toContain(`${dir.issuer}: discovery read, 1 signing key(s) at ${dir.issuer}/jwks`);
  });

  test("API keys keep working for machines beside the sessions", async () => {
    expect((await fetch(`${base}/v4/admin/apikeys`, { headers: { "X-API-Key": key } })).status).toBe(200);
  });
});

describe("single sign-on while the directory cannot be reached", () => {
  let t: TestApp;
  let base: string;
  let issuer: string;
  const key = generateApiKey();

  beforeAll(async () => {
    const [port, nobody] = [await freeTcpPort(), await freeTcpPort()];
    base = `http://127.0.0.1:${port}`;
    issuer = `http://127.0.0.1:${nobody}`;
    t = createTestApp(ssoYaml(issuer, base, port, key));
    await t.app.start();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  test("steward doctor says the directory cannot be reached", async () => {
    const line = await doctorLine(ssoYaml(issuer, base, 1, key));
    expect(line.ok).toBe(false);
    expect(line.detail).toContain(`the directory at ${issuer} could not be reached`);
  });

  test("the sign-in page says why and points to keys; keys still work", async () => {
    const res = await fetch(`${base}/auth/login?next=/ui`, manual);
    expect(res.status).toBe(503);
    const html = await res.text();
    expect(html).toContain("could not be reached");
    expect(html).toContain('href="/ui/login"');
    expect((await fetch(`${base}/v4/incidents`, { headers: { "X-API-Key": key } })).status).toBe(200);
  });
});
