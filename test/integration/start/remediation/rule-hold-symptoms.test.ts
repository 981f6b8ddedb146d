// Issue 101, "every kind a held fault causes is held", on the simulator and a stepped clock shared with Steward, on each
// store: a chain of three tasks (Extract sales hourly → Transform sales → Reload Sales dashboard, task-event triggers)
// whose head fails on a locked QVD at 02:00; the documented lock rule retries it 5 and 15 minutes later. Every app is
// expected within 65 minutes (the downstream apps fall due at 02:09 and 02:11, while the rule is retrying) and Sales
// dashboard is promised fresh by 02:40. A mail route and a Teams route each take every kind a held fault can cause.
// When the rule heals the lock at its second retry, neither route gets a post. When it cannot, nothing is posted until
// it gave up (about 02:22); then each route gets one page, the failure's, naming the stopped chain and the promise.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "../../tell/notify/receivers";
import { qlikYaml } from "../scheduler/sim-setup";

const START = Date.parse("2026-03-10T00:50:00Z");
const MIN = 60_000;
const HEAD = "00000000-0000-4000-8c00-000000000011";
const LOCKED = "Cannot open file sales.qvd: the file is being used by another process";
const hourly = `{ type: schema, name: Hourly, incrementOption: custom, incrementDescription: "0 1 0 0", startDate: "2026-03-01T00:00:00.000", timeZone: UTC }`;
const SITE = `site: { name: Rule hold symptoms, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
streams: [{ name: Sales }]
apps:
  - { name: Sales extract, owner: INTERNAL\\sa_scheduler, stream: Sales, lastReloadTime: "2026-03-10T00:00:20.000Z" }
  - { name: Sales model, owner: INTERNAL\\sa_scheduler, stream: Sales, lastReloadTime: "2026-03-10T00:00:20.000Z" }
  - { name: Sales dashboard, owner: INTERNAL\\sa_scheduler, stream: Sales, lastReloadTime: "2026-03-10T00:00:20.000Z" }
tasks:
  - { id: ${HEAD}, name: Extract sales, type: reload, app: Sales extract, durationMs: 120000, maxRetries: 0, scriptError: "${LOCKED}", triggers: [${hourly}] }
  - { name: Transform sales, type: reload, app: Sales model, durationMs: 120000, maxRetries: 0, triggers: [{ type: composite, name: After the extract, rules: [{ task: Extract sales }] }] }
  - { name: Reload Sales dashboard, type: reload, app: Sales dashboard, durationMs: 120000, maxRetries: 0, triggers: [{ type: composite, name: After the model, rules: [{ task: Transform sales }] }] }
`;
/** Every kind a failed head of a chain can cause, on both routes. */
const KINDS =
  "task.failed, task.recovered, task.chain_broken, task.missed, task.running_long, app.stale, task.on_track, app.freshness_warning, app.freshness_breached, app.freshness_recovered";

interface Scenario {
  s: SteppedSite;
  t: TestApp;
  rx: HttpReceiver;
  smtp: SmtpReceiver;
}

let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

async function startScenario(dir: string, backend: "sqlite" | "postgres", db: string): Promise<Scenario> {
  const rx = startHttpReceiver();
  const smtp = await startSmtpReceiver();
  const s = await startSteppedSite(dir, START, SITE);
  let store = "";
  if (backend === "postgres") {
    pg ??= await startPostgres();
    store = `store:\n  postgres:\n    url: ${await pg.createDatabase(db)}\n    leaseTtlMs: 180000\n    heartbeatIntervalMs: 60000\n`;
  }
  const t = createTestApp(
    `${store}${qlikYaml(s.sim)}intake:
  reconcile: { intervalSeconds: 60, settleSeconds: 0 }
notify: { timeZone: UTC }
watchdog:
  interval: 30s
  rules:
    - { taskNames: ["*"], expectSuccessWithin: 65m }
freshness:
  interval: 1m
  promises:
    sales-dashboard:
      appNames: [Sales dashboard]
      freshBy: "02:40"
      warnAt: "02:25"
      timeZone: UTC
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [qlik-ops@corp.example] }
  ops-teams: { type: teams, webhookUrl: "${rx.url}/teams" }
routes:
  - { on: [${KINDS}], to: [ops-mail] }
  - { on: [${KINDS}], to: [ops-teams] }
remediation:
  rules:
    - { name: lock-retry, errorClasses: [lock], retryAfter: [5m, 15m] }
`,
    { clock: s.clock, dir: join(dir, "steward") },
  );
  const starting = t.app.start();
  await s.clock.runUntil(START);
  await starting;
  return { s, t, rx, smtp };
}

