// Two Stewards on one PostgreSQL behind one public address (a load balancer): a person signs in through one and is
// signed in on the other, a member's restart keeps them signed in, and signing out through one ends the session on
// both. The sign-in itself may start on one member and come back to the other (its state is in the store too). An
// admin's "sign out everywhere" on one member, and the directory's back-channel logout received by one, end the
// sessions on the other.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { freeTcpPort } from "../../../helpers/free-port";
import { startOidcDirectory, type OidcDirectory } from "../../../helpers/oidc-directory";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

const manual = { redirect: "manual" } as const;

describe("single sign-on on two Stewards sharing PostgreSQL", () => {
  let pg: PostgresService;
  let dir: OidcDirectory;
  let a: TestApp;
  let b: TestApp | undefined;
  let bDir: TempDir;
  let yaml: (name: string, port: number) => string;
  let urlA: string;
  let urlB: string;
  let portB: number;

  beforeAll(async () => {
    pg = await startPostgres();
    const db = await pg.createDatabase("sso_cluster");
    const portA = await freeTcpPort();
    portB = await freeTcpPort();
    urlA = `http://127.0.0.1:${portA}`;
    urlB = `http://127.0.0.1:${portB}`;
    // The public address is the balancer's: here node-a's, which the directory sends everyone back to.
    dir = await startOidcDirectory({
      clientId: "steward",
      clientSecret: "cluster-secret",
      redirectUris: [`${urlA}/auth/callback`],
      // The directory posts its logout tokens to node-b: the sessions end on node-a as well.
      backchannelLogoutUri: `${urlB}/auth/backchannel-logout`,
      people: { anna: { name: "Anna Svensson", email: "anna@corp.example", groups: ["qlik-admins"] } },
    });
    yaml = (name, port) => `store:
  postgres: { url: "${db}", instanceName: ${name}, leaseTtlMs: 2000, heartbeatIntervalMs: 300 }
http: { host: 127.0.0.1, port: ${port}, publicUrl: "${urlA}" }
security:
  sso:
    issuer: ${dir.issuer}
    clientId: steward
    clientSecret: cluster-secret
    scopes: [openid, profile, email, groups]
    roles: [{ group: qlik-admins, scopes: [admin] }]
`;
    a = createTestApp(yaml("node-a", portA));
    await a.app.start();
    bDir = createTempDir();
    b = createTestApp(yaml("node-b", portB), { dir: bDir.path });
    await b.app.start();
  }, 120_000);
  afterAll(async () => {
    await b?.app.stop();
    bDir?.remove();
    await a?.close();
    await dir?.stop();
    await pg?.stop();
  });

  let cookie: string;
  const on = (base: string, path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, ...manual, headers: { ...init.headers, cookie } });

  test("a sign-in started on node-b completes through node-a, and the session opens both", async () => {
    const start = await fetch(`${urlB}/auth/login?next=/v4/incidents`, manual);
    const callback = await dir.signIn(start.headers.get("location")!, "anna");
    expect(callback.startsWith(`${urlA}/auth/callback?`)).toBe(true);
    const back = await fetch(callback, manual);
    expect(back.status).toBe(303);
    cookie = back.headers.get("set-cookie")!.split(";")[0]!;
    expect((await on(urlA, "/v4/incidents")).status).toBe(200);
    expect((await on(urlB, "/v4/incidents")).status).toBe(200);
  });

  test("node-b restarts: Anna is still signed in on it", async () => {
    await b!.app.stop();
    b = createTestApp(yaml("node-b", portB), { dir: bDir.path });
    await b.app.start();
    const me = (await (await on(urlB, "/auth/session")).json()) as { signedIn: boolean; subject: string };
    expect(me).toMatchObject({ signedIn: true, subject: "anna" });
  });

  test("signing out through node-b ends the session on node-a too", async () => {
    // The page's own origin, as a browser sends it (behind a balancer its Host and Origin are the public address).
    expect((await on(urlB, "/auth/logout", { method: "POST", headers: { origin: urlB } })).status).toBe(303);
    expect((await on(urlA, "/v4/incidents")).status).toBe(401);
  });

  async function signIn(): Promise<string> {
    const start = await fetch(`${urlA}/auth/login?next=/ui`, manual);
    const back = await fetch(await dir.signIn(start.headers.get("location")!, "anna"), manual);
    return back.headers.get("set-cookie")!.split(";")[0]!;
  }
  const onAs = (c: string, base: string, path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { ...init, ...manual, headers: { ...init.headers, cookie: c } });

  test("an admin signs Anna out everywhere through node-b: her sessions end on node-a too", async () => {
    const [one, two] = [await signIn(), await signIn()];
    const list = (await (await onAs(one, urlA, "/v4/sso/sessions?subject=anna")).json()) as { sessions: unknown[] };
    expect(list.sessions.length).toBe(2);
    const res = await onAs(one, urlB, "/v4/sso/people/anna/sessions", { method: "DELETE", headers: { origin: urlB } });
    expect(res.status).toBe(200);
    expect((await onAs(one, urlA, "/v4/incidents")).status).toBe(401);
    expect((await onAs(two, urlA, "/v4/incidents")).status).toBe(401);
  });

  test("the directory's back-channel logout, received by node-b, ends the session on node-a", async () => {
    const c = await signIn();
    expect((await onAs(c, urlA, "/v4/incidents")).status).toBe(200);
    await dir.signOutAtDirectory("anna");
    expect((await onAs(c, urlA, "/v4/incidents")).status).toBe(401);
  });
});
