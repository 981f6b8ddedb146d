// A retry that is due keeps the promise (issue 102), on the freshness chain site with a stepped clock: Thursday the ERP
// job checks in on time, but Extract orders (05:10, 5 min tonight) fails at 05:15 on a locked QVD; a remediation rule
// retries lock failures 5 minutes on, the retry succeeds and the chain makes 07:00. Before, the look after the failure projected Sales from
// the next day's scheduled run and told the business "will be late today, now likely Fri 20 Nov 07:10" and on-call
// "At risk": false, the promise was kept. Now the projection counts the retry: no "late" mail to the subscriber, no
// freshness alert to on-call, and /status says when Sales is expected while the retry is due.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { CHAIN_KEY, CHAIN_SITE, chainStewardYaml, EXTRACT } from "../../../helpers/freshness-chain-site";
import { freeTcpPort } from "../../../helpers/free-port";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const at = (s: string) => Date.parse(s);
const MIN = 60_000;
const LOCKED = "Cannot open file orders.qvd: the file is being used by another process";
// Extract orders fails on a lock; the Scheduler itself does not retry it (maxRetries 0): remediation's rule does.
const SITE = CHAIN_SITE.replace("    app: Orders extract\n", `    app: Orders extract\n    maxRetries: 0\n    scriptError: "${LOCKED}"\n`);

const dir = createTempDir("steward-freshness-retry-");
let site: SteppedSite | undefined;
let t: TestApp | undefined;
let smtp: SmtpReceiver | undefined;
afterAll(async () => {
  await t?.close();
  await smtp?.stop();
  await site?.sim.stop();
  dir.remove();
});

test("a lock failure at 05:15 with a retry due at 05:20 that heals: no late mail, no freshness page", { timeout: 300_000 }, async () => {
  site = await startSteppedSite(dir.path, at("2026-11-13T00:00:00Z"), SITE);
  const { sim, clock } = site;
  await clock.runUntil(at("2026-11-19T03:00:00Z"));
  smtp = await startSmtpReceiver();
  const port = await freeTcpPort();
  const mail = `{ host: 127.0.0.1, port: ${smtp.port}, security: none }`;
  t = createTestApp(
    chainStewardYaml(site, {
      timeZone: "Europe/Stockholm",
      extra: `http: { host: 127.0.0.1, port: ${port}, publicUrl: "http://127.0.0.1:${port}" }
channels:
  ops-mail: { type: email, smtp: ${mail}, from: steward@corp.example, to: [ops@corp.example] }
  business-mail: { type: email, smtp: ${mail}, from: "Qlik status <status@corp.example>" }
status:
  subscriptions: { channel: business-mail, allowedDomains: [corp.example] }
routes:
  - { on: [task.failed, task.recovered, app.freshness_warning, app.freshness_breached, app.freshness_recovered], to: [ops-mail] }
remediation:
  rules:
    - { name: lock-retry, errorClasses: [lock], retryAfter: [5m] }
`,
    }),
    { clock, dir: join(dir.path, "steward") },
  );
  const events: WatchdogEvent[] = [];
  for (const k of ["app.freshness_warning", "app.freshness_breached", "app.freshness_recovered"] as const)
    t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
  await t.app.start();
  sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];
  const base = `http://127.0.0.1:${port}`;
  const mailsTo = (address: string) => smtp!.mails.filter((m) => m.envelopeTo.includes(address));

  // Anna subscribes to Sales dashboard and confirms.
  const asked = await fetch(`${base}/status/subscriptions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "anna@corp.example", promise: "sales-morning" }),
  });
  expect(asked.status).toBe(202);
  await clock.runUntil(at("2026-11-19T03:05:00Z"));
  const confirmation = mailsTo("anna@corp.example")[0];
  const confirm = /(http:\/\/[^\s]+\/status\/subscriptions\/confirm\?[^\s]+)/.exec(confirmation?.mail.text ?? "")?.[1];
  expect(confirm).toBeDefined();
  expect((await fetch(confirm!, { method: "POST" })).status).toBe(200);

  // The job checks in at 05:02; Extract fails once at 05:10 (its lock), then succeeds when run again.
  await clock.runUntil(at("2026-11-19T04:02:00Z"));
  expect((await fetch(`${base}/ping/${CHAIN_KEY}`, { method: "POST", body: "extract done" })).status).toBe(200);
  const patch = await fetch(`http://127.0.0.1:${sim.ports.control}/tasks/${EXTRACT}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ outcome: { failThenSucceed: 1 }, durationMs: 5 * MIN }),
  });
  expect(patch.status).toBe(200);
  await clock.runUntil(at("2026-11-19T04:17:00Z"));
  const extract = site.finished.filter((r) => r.task === "Extract orders" && r.startMs >= at("2026-11-19T04:00:00Z"));
  expect(extract.map((r) => r.status)).toEqual([8]);
  expect(extract[0]!.stopMs).toBeGreaterThan(at("2026-11-19T04:14:00Z"));
  // The retry is due at about 05:20 local: /status expects Sales from it, well before 07:00, and says nothing late.
  const view = (await (await fetch(`${base}/v4/freshness`)).json()) as { rows: Array<{ expected: { at: string | null; willMiss: string | null } | null }> };
  const expected = view.rows[0]!.expected!;
  expect(expected.willMiss).toBeNull();
  expect(Date.parse(expected.at!)).toBeLessThan(at("2026-11-19T06:00:00Z"));

  // The retry runs at 05:20, the chain follows: Sales is fresh before 07:00 (06:00Z).
  await clock.runUntil(at("2026-11-19T06:30:00Z"));
  const runs = site.finished.filter((r) => r.startMs >= at("2026-11-19T04:00:00Z")).map((r) => `${r.task}:${r.status}`);
  expect(runs).toEqual(["Extract orders:8", "Extract orders:7", "Transform orders:7", "Reload Sales dashboard:7"]);
  expect(events.map((e) => `${e.kind}@${e.receivedAt} ${String(e.data.atRisk ?? "")}`)).toEqual([]);
  // Anna got her confirmation and nothing else; on-call got no page about the promise.
  expect(mailsTo("anna@corp.example")).toHaveLength(1);
  expect(mailsTo("ops@corp.example").map((m) => m.mail.subject ?? "")).not.toContainEqual(expect.stringMatching(/Sales dashboard/));
});