const teamsPosts = (rx: HttpReceiver) => rx.requests.filter((r) => r.path === "/teams").map((r) => r.body);
const mails = (smtp: SmtpReceiver) => smtp.mails.map((m) => `${m.mail.subject ?? ""}\n${m.mail.text ?? ""}`);

for (const backend of ["sqlite", "postgres"] as const)
  describe(`a held failure's symptoms are held too (${backend})`, () => {
    describe("the rule heals the lock", () => {
      const dir = createTempDir(`steward-hold-symptoms-heal-${backend}-`);
      let sc: Scenario;
      afterAll(async () => {
        await closeAll(sc?.t, sc?.s.sim, dir);
        await sc?.rx.stop();
        await sc?.smtp.stop();
      });
      beforeAll(async () => {
        sc = await startScenario(dir.path, backend, "hold_symptoms_heal");
        // The chain runs well at 01:00; at 02:00 the head fails on the lock, and its first retry too.
        await sc.s.clock.runUntil(START + 65 * MIN);
        await simControl(sc.s.sim, "PATCH", `/tasks/${HEAD}`, { outcome: { failThenSucceed: 2 } });
        await sc.s.clock.runUntil(START + 120 * MIN);
      }, 300_000);

      test("the chain ran again once the rule's second retry healed the head", () => {
        const after = sc.s.finished.filter((r) => r.startMs >= START + 70 * MIN).map((r) => `${r.task}:${r.status}`);
        expect(after).toEqual(["Extract sales:8", "Extract sales:8", "Extract sales:7", "Transform sales:7", "Reload Sales dashboard:7"]);
      });

      test("neither route got a post: not the failure, the stale apps behind it, the promise nor a recovery", () => {
        expect({ mail: mails(sc.smtp), teams: teamsPosts(sc.rx) }).toEqual({ mail: [], teams: [] });
      });
    });

    describe("the rule cannot heal the lock", () => {
      const dir = createTempDir(`steward-hold-symptoms-fail-${backend}-`);
      let sc: Scenario;
      let beforeGivingUp = { mail: [] as string[], teams: [] as string[] };
      afterAll(async () => {
        await closeAll(sc?.t, sc?.s.sim, dir);
        await sc?.rx.stop();
        await sc?.smtp.stop();
      });
      beforeAll(async () => {
        sc = await startScenario(dir.path, backend, "hold_symptoms_fail");
        await sc.s.clock.runUntil(START + 65 * MIN);
        await simControl(sc.s.sim, "PATCH", `/tasks/${HEAD}`, { outcome: "fail" });
        await sc.s.clock.runUntil(START + 90 * MIN);
        beforeGivingUp = { mail: mails(sc.smtp), teams: teamsPosts(sc.rx) };
        await sc.s.clock.runUntil(START + 130 * MIN);
      }, 300_000);

      test("nothing is posted on either route while the rule is retrying", () => {
        expect(beforeGivingUp).toEqual({ mail: [], teams: [] });
      });

      test("once the rule gave up, one page on each route, the failure's, naming the stopped chain and the promise", () => {
        const mail = mails(sc.smtp);
        const teams = teamsPosts(sc.rx);
        expect(mail).toHaveLength(1);
        expect(teams).toHaveLength(1);
        for (const post of [mail[0]!, teams[0]!]) {
          expect(post).toContain("Extract sales");
          expect(post).toContain("Transform sales");
          expect(post).toContain("Reload Sales dashboard");
          expect(post).toContain("sales-dashboard");
        }
        expect(mail[0]).toContain("gave up (remediation rule lock-retry)");
      });
    });
  });
