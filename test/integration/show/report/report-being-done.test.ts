// Issue 101, "the morning report shows what is being done", on the simulator and a stepped clock shared with Steward:
// three hourly reloads fail at 02:00. Load Sales and Load Stock on a refused connection to the same source, which the
// documented rule retries 5 and 15 minutes later through one probe (Load Sales; Load Stock waits for it), their pages
// held meanwhile; Load HR on a timeout, which no rule takes: it pages, a person retries it over REST at 02:03, and the
// retry fails again. The morning report goes out at 02:15, between the rule's two retries: its "Being done" section
// names the rule holding each incident, its next retry and when, that it is the last, the failure waiting for its
// cause's probe, and each action that ended that night with who asked and what came of it (the person's retry and the
// rule's first retry failed, and say so). GET /v4/report says the same. What the rules hold (read by the watchdog at
// every look and by the grouping) is read in one statement, both kinds of hold in it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { createRemediationHolds } from "../../../../src/start/remediation/remediation-holds";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { startSmtpReceiver, type SmtpReceiver } from "../../tell/notify/receivers";
import { qlikYaml } from "../../start/scheduler/sim-setup";

const START = Date.parse("2026-03-10T00:50:00Z");
const MIN = 60_000;
const SALES = "00000000-0000-4000-8c00-000000000021";
const STOCK = "00000000-0000-4000-8c00-000000000022";
const HR = "00000000-0000-4000-8c00-000000000023";
const hourly = `{ type: schema, name: Hourly, incrementOption: custom, incrementDescription: "0 1 0 0", startDate: "2026-03-01T00:00:00.000", timeZone: UTC }`;
const SITE = `site: { name: Report being done, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
streams: [{ name: Ops }]
apps:
  - { name: Sales, owner: INTERNAL\\sa_scheduler, stream: Ops }
  - { name: Stock, owner: INTERNAL\\sa_scheduler, stream: Ops }
  - { name: HR, owner: INTERNAL\\sa_scheduler, stream: Ops }
tasks:
  - { id: ${SALES}, name: Load Sales, type: reload, app: Sales, durationMs: 20000, maxRetries: 0, scriptError: "Connection refused: crm-db.corp.example:1433 did not accept the connection", triggers: [${hourly}] }
  - { id: ${STOCK}, name: Load Stock, type: reload, app: Stock, durationMs: 20000, maxRetries: 0, scriptError: "Connection refused: erp-db.corp.example:1433 did not accept the connection", triggers: [${hourly}] }
  - { id: ${HR}, name: Load HR, type: reload, app: HR, durationMs: 20000, maxRetries: 0, scriptError: "The request has timed out waiting for hr-api.corp.example", triggers: [${hourly}] }
`;

let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

