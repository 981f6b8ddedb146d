// Issue 106: the on-call people change their rota themselves. Bo, signed in with the company directory (a real OpenID
// Provider on loopback) with no admin scope, puts carl on duty for a day of his week: carl and bo are each mailed once
// (a real SMTP receiver), carl is paged during it; a second override over the same hours and one too far ahead are
// 400s naming the field; bo cancels another override (DELETE, audited) and both are told again; eve, signed in but
// on no schedule, may do none of it; bo makes and revokes his own calendar feed, whose URL then answers 404.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { startOidcDirectory, type OidcDirectory } from "../../../helpers/oidc-directory";
import { type RotaSite, startRotaSite } from "../../../helpers/rota-site";
import { waitFor } from "../../../helpers/wait-for";
import { type SmtpReceiver, startSmtpReceiver } from "../notify/receivers";

const BASE = "https://steward.corp.example:8443";
const ADMIN = generateApiKey();
const READ = generateApiKey();

let dir: OidcDirectory;
let smtp: SmtpReceiver;
let site: RotaSite;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  dir = await startOidcDirectory({
    clientId: "steward",
    clientSecret: "directory-secret",
    redirectUris: [`${BASE}/auth/callback`],
    people: {
      bo: { name: "Bo Berg", email: "bo@corp.example", groups: ["qlik-oncall"] },
      eve: { name: "Eve Ek", email: "eve@corp.example", groups: ["qlik-oncall"] },
    },
  });
  site = await startRotaSite(`http: { port: 0, publicUrl: "${BASE}" }
actionLinks: { publicBaseUrl: "${BASE}" }
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [task.failed], to: [mail], recipients: { onCall: primary } }
security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(ADMIN)}", scopes: [admin] }
    - { name: key-read, hash: "${hashApiKey(READ)}", scopes: [read] }
  sso:
    issuer: ${dir.issuer}
    clientId: steward
    clientSecret: directory-secret
    scopes: [openid, profile, email, groups]
    roles: [{ group: qlik-oncall, scopes: [read] }]
`);
}, 60_000);

afterAll(async () => {
  await site?.stop();
  await smtp?.stop();
  await dir?.stop();
});

/** Signs `login` in with the directory through Steward's own routes: the session cookie (its lifetime on the site's clock). */
async function signIn(login: string): Promise<string> {
  const start = await site.t.request("/auth/login?next=/ui");
  expect(start.status).toBe(303);
  const callback = new URL(await dir.signIn(start.headers.get("location")!, login));
  const back = await site.t.request(callback.pathname + callback.search);
  expect(back.status).toBe(303);
  return back.headers.get("set-cookie")!.split(";")[0]!;
}

const as = (who: { cookie?: string; key?: string }, method: string, body?: unknown): RequestInit => ({
  method,
  headers: {
    accept: "application/json",
    ...(who.cookie ? { cookie: who.cookie } : {}),
    ...(who.key ? { "x-api-key": who.key } : {}),
    ...(body !== undefined ? { "content-type": "application/json" } : {}),
  },
  ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
});

const toWhom = (subjectPart: string) =>
  smtp.mails
    .filter((m) => (m.mail.subject ?? "").includes(subjectPart))
    .flatMap((m) => m.envelopeTo)
    .sort();

test("a signed-in person of the schedule overrides it, both people are told once, and the new person is paged", async () => {
  const bo = { cookie: await signIn("bo") };
  const eve = { cookie: await signIn("eve") };
  const thursday = { schedule: "primary", person: "carl@corp.example", from: "2026-11-26T00:00", until: "2026-11-27T00:00" };

  // Eve is signed in but on no schedule; a read key is no admin: neither may override.
  const byEve = await site.t.request("/v4/oncall/overrides", as(eve, "POST", thursday));
  expect(byEve.status).toBe(403);
  expect(((await byEve.json()) as { error: string }).error).toContain("only an admin or a person of schedule primary");
  const byKey = await site.t.request("/v4/oncall/overrides", as({ key: READ }, "POST", thursday));
  expect(byKey.status).toBe(403);
  expect(await byKey.json()).toMatchObject({ details: { check: "scope" } });

  // Times without an offset are in the schedule's zone (Stockholm, UTC+1).
  const made = await site.t.request("/v4/oncall/overrides", as(bo, "POST", thursday));
  expect(made.status).toBe(201);
  const override = (await made.json()) as { id: number };
  expect(override).toMatchObject({
    person: "carl@corp.example",
    from: "2026-11-25T23:00:00.000Z",
    until: "2026-11-26T23:00:00.000Z",
    replaces: "bo@corp.example",
    createdBy: "Bo Berg <bo@corp.example> (sso:bo)",
  });
  await waitFor(() => toWhom("(primary) from Thu 26 Nov 00:00").length >= 2, { what: "the override's two notices", timeoutMs: 30_000 });
  expect(toWhom("You are on duty (primary) from Thu 26 Nov 00:00")).toEqual(["carl@corp.example"]);
  expect(toWhom("carl@corp.example covers your duty (primary) from Thu 26 Nov 00:00")).toEqual(["bo@corp.example"]);

  // The same hours again, and a start beyond 90 days: 400s naming the field.
  const twice = await site.t.request("/v4/oncall/overrides", as(bo, "POST", { ...thursday, person: "anna@corp.example", from: "2026-11-26T12:00" }));
  expect(twice.status).toBe(400);
  const twiceBody = (await twice.json()) as { error: string; details: { field: string } };
  expect(twiceBody.details.field).toBe("body.from");
  expect(twiceBody.error).toContain(`overlaps override ${override.id}`);
  const far = await site.t.request("/v4/oncall/overrides", as(bo, "POST", { ...thursday, from: "2027-03-01T00:00", until: "2027-03-02T00:00" }));
  expect(far.status).toBe(400);
  expect(await far.json()).toMatchObject({ details: { field: "body.from" } });

  await site.failAt("2026-11-26T10:00:00Z", "Payroll load");
  const paged = await waitFor(
    () => {
      const to = smtp.mails.filter((m) => (m.mail.subject ?? "").includes("Payroll load")).flatMap((m) => m.envelopeTo);
      return to.length >= 2 ? to : undefined;
    },
    { what: "the page about Payroll load", timeoutMs: 30_000 },
  );
  expect(paged.filter((a) => a !== "ops@corp.example")).toEqual(["carl@corp.example"]);
  // Told once, not again at later looks.
  await site.clock.advance(5 * 60_000);
  expect(toWhom("(primary) from Thu 26 Nov 00:00")).toEqual(["bo@corp.example", "carl@corp.example"]);
}, 120_000);

