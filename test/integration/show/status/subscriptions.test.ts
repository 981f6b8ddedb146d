// Subscriptions from /status through a running Steward on a manual clock and a local SMTP server: a request sends a
// confirmation mail and nothing else; only after its link is confirmed does the "late" and the "fresh again" mail come,
// in business words (no task, job, scope), each with List-Unsubscribe and List-Unsubscribe-Post (RFC 8058); the
// one-click POST ends it. Refusals: an address outside allowedDomains (400 naming body.email), an app no promise covers,
// a forged link, the rate limits (429). The Atom feed lists the same notices.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { freeTcpPort } from "../../../helpers/free-port";
import { waitFor } from "../../../helpers/wait-for";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const at = (s: string) => Date.parse(s);
const clock = createManualClock(at("2026-11-23T05:00:00Z"));
let t: TestApp;
let smtp: SmtpReceiver;
let base: string;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  const port = await freeTcpPort();
  t = createTestApp(
    `http: { host: 127.0.0.1, port: ${port}, publicUrl: "http://127.0.0.1:${port}" }
notify: { timeZone: Europe/Oslo }
channels:
  business-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: "Qlik status <status@corp.example>" }
status:
  subscriptions: { channel: business-mail, allowedDomains: [corp.example], perAddress: 3, perClient: 8 }
freshness:
  interval: 1h
  promises:
    sales-morning: { appIds: [${SALES}], freshBy: "07:00", warnAt: "06:30", timeZone: Europe/Oslo }
`,
    { clock },
  );
  await t.app.start();
  base = `http://127.0.0.1:${port}`;
  await t.app.freshness!.store.recordReload({
    appId: SALES,
    appName: "Sales dashboard",
    stream: "Sales",
    tags: [],
    ok: true,
    atMs: at("2026-11-22T05:10:00Z"),
    task: "Reload Sales dashboard",
  });
  await t.app.freshness!.service.judgeNow();
}, 60_000);

afterAll(async () => {
  await t?.close();
  await smtp?.stop();
});

