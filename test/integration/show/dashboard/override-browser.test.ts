// Issue 106, "Done when" (the rota): in Chromium, bo signs in with the company directory (a real OpenID Provider on
// loopback; his group gives only the read scope) and, from the dashboard's On duty now panel, gives his Thursday to
// anna. Both are mailed once (a real SMTP receiver); a failure on Thursday pages anna; both people's calendar feeds
// (parsed by ical.js) show the swap, and a revoked feed URL answers 404. He then cancels an override from the panel:
// it is gone from the rota and anna is told. Time on a manual clock from Monday 23 November, 10:00 in Stockholm.
import { afterAll, beforeAll, expect, test } from "bun:test";
import ICAL from "ical.js";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { freeTcpPort } from "../../../helpers/free-port";
import { startOidcDirectory, type OidcDirectory } from "../../../helpers/oidc-directory";
import { type RotaSite, startRotaSite } from "../../../helpers/rota-site";
import { waitFor } from "../../../helpers/wait-for";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { launchChromium, type TestBrowser } from "./chromium";

const ADMIN = generateApiKey();
let dir: OidcDirectory;
let smtp: SmtpReceiver;
let site: RotaSite;
let chromium: TestBrowser | undefined;
let base: string;

beforeAll(async () => {
  const port = await freeTcpPort();
  base = `http://127.0.0.1:${port}`;
  smtp = await startSmtpReceiver();
  dir = await startOidcDirectory({
    clientId: "steward",
    clientSecret: "directory-secret",
    redirectUris: [`${base}/auth/callback`],
    people: { bo: { name: "Bo Berg", email: "bo@corp.example", groups: ["qlik-oncall"] } },
  });
  site = await startRotaSite(
    `http: { host: 127.0.0.1, port: ${port}, publicUrl: "${base}" }
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [task.failed], to: [mail], recipients: { onCall: primary } }
security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(ADMIN)}", scopes: [admin] }
  sso:
    issuer: ${dir.issuer}
    clientId: steward
    clientSecret: directory-secret
    scopes: [openid, profile, email, groups]
    roles: [{ group: qlik-oncall, scopes: [read] }]
`,
    "",
    "2026-11-23T09:00:00Z",
  );
  chromium = await launchChromium({ timezoneId: "America/New_York" });
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await site?.stop();
  await smtp?.stop();
  await dir?.stop();
});

const admin = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { "x-api-key": ADMIN, accept: "application/json", ...(body ? { "content-type": "application/json" } : {}) },
  ...(body ? { body: JSON.stringify(body) } : {}),
});
const mailsTo = (person: string, subjectPart: string) =>
  smtp.mails.filter((m) => m.envelopeTo.includes(person) && (m.mail.subject ?? "").includes(subjectPart));

/** The shifts of a feed that start in the week of 23 November, as [start, end] ISO pairs. */
async function shiftsThatWeek(url: string): Promise<string[][]> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return new ICAL.Component(ICAL.parse(await res.text()))
    .getAllSubcomponents("vevent")
    .map((v) => new ICAL.Event(v))
    .map((e) => [e.startDate.toJSDate().toISOString(), e.endDate.toJSDate().toISOString()])
    .filter(([start]) => start! >= "2026-11-23" && start! < "2026-11-30");
}