test("a signed-in person of the schedule cancels an override: audited, both people told, a second cancel is a 404", async () => {
  const bo = { cookie: await signIn("bo") };
  const eve = { cookie: await signIn("eve") };
  const made = await site.t.request(
    "/v4/oncall/overrides",
    as({ key: ADMIN }, "POST", { schedule: "primary", person: "anna@corp.example", from: "2026-11-28T09:00", until: "2026-11-28T18:00" }),
  );
  expect(made.status).toBe(201);
  const { id } = (await made.json()) as { id: number };
  expect((await site.t.request(`/v4/oncall/overrides/${id}`, as(eve, "DELETE"))).status).toBe(403);
  const cancelled = await site.t.request(`/v4/oncall/overrides/${id}`, as(bo, "DELETE"));
  expect(cancelled.status).toBe(200);
  expect(await cancelled.json()).toMatchObject({ id, person: "anna@corp.example", onDutyAgain: "bo@corp.example" });
  expect((await site.t.request(`/v4/oncall/overrides/${id}`, as(bo, "DELETE"))).status).toBe(404);

  // An override that is over stays in the rota's history: cancelling it is a 409.
  const brief = await site.t.request(
    "/v4/oncall/overrides",
    as({ key: ADMIN }, "POST", { schedule: "primary", person: "anna@corp.example", from: "2026-11-27T06:00:00Z", until: "2026-11-27T07:00:00Z" }),
  );
  expect(brief.status).toBe(201);
  const over = (await brief.json()) as { id: number };
  await site.clock.advance(Date.parse("2026-11-27T08:00:00Z") - site.clock.now());
  const late = await site.t.request(`/v4/oncall/overrides/${over.id}`, as({ key: ADMIN }, "DELETE"));
  expect(late.status).toBe(409);
  expect(await late.json()).toMatchObject({ details: { field: "id" } });

  await waitFor(() => toWhom("Override cancelled").length >= 2, { what: "the cancellation's two notices", timeoutMs: 30_000 });
  expect(toWhom("Override cancelled: you are no longer on duty (primary) from Sat 28 Nov 09:00")).toEqual(["anna@corp.example"]);
  expect(toWhom("Override cancelled: you are on duty again (primary) from Sat 28 Nov 09:00")).toEqual(["bo@corp.example"]);
  const listed = (await (await site.t.request("/v4/oncall/overrides", as({ key: READ }, "GET"))).json()) as { overrides: Array<{ id: number }> };
  expect(listed.overrides.map((o) => o.id)).not.toContain(id);

  await site.t.app.audit.flush();
  // The request's one audit row names what it did (details.op) and who: bo's directory identity.
  const audit = (await (await site.t.request("/v4/audit?action=api.write&limit=50", as({ key: ADMIN }, "GET"))).json()) as {
    entries: Array<{ actor: { kind: string; name: string }; result: string; details: Record<string, unknown> }>;
  };
  const rows = audit.entries.filter((e) => e.details.op === "oncall.override.cancel");
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({
    actor: { kind: "sso", name: "Bo Berg <bo@corp.example> (sso:bo)" },
    result: "ok",
    details: { object: `primary/${id}`, onDutyAgain: "bo@corp.example" },
  });
}, 120_000);

test("a signed-in person makes and revokes their own calendar feed, and no one else's", async () => {
  const bo = { cookie: await signIn("bo") };
  expect((await site.t.request("/v4/oncall/feeds", as(bo, "POST", { person: "anna@corp.example" }))).status).toBe(403);
  const made = await site.t.request("/v4/oncall/feeds", as(bo, "POST", { person: "bo@corp.example" }));
  expect(made.status).toBe(201);
  const feed = (await made.json()) as { id: number; url: string };
  const path = new URL(feed.url).pathname;
  expect((await site.t.request(path)).status).toBe(200);
  // The list of everyone's feeds stays an admin's.
  expect((await site.t.request("/v4/oncall/feeds", as(bo, "GET"))).status).toBe(403);
  expect((await site.t.request(`/v4/oncall/feeds/${feed.id}`, as(bo, "DELETE"))).status).toBe(200);
  expect((await site.t.request(path)).status).toBe(404);
}, 60_000);
