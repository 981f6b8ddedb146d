// Subscriptions are kept in the store: confirmed before a restart, the subscriber is mailed after it. A mail the SMTP
// server refuses for now (4xx) stays queued and goes out at the next try, a minute later on Steward's clock.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createManualClock } from "../../../../src/platform/core/clock";
import { syntheticFreshnessEvent } from "../../../../src/watch/freshness/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const dir = createTempDir();
const clock = createManualClock(Date.parse("2026-11-23T05:00:00Z"));
let smtp: SmtpReceiver;
let refuse = 0;
const running: TestApp[] = [];
afterAll(async () => {
  for (const t of running) await t.close().catch(() => {});
  await smtp?.stop();
  dir.remove();
});

const yaml = (port: number) => `http: { port: 0, host: 127.0.0.1, publicUrl: "https://steward.corp.example" }
channels:
  business-mail: { type: email, smtp: { host: 127.0.0.1, port: ${port}, security: none }, from: status@corp.example }
status:
  subscriptions: { channel: business-mail, allowedDomains: [corp.example] }
freshness:
  interval: 1h
  promises:
    sales-morning: { appIds: [${SALES}], freshBy: "07:00" }
`;

/** Sales dashboard reloaded a day ago, and `email` asks to be told about it: the Steward's base URL. */
async function subscribe(t: TestApp, email: string): Promise<string> {
  await t.app.freshness!.store.recordReload({
    appId: SALES,
    appName: "Sales dashboard",
    stream: "Sales",
    tags: [],
    ok: true,
    atMs: clock.now() - 86_400_000,
    task: "r",
  });
  const base = t.app.server!.url().replace(/\/$/, "");
  const r = await fetch(`${base}/status/subscriptions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, appId: SALES }),
  });
  expect(r.status).toBe(202);
  return base;
}

test("a subscription confirmed before a restart is mailed after it; a mail refused for now is sent at the next try", async () => {
  smtp = await startSmtpReceiver({
    beforeAccept: async () => {
      if (refuse > 0) {
        refuse--;
        throw Object.assign(new Error("mailbox busy, try later"), { responseCode: 451 });
      }
    },
  });
  const mails = () => smtp.mails.filter((m) => m.envelopeTo.includes("anna@corp.example"));
  const first = createTestApp(yaml(smtp.port), { clock, dir: join(dir.path, "steward") });
  running.push(first);
  await first.app.start();
  const base = await subscribe(first, "anna@corp.example");
  const confirmation = await waitFor(() => mails()[0], { what: "the confirmation mail" });
  const link = new URL(/(https:\/\/\S+\/status\/subscriptions\/confirm\?\S+)/.exec(confirmation.mail.text ?? "")![1]!);
  expect((await fetch(`${base}${link.pathname}${link.search}`, { method: "POST" })).status).toBe(200);
  await first.close();
  running.length = 0;

  const second = createTestApp(yaml(smtp.port), { clock, dir: join(dir.path, "steward") });
  running.push(second);
  await second.app.start();
  refuse = 1;
  await second.app.bus.emit("app.freshness_breached", syntheticFreshnessEvent("app.freshness_breached", { nowMs: clock.now() }));
  const sql = second.app.sharedStore.sql;
  const row = await waitFor(
    async () => {
      const m = await sql.get<{ attempts: number; state: string; last_error: string | null }>(
        "SELECT attempts, state, last_error FROM status_mails WHERE mail_key LIKE '%late'",
      );
      return m && m.attempts === 1 ? m : undefined;
    },
    { what: "the first attempt, refused" },
  );
  expect(row).toMatchObject({ state: "pending" });
  expect(row.last_error).toContain("mailbox busy");
  expect(mails()).toHaveLength(1);
  await clock.advance(60_000);
  const late = await waitFor(() => mails()[1], { what: "the late mail at the next try" });
  expect(late.mail.subject).toMatch(/^Sales dashboard is late( today)?$/);
});

test("in notify's test mode every subscription mail goes to the test address, its subscriber named in the subject", async () => {
  const t = createTestApp(`${yaml(smtp.port)}notify: { testMode: { enabled: true, email: qa@corp.example } }\n`, { clock, dir: join(dir.path, "test-mode") });
  running.push(t);
  await t.app.start();
  await subscribe(t, "bo@corp.example");
  const mail = await waitFor(() => smtp.mails.find((m) => m.envelopeTo.includes("qa@corp.example")), { what: "the confirmation at the test address" });
  expect(mail.mail.subject).toBe("[TEST for bo@corp.example] Confirm: mail me when Sales dashboard is late");
  expect(smtp.mails.some((m) => m.envelopeTo.includes("bo@corp.example"))).toBe(false);
});