const subscribe = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/status/subscriptions`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const mailsTo = (address: string) => smtp.mails.filter((m) => m.envelopeTo.includes(address));
const linkIn = (text: string, path: string) => new RegExp(`(http://[^\\s]+${path}\\?[^\\s]+)`).exec(text)?.[1];
const judgeAt = async (iso: string) => {
  await clock.set(at(iso));
  await t.app.freshness!.service.judgeNow();
};

test("double opt-in, the late and the fresh-again mail in business words, and the one-click unsubscribe", async () => {
  const r = await subscribe({ email: "Anna@Corp.Example", appId: SALES });
  expect(r.status).toBe(202);
  expect(await r.json()).toMatchObject({ state: "mail_sent" });
  const confirmation = await waitFor(() => mailsTo("anna@corp.example")[0], { what: "the confirmation mail" });
  expect(confirmation.mail.subject).toBe("Confirm: mail me when Sales dashboard is late");
  const confirm = linkIn(confirmation.mail.text ?? "", "/status/subscriptions/confirm")!;
  expect(confirm).toBeDefined();

  // Cleo subscribes to the promise, whatever app it names (the API; the page offers an app and its promises).
  const cleo = await subscribe({ email: "cleo@corp.example", promise: "sales-morning" });
  expect(await cleo.json()).toMatchObject({ state: "mail_sent", message: expect.stringContaining("mail about the apps promised 07:00") });
  const cleoConfirm = linkIn(
    (await waitFor(() => mailsTo("cleo@corp.example")[0], { what: "Cleo's confirmation" })).mail.text ?? "",
    "/status/subscriptions/confirm",
  )!;
  expect((await fetch(cleoConfirm, { method: "POST" })).status).toBe(200);
  // Bea asks too and never confirms: she gets nothing but the confirmation.
  expect((await subscribe({ email: "bea@corp.example", appId: SALES })).status).toBe(202);
  // 06:40 in Oslo: past the warning time, not fresh yet, the deadline may still be kept: the business is told nothing.
  await judgeAt("2026-11-23T05:40:00Z");
  // The landing page asks; a GET (a mail scanner) confirms nothing.
  const page = await fetch(confirm);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("Confirm your subscription");
  // A changed signature is refused.
  const forged = await fetch(confirm.replace(/s=[^&]+/, "s=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), { method: "POST" });
  expect(forged.status).toBe(400);
  const done = await fetch(confirm, { method: "POST" });
  expect(done.status).toBe(200);
  expect(await done.text()).toContain("anna@corp.example will get a mail when Sales dashboard will be late");
  expect(mailsTo("anna@corp.example")).toHaveLength(1);
  // A forged link naming her confirmed subscription learns nothing of it.
  const probe = await fetch(confirm.replace(/s=[^&]+/, "s=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
  expect(probe.status).toBe(400);
  expect(await probe.text()).not.toContain("anna");

  // Asking again for what she has: the same answer as a new request (the page tells nobody who is subscribed), and a
  // mail to her saying so.
  const again = await subscribe({ email: "anna@corp.example", appId: SALES });
  expect(await again.json()).toMatchObject({ state: "mail_sent", message: expect.stringContaining("A mail is on its way to anna@corp.example") });
  const already = await waitFor(() => mailsTo("anna@corp.example")[1], { what: "the already-subscribed mail" });
  expect(already.mail.subject).toBe("You already get mail when Sales dashboard is late");

  // 07:00 in Oslo: late.
  await judgeAt("2026-11-23T06:01:00Z");
  const late = await waitFor(() => mailsTo("anna@corp.example")[2], { what: "the late mail" });
  expect(late.mail.subject).toBe("Sales dashboard is late today");
  expect(late.mail.text).toContain("Sales dashboard is late today (expected by 07:00 Europe/Oslo, when it will be ready is not known yet).");
  expect(late.mail.text).not.toMatch(/scope|task|Reload Sales/i);
  const header = (name: string) => late.mail.headers.find((h) => h.key === name.toLowerCase())?.value;
  const unsubscribe = /^<(http[^>]+)>$/.exec(header("List-Unsubscribe") ?? "")?.[1];
  expect(unsubscribe).toContain("/status/subscriptions/unsubscribe?");
  expect(header("List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");

  await t.app.freshness!.store.recordReload({
    appId: SALES,
    appName: "Sales dashboard",
    stream: "Sales",
    tags: [],
    ok: true,
    atMs: at("2026-11-23T06:42:00Z"),
    task: "Reload Sales dashboard",
  });
  await judgeAt("2026-11-23T06:45:00Z");
  const fresh = await waitFor(() => mailsTo("anna@corp.example")[3], { what: "the fresh-again mail" });
  expect(fresh.mail.subject).toBe("Sales dashboard is fresh again (data as of 07:42)");
  await waitFor(() => mailsTo("cleo@corp.example").length === 3, { what: "Cleo's late and fresh-again mails" });
  expect(
    mailsTo("cleo@corp.example")
      .map((m) => m.mail.subject)
      .slice(1),
  ).toEqual(["Sales dashboard is late today", "Sales dashboard is fresh again (data as of 07:42)"]);

  // The feed says the same, newest first.
  const feed = await (await fetch(`${base}/status/feed.atom?appId=${SALES}`)).text();
  // The notices (the late day's record entry, issue 106, is record-browser.test.ts's).
  const titles = [...feed.matchAll(/<entry>[\s\S]*?<title>([^<]*)<\/title>[\s\S]*?<category term="([a-z]+)"/g)]
    .filter((m) => m[2] !== "record")
    .map((m) => m[1]);
  expect(titles).toEqual(["Sales dashboard is fresh again (data as of 07:42)", "Sales dashboard is late today"]);
  for (const el of ["<id>urn:uuid:", "<title>", "<updated>", "<author><name>"]) expect(feed).toContain(el);
  // The self link names the feed, never anything else the reader put in its URL (a key allowed there).
  const keyed = await (await fetch(`${base}/status/feed.atom?appId=${SALES}&token=secret-in-url`)).text();
  expect(keyed).toContain(`<link rel="self" type="application/atom+xml" href="${base}/status/feed.atom?appId=${SALES}"/>`);
  expect(keyed).not.toContain("secret-in-url");

  // RFC 8058: the mail provider POSTs List-Unsubscribe=One-Click, no Origin of ours, no key.
  const one = await fetch(unsubscribe!, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://mail.example" },
    body: "List-Unsubscribe=One-Click",
  });
  expect(one.status).toBe(200);
  expect(await one.text()).toContain("anna@corp.example gets no more mail about Sales dashboard");
  // The next morning is late again: the feed says so, Anna (unsubscribed) and Bea (unconfirmed) get nothing.
  await judgeAt("2026-11-24T06:01:00Z");
  await judgeAt("2026-11-25T06:01:00Z");
  expect(await t.app.freshness!.store.openConditions()).not.toHaveLength(0);
  const next = await (await fetch(`${base}/status/feed.atom`)).text();
  expect(next.match(/<category term="(late|fresh)"\/>/g)).toHaveLength(3);
  expect(mailsTo("anna@corp.example")).toHaveLength(4);
  expect(mailsTo("bea@corp.example").map((m) => m.mail.subject)).toEqual(["Confirm: mail me when Sales dashboard is late"]);
});

test("refusals: an address outside allowedDomains, an app no promise covers, no target; the rate limits", async () => {
  const outside = await subscribe({ email: "victim@elsewhere.example", appId: SALES });
  expect(outside.status).toBe(400);
  const body = (await outside.json()) as { code: string; details: Array<{ field: string }> };
  expect(body.code).toBe("BAD_REQUEST");
  expect(body.details[0]!.field).toBe("body.email");
  const unknown = await subscribe({ email: "bo@corp.example", appId: "11111111-2222-3333-4444-555555555555" });
  expect(unknown.status).toBe(400);
  expect(((await unknown.json()) as { details: Array<{ field: string }> }).details[0]!.field).toBe("body.appId");
  const none = await subscribe({ email: "bo@corp.example" });
  expect(none.status).toBe(400);
  const notAnAddress = await subscribe({ email: "bo", appId: SALES });
  expect(((await notAnAddress.json()) as { details: Array<{ field: string }> }).details[0]!.field).toBe("body.email");

  const extra = await subscribe({ email: "bo@corp.example", appId: SALES, cc: "victim@elsewhere.example" });
  expect(extra.status).toBe(400);
  expect(((await extra.json()) as { error: string }).error).toContain("cc");
  // The landing pages: an incomplete link and a forged one are refused in words; an unknown subscription unsubscribes nothing.
  const incomplete = await fetch(`${base}/status/subscriptions/confirm?id=abc`);
  expect([incomplete.status, await incomplete.text()]).toEqual([400, expect.stringContaining("This link is not complete")]);
  const gone = await fetch(`${base}/status/subscriptions/unsubscribe?id=999999&s=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`, { method: "POST" });
  expect([gone.status, await gone.text()]).toEqual([200, expect.stringContaining("Unsubscribed")]);
  // A form from the page that names an address outside the domains: a page saying so, with the 400.
  const form = await fetch(`${base}/status/subscriptions`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: "eve@elsewhere.example", appId: SALES }).toString(),
  });
  expect(form.status).toBe(400);
  expect(form.headers.get("content-type")).toContain("text/html");
  expect(await form.text()).toContain("Only addresses at corp.example may subscribe");

  // Mail bombing one address: after perAddress (3) requests in the window, 429 naming the field, and no more mails.
  const before = mailsTo("carl@corp.example").length;
  for (let i = 0; i < 3; i++) expect((await subscribe({ email: "carl@corp.example", appId: SALES })).status).toBe(202);
  const fourth = await subscribe({ email: "carl@corp.example", appId: SALES });
  expect(fourth.status).toBe(429);
  expect(((await fourth.json()) as { details: Array<{ field: string }> }).details[0]!.field).toBe("body.email");
  await waitFor(() => mailsTo("carl@corp.example").length === before + 3, { what: "three confirmations" });
  // From one client, across addresses: perClient (8) counts every request it made in the window.
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await subscribe({ email: `d${i}@corp.example`, appId: SALES })).status);
  expect(statuses).toEqual([202, 202, 202, 202, 429]);
});