test("bo swaps his Thursday with anna from the dashboard: both told, anna paged, both feeds show it; he cancels another", { timeout: 300_000 }, async () => {
  const page = chromium!.page;
  await page.goto(`${base}/auth/login?next=/ui`);
  await page.fill('input[name="login"]', "bo");
  await page.fill('input[name="password"]', "any");
  await page.click('button[type="submit"]');
  await page.click('button[type="submit"]');
  await page.waitForURL((u) => u.href.startsWith(`${base}/ui`));
  await page.waitForSelector("#on-duty");

  // The form takes times on the schedule's clock (Stockholm), whatever zone the browser is in.
  const form = page.locator('form[data-schedule-form="primary"]');
  await page.click("text=Take a shift in primary, or swap…");
  await form.locator('select[name="person"]').selectOption("anna@corp.example");
  await form.locator('input[name="from"]').fill("2026-11-26T00:00");
  await form.locator('input[name="until"]').fill("2026-11-27T00:00");
  await form.locator('button[type="submit"]').click();
  await page.waitForSelector("text=Override made: the people are told");
  const row = page.locator("#overrides tbody tr");
  await waitFor(async () => (await row.count()) === 1, { what: "the override in the panel's list" });
  expect(await row.first().textContent()).toContain("anna@corp.example");

  const listed = (await (await fetch(`${base}/v4/oncall/overrides`, admin("GET"))).json()) as { overrides: Array<Record<string, unknown>> };
  expect(listed.overrides).toEqual([
    expect.objectContaining({
      person: "anna@corp.example",
      from: "2026-11-25T23:00:00.000Z",
      until: "2026-11-26T23:00:00.000Z",
      createdBy: "Bo Berg <bo@corp.example> (sso:bo)",
    }),
  ]);
  await waitFor(
    () =>
      mailsTo("anna@corp.example", "You are on duty (primary)").length === 1 && mailsTo("bo@corp.example", "covers your duty (primary) from Thu").length === 1,
    {
      what: "the two notices",
      timeoutMs: 30_000,
    },
  );
  expect(mailsTo("bo@corp.example", "covers your duty (primary) from Thu")[0]!.mail.subject).toBe(
    "anna@corp.example covers your duty (primary) from Thu 26 Nov 00:00 until Fri 27 Nov 00:00 (Europe/Stockholm)",
  );

  const feeds: Record<string, { id: number; url: string }> = {};
  for (const person of ["anna@corp.example", "bo@corp.example"]) {
    const res = await fetch(`${base}/v4/oncall/feeds`, admin("POST", { person }));
    expect(res.status).toBe(201);
    feeds[person] = (await res.json()) as { id: number; url: string };
  }
  // Anna: Thursday; bo: his week around carl's Wednesday (the config's override) and anna's Thursday.
  expect(await shiftsThatWeek(feeds["anna@corp.example"]!.url)).toEqual([["2026-11-25T23:00:00.000Z", "2026-11-26T23:00:00.000Z"]]);
  expect(await shiftsThatWeek(feeds["bo@corp.example"]!.url)).toEqual([
    ["2026-11-23T08:00:00.000Z", "2026-11-24T23:00:00.000Z"],
    ["2026-11-26T23:00:00.000Z", "2026-11-30T08:00:00.000Z"],
  ]);
  expect((await fetch(`${base}/v4/oncall/feeds/${feeds["bo@corp.example"]!.id}`, admin("DELETE"))).status).toBe(200);
  expect((await fetch(feeds["bo@corp.example"]!.url)).status).toBe(404);

  // Saturday morning for anna, made by an admin; bo cancels it from the panel before it begins.
  expect(
    (
      await fetch(
        `${base}/v4/oncall/overrides`,
        admin("POST", { schedule: "primary", person: "anna@corp.example", from: "2026-11-28T09:00", until: "2026-11-28T13:00" }),
      )
    ).status,
  ).toBe(201);
  await page.reload();
  await waitFor(async () => (await row.count()) === 2, { what: "both overrides in the panel's list" });
  page.once("dialog", (d) => void d.accept());
  await page.locator('#overrides tr:has-text("2026-11-28") button[data-action="cancel-override"]').click();
  await page.waitForSelector("text=Override cancelled: the people are told");
  await waitFor(async () => (await row.count()) === 1, { what: "the cancelled override gone from the list" });
  await waitFor(() => mailsTo("anna@corp.example", "Override cancelled: you are no longer on duty").length === 1, {
    what: "anna's cancel notice",
    timeoutMs: 30_000,
  });

  // Thursday 11:00 in Stockholm: the swap's day pages anna, not bo.
  await site.failAt("2026-11-26T10:00:00Z", "Payroll load");
  const paged = await waitFor(
    () => {
      const to = smtp.mails.filter((m) => (m.mail.subject ?? "").includes("Payroll load")).flatMap((m) => m.envelopeTo);
      return to.length >= 2 ? to : undefined;
    },
    { what: "the page about Payroll load", timeoutMs: 30_000 },
  );
  expect(paged.filter((a) => a !== "ops@corp.example")).toEqual(["anna@corp.example"]);
  // Told once of the swap (the Saturday override, made and cancelled, is a notice of its own).
  expect(mailsTo("bo@corp.example", "covers your duty (primary) from Thu 26 Nov")).toHaveLength(1);
});