for (const backend of ["sqlite", "postgres"] as const)
  describe(`the morning report says what is being done (${backend})`, () => {
    const dir = createTempDir(`steward-report-being-done-${backend}-`);
    let s: SteppedSite;
    let t: TestApp;
    let smtp: SmtpReceiver;
    let asked: { status: number; body: unknown } = { status: 0, body: null };
    let rest: { sections: Array<{ title: string; lines: Array<{ text: string; tone?: string }> }> } = { sections: [] };
    let page = "";

    beforeAll(async () => {
      smtp = await startSmtpReceiver();
      s = await startSteppedSite(dir.path, START, SITE);
      let store = "";
      if (backend === "postgres") {
        pg ??= await startPostgres();
        store = `store:\n  postgres:\n    url: ${await pg.createDatabase("report_being_done")}\n    leaseTtlMs: 180000\n    heartbeatIntervalMs: 60000\n`;
      }
      t = createTestApp(
        `${store}${qlikYaml(s.sim)}intake:
  reconcile: { intervalSeconds: 60, settleSeconds: 0 }
notify: { timeZone: UTC }
reports:
  morning: { at: "02:15", days: [sun, mon, tue, wed, thu, fri, sat], timeZone: UTC }
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [qlik-ops@corp.example] }
routes:
  - { on: [task.failed, task.recovered, report.morning], to: [ops-mail] }
remediation:
  rules:
    - name: connection-retries
      errorClasses: [connection]
      retryAfter: [5m, 15m]
`,
        { clock: s.clock, dir: join(dir.path, "steward") },
      );
      const starting = t.app.start();
      await s.clock.runUntil(START);
      await starting;
      await s.clock.runUntil(START + 65 * MIN);
      for (const id of [SALES, STOCK, HR]) await simControl(s.sim, "PATCH", `/tasks/${id}`, { outcome: "fail" });
      // Load HR pages at 02:00; a person retries it at 02:03.
      await s.clock.runUntil(START + 73 * MIN);
      const open = (await (await t.request("/v4/incidents?status=open")).json()) as { incidents: Array<{ id: number; taskId: string | null }> };
      const hr = open.incidents.find((i) => i.taskId === HR);
      const answer = await t.request(`/v4/incidents/${hr?.id}/retry`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ inMinutes: 0 }),
      });
      asked = { status: answer.status, body: await answer.json() };
      await s.clock.runUntil(START + 86 * MIN);
      rest = (await (await t.request(`/v4/report?from=2026-03-10T00:00:00Z&to=2026-03-10T02:15:00Z`)).json()) as typeof rest;
      page = await (await t.request(`/ui/report?from=2026-03-10T00:00:00Z&to=2026-03-10T02:15:00Z`)).text();
    }, 300_000);

    afterAll(async () => {
      await closeAll(t, s?.sim, dir);
      await smtp?.stop();
    });

    const reportMail = () => smtp.mails.find((m) => (m.mail.subject ?? "").includes("Morning report"));

    test("the person's retry was taken", () => {
      expect(asked.status).toBe(202);
    });

    test("the mail's Being done section: the rule holding each incident, its next retry and when, the last one", () => {
      const text = reportMail()?.mail.text ?? "";
      expect(text).toContain("Being done\n----------");
      expect(text).toMatch(
        /- Incident #\d+, Load Sales: retry 2 by rule connection-retries: due Tue 10 Mar 02:2\d \(the rule holds its page\); the last: paged if it fails\n/,
      );
      expect(text).toMatch(
        /- Incident #\d+, Load Stock: held by rule connection-retries, waiting for the retry of Load Sales \(same cause\); retried once it succeeds\n/,
      );
    });

    test("each action that ended is told with who asked and what came of it: the failed ones say they failed", () => {
      const text = reportMail()?.mail.text ?? "";
      expect(text).toMatch(
        /- Tue 10 Mar 02:0\d Incident #\d+, Load HR: retry asked by anonymous \(rest\): failed \(The request has timed out waiting for hr-api/,
      );
      expect(text).toMatch(/- Tue 10 Mar 02:0\d Incident #\d+, Load Sales: retry 1 by rule connection-retries: failed \(Connection refused: crm-db/);
    });

    test("GET /v4/report has the same section", () => {
      const section = rest.sections.find((x) => x.title === "Being done");
      expect(section).toBeDefined();
      const lines = section!.lines.map((l) => l.text);
      expect(lines.filter((l) => l.includes("Load Sales: retry 2 by rule connection-retries: due"))).toHaveLength(1);
      expect(lines.filter((l) => l.includes("Load Stock: held by rule connection-retries"))).toHaveLength(1);
      expect(lines.filter((l) => l.includes("Load HR: retry asked by"))).toHaveLength(1);
      expect(section!.lines.find((l) => l.text.includes("Load HR"))?.tone).toBe("fail");
    });

    test("what the rules hold, the rule's retry and the failure waiting for its probe, is read in one statement", async () => {
      // The store itself, its reads counted (a statement each): two a read before, at every watchdog look with a rule.
      const db = t.app.sharedStore.sql;
      let reads = 0;
      const counted: SqlDb = Object.assign(Object.create(db) as SqlDb, {
        all: (...a: Parameters<SqlDb["all"]>) => (reads++, db.all(...a)),
        get: (...a: Parameters<SqlDb["get"]>) => (reads++, db.get(...a)),
      });
      const holds = createRemediationHolds(counted, { rules: true });
      const byTask = await holds.byTask((ms) => new Date(ms).toISOString().slice(11, 16));
      expect(reads).toBe(1);
      expect(byTask.get(SALES)).toMatch(
        /^remediation rule connection-retries is retrying task "Load Sales" \(retry 2 due at 02:2\d\): paged only if it gives up$/,
      );
      expect(byTask.get(STOCK)).toBe(
        'remediation rule connection-retries is retrying task "Load Stock" (waiting for the retry of Load Sales (same cause): retried once it succeeds): paged only if it gives up',
      );
      expect(byTask.has(HR)).toBe(false);
      expect([...(await holds.tasks()).keys()].sort()).toEqual([SALES, STOCK].sort());
      expect(reads).toBe(2);
    });

    test("the dashboard's Report page shows the section", () => {
      const card = /data-section="Being done">([\s\S]*?)<\/section>/.exec(page)?.[1] ?? "";
      expect(card).toContain("Load Sales: retry 2 by rule connection-retries: due");
      expect(card).toContain("Load HR: retry asked by anonymous (rest): failed");
    });
  });
