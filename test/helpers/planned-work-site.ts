// Issue 106's planned work told ahead, on the freshness chain site (freshness-chain-site.ts): Sales dashboard promised
// fresh by 07:00 (Europe/Stockholm, weekdays), its chain's head Extract orders at 05:10. Friday 20 Nov 2026 has three
// windows: patching the central node (sense1.test.example, where the chain's runs ran: a node window is matched with
// the node of a task's last run, qlik.host only before any) 05:00–06:00, which holds the chain; patching a node the
// chain does not run on, at the same time; a backup 03:00–05:00 that ends before the chain runs. Anna's subscription to the
// promise is mailed through business-mail; on-call's route (ops-mail) takes the task failures and freshness alerts.
import { expect } from "bun:test";
import type { SteppedClock } from "../../src/platform/core/stepped-clock";
import { chainStewardYaml } from "./freshness-chain-site";
import type { SteppedSite } from "./stepped-site";

export const PLANNED_WORK_WINDOWS = `maintenance:
  windows:
    - { name: Patch Qlik host, reason: Windows updates, nodes: [sense1.test.example], start: "2026-11-20T05:00:00+01:00", end: "2026-11-20T06:00:00+01:00" }
    - { name: Patch reload01, nodes: [reload01.test.example], start: "2026-11-20T05:00:00+01:00", end: "2026-11-20T06:00:00+01:00" }
    - { name: Early backup, start: "2026-11-20T03:00:00+01:00", end: "2026-11-20T05:00:00+01:00" }
`;

/** The Steward's config: the chain site's, with the mail channels, the subscriptions, on-call's route and the windows. */
export function plannedWorkStewardYaml(site: SteppedSite, o: { httpPort: number; smtpPort: number; store?: string }): string {
  const mail = `{ host: 127.0.0.1, port: ${o.smtpPort}, security: none }`;
  return `${o.store ?? ""}${chainStewardYaml(site, {
    timeZone: "Europe/Stockholm",
    extra: `http: { host: 127.0.0.1, port: ${o.httpPort}, publicUrl: "http://127.0.0.1:${o.httpPort}" }
channels:
  ops-mail: { type: email, smtp: ${mail}, from: steward@corp.example, to: [ops@corp.example] }
  business-mail: { type: email, smtp: ${mail}, from: "Qlik status <status@corp.example>" }
status:
  subscriptions: { channel: business-mail, allowedDomains: [corp.example] }
routes:
  - { on: [task.failed, maintenance.summary, app.freshness_warning, app.freshness_breached], to: [ops-mail] }
${PLANNED_WORK_WINDOWS}`,
  })}`;
}

/** Anna asks for the promise's mails on /status and follows the confirmation link (the apps known from QRS first). */
export async function subscribeAnna(clock: SteppedClock, base: string, mailText: () => string | undefined, confirmBy: number): Promise<void> {
  const asked = await fetch(`${base}/status/subscriptions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "anna@corp.example", promise: "sales-morning" }),
  });
  expect(asked.status).toBe(202);
  await clock.runUntil(confirmBy);
  const confirm = /(http:\/\/[^\s]+\/status\/subscriptions\/confirm\?[^\s]+)/.exec(mailText() ?? "")?.[1];
  expect(confirm).toBeDefined();
  expect((await fetch(confirm!, { method: "POST" })).status).toBe(200);
}
