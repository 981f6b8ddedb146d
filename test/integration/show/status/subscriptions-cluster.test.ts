// Two Stewards on one PostgreSQL store, on real time: a subscription made on one is confirmed through the other (one
// signing key for the site), and when both hear the same freshness events (a judge's lease changing hands between
// them), the subscriber gets each mail once: the notice is recorded once and each mail is claimed before it is sent.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { syntheticFreshnessEvent } from "../../../../src/watch/freshness/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const dir = createTempDir();
let pg: PostgresService;
let smtp: SmtpReceiver;
const stewards: TestApp[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  smtp = await startSmtpReceiver();
  const url = await pg.createDatabase("status_subscriptions_cluster");
  for (const name of ["alpha", "beta"]) {
    const t = createTestApp(
      `store:
  postgres: { url: ${url}, instanceName: ${name}, leaseTtlMs: 2000, heartbeatIntervalMs: 300 }
http: { port: 0, host: 127.0.0.1, publicUrl: "https://steward.corp.example" }
notify: { timeZone: Europe/Stockholm }
channels:
  business-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: status@corp.example }
status:
  subscriptions: { channel: business-mail, allowedDomains: [corp.example] }
freshness:
  interval: 1h
  promises:
    sales-morning: { appIds: [${SALES}], freshBy: "07:00" }
`,
      { dir: join(dir.path, name) },
    );
    stewards.push(t);
  }
  await Promise.all(stewards.map((s) => s.app.start()));
  await stewards[0]!.app.freshness!.store.recordReload({
    appId: SALES,
    appName: "Sales dashboard",
    stream: "Sales",
    tags: [],
    ok: true,
    atMs: Date.now() - 86_400_000,
    task: "Reload Sales dashboard",
  });
}, 90_000);

afterAll(async () => {
  for (const s of stewards) await s.close().catch(() => {});
  await smtp?.stop();
  await pg?.stop();
  dir.remove();
});

const server = (i: number) => stewards[i]!.app.server!.url().replace(/\/$/, "");
const mails = () => smtp.mails.filter((m) => m.envelopeTo.includes("anna@corp.example"));

test("subscribed on one Steward, confirmed on the other; each notice mailed once though both hear the events", async () => {
  const r = await fetch(`${server(0)}/status/subscriptions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "anna@corp.example", promise: "sales-morning", appId: SALES }),
  });
  expect(r.status).toBe(202);
  const confirmation = await waitFor(() => mails()[0], { what: "the confirmation mail" });
  const link = new URL(/(https:\/\/steward\.corp\.example\/status\/subscriptions\/confirm\?\S+)/.exec(confirmation.mail.text ?? "")![1]!);
  // The public address is a proxy in front of both: the link works on the other Steward too.
  expect((await fetch(`${server(1)}${link.pathname}${link.search}`, { method: "POST" })).status).toBe(200);

  const now = Date.now();
  for (const kind of ["app.freshness_breached", "app.freshness_recovered"] as const) {
    const e = syntheticFreshnessEvent(kind, { nowMs: now });
    await Promise.all(stewards.map((s) => s.app.bus.emit(kind, structuredClone(e))));
  }
  const sql = stewards[0]!.app.sharedStore.sql;
  await waitFor(async () => (await sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM status_mails WHERE state <> 'sent'"))?.n === 0 && mails().length >= 3, {
    what: "every queued mail sent",
  });
  // Both senders look again at their next sweep; nothing is left to send twice.
  expect(mails().map((m) => m.mail.subject)).toEqual([
    "Confirm: mail me when Sales dashboard is late",
    expect.stringMatching(/^Sales dashboard is late( today)?$/),
    expect.stringMatching(/^Sales dashboard is fresh again \(data as of \d\d:\d\d\)$/),
  ]);
  const notices = await sql.all<{ word: string }>("SELECT word FROM status_notices ORDER BY id");
  expect(notices.map((n) => n.word)).toEqual(["late", "fresh"]);
}, 60_000);
