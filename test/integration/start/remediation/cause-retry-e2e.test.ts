// Issue 101, "retry the cause, not each task", on the simulator and a stepped clock shared with Steward: twelve reload
// tasks read the data source DWH, which refuses connections for 17 minutes around their 02:00 runs, under the rule
// docs/remediation.md documents (connection errors, retried 5 and 15 minutes later) and its default budget (10 an
// hour per node). The first failure is the cause's probe; the other eleven wait for it. Source back: the probe's second
// retry succeeds, the eleven run again at once, nothing pages, and the attempts stay within the budget. Source never
// back: the cause pages once, on mail and on Teams, naming both attempts and the tasks that waited.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createTestApp, closeAll, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "../../tell/notify/receivers";
import { qlikYaml } from "../scheduler/sim-setup";

const START = Date.parse("2026-03-10T01:50:00Z");
const MIN = 60_000;
const LOADS = Array.from({ length: 12 }, (_, i) => `Load ${String(i + 1).padStart(2, "0")}`);
const taskId = (i: number) => `00000000-0000-4000-8c00-${String(i).padStart(12, "0")}`;

function site(): string {
  const daily = `{ type: schema, name: Nightly, incrementOption: daily, startDate: "2026-03-01T02:00:00.000", timeZone: UTC }`;
  const apps = LOADS.map((n, i) => `  - { id: 00000000-0000-4000-8d00-${String(i).padStart(12, "0")}, name: ${n} app, owner: CORP\\anna, stream: Sales }`);
  const tasks = LOADS.map(
    (n, i) =>
      `  - { id: ${taskId(i)}, name: ${n}, type: reload, app: ${n} app, durationMs: 20000, maxRetries: 0, scriptError: "Connection refused: the DWH server did not accept the connection", triggers: [${daily}] }`,
  );
  return `site: { name: Cause retries, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna, email: anna@corp.example }
streams: [{ name: Sales }]
apps:
${apps.join("\n")}
tasks:
${tasks.join("\n")}
`;
}

interface Scenario {
  s: SteppedSite;
  t: TestApp;
  rx: HttpReceiver;
  smtp: SmtpReceiver;
}

/** The site and a Steward on its clock: the documented route to a mail and a Teams channel, the documented rule. */
async function startScenario(dir: string): Promise<Scenario> {
  const rx = startHttpReceiver();
  const smtp = await startSmtpReceiver();
  const s = await startSteppedSite(dir, START, site());
  const t = createTestApp(
    `${qlikYaml(s.sim)}intake:
  reconcile: { intervalSeconds: 60, settleSeconds: 0 }
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [qlik-ops@corp.example] }
  ops-teams: { type: teams, webhookUrl: "${rx.url}/teams" }
routes:
  - { on: [task.failed, task.recovered, scheduler.queue_backlog, task.on_track], to: [ops-mail, ops-teams] }
remediation:
  rules:
    - name: connection-retries
      errorClasses: [connection]
      retryAfter: [5m, 15m]
`,
    { clock: s.clock, dir: join(dir, "steward") },
  );
  const starting = t.app.start();
  await s.clock.runUntil(START);
  await starting;
  return { s, t, rx, smtp };
}

const setOutcome = async (s: SteppedSite, outcome: "fail" | "succeed") => {
  for (let i = 0; i < LOADS.length; i++) await simControl(s.sim, "PATCH", `/tasks/${taskId(i)}`, { outcome });
};

interface AuditRow {
  action: string;
  target: string;
  details?: Record<string, unknown>;
}
const auditOf = async (t: TestApp, action: string) =>
  ((await (await t.request(`/v4/audit?action=${action}&limit=500`)).json()) as { entries: AuditRow[] }).entries;
const teamsPosts = (rx: HttpReceiver) => rx.requests.filter((r) => r.path === "/teams");

describe("the source comes back after 17 minutes", () => {
  const dir = createTempDir("steward-cause-retry-back-");
  let sc: Scenario;
  afterAll(async () => {
    await closeAll(sc?.t, sc?.s.sim, dir);
    await sc?.rx.stop();
    await sc?.smtp.stop();
  });
  beforeAll(async () => {
    sc = await startScenario(dir.path);
    // DWH refuses from 01:55 to 02:12: the 02:00 runs and the probe's first retry (about 02:06) fail on it.
    await sc.s.clock.runUntil(START + 5 * MIN);
    await setOutcome(sc.s, "fail");
    await sc.s.clock.runUntil(START + 22 * MIN);
    await setOutcome(sc.s, "succeed");
    await sc.s.clock.runUntil(START + 60 * MIN);
  }, 300_000);

  test("every task failed at 02:00 and has a successful run once the source is back", () => {
    const runs = (name: string) => sc.s.finished.filter((r) => r.task === name);
    for (const n of LOADS) {
      expect(
        runs(n)
          .filter((r) => r.startMs < START + 12 * MIN)
          .map((r) => r.status),
      ).toContain(8);
      expect(runs(n).some((r) => r.startMs >= START + 22 * MIN && r.status === 7)).toBe(true);
    }
  });

  test("nothing pages: the mail and the Teams channel get no post", () => {
    expect(sc.smtp.mails.map((m) => m.mail.subject)).toEqual([]);
    expect(teamsPosts(sc.rx)).toHaveLength(0);
  });

  test("the audit: the probe's two retries, then the eleven others once it succeeded, within the budget", async () => {
    const asked = await auditOf(sc.t, "remediation.request");
    const probe = asked.filter((a) => a.details?.followsProbe === undefined);
    const follows = asked.filter((a) => a.details?.followsProbe !== undefined);
    expect(probe.map((a) => a.target)).toHaveLength(2);
    expect(new Set(probe.map((a) => a.target)).size).toBe(1);
    expect(follows).toHaveLength(11);
    expect(new Set(follows.map((a) => a.target)).size).toBe(11);
    expect(follows.map((a) => a.target)).not.toContain(probe[0]!.target);
    // The follow-ups count as the cause's third attempt: 3 of the node's 10, nothing withheld for the budget.
    expect(await auditOf(sc.t, "remediation.withheld")).toEqual([]);
  });
});

describe("the source never comes back", () => {
  const dir = createTempDir("steward-cause-retry-never-");
  let sc: Scenario;
  let beforeGivingUp = { mails: -1, teams: -1 };
  afterAll(async () => {
    await closeAll(sc?.t, sc?.s.sim, dir);
    await sc?.rx.stop();
    await sc?.smtp.stop();
  });
  beforeAll(async () => {
    sc = await startScenario(dir.path);
    await sc.s.clock.runUntil(START + 5 * MIN);
    await setOutcome(sc.s, "fail");
    // Before the probe's second retry (about 02:21): held, nothing sent.
    await sc.s.clock.runUntil(START + 30 * MIN);
    beforeGivingUp = { mails: sc.smtp.mails.length, teams: teamsPosts(sc.rx).length };
    await sc.s.clock.runUntil(START + 60 * MIN);
  }, 300_000);

  test("no page while the probe's retries are under way", () => {
    expect(beforeGivingUp).toEqual({ mails: 0, teams: 0 });
  });

  test("exactly one page per channel, the cause's, naming both attempts and the tasks that waited", () => {
    expect(sc.smtp.mails).toHaveLength(1);
    expect(teamsPosts(sc.rx)).toHaveLength(1);
    const text = sc.smtp.mails[0]!.mail.text ?? "";
    expect(text).toContain("Remediation tried twice, gave up (remediation rule connection-retries).");
    expect(text).toMatch(/Retry 1 at .*: failed: /);
    expect(text).toMatch(/Retry 2 at .*: failed: /);
    expect(text).toContain("11 other tasks failing on the same source waited for these retries and were not retried:");
    const teams = teamsPosts(sc.rx)[0]!.body;
    expect(teams).toContain("Remediation tried twice, gave up");
    expect(teams).toContain("11 other tasks failing on the same source waited");
  });

  test("only the probe was retried: two starts, the others none", () => {
    const starts = sc.s.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes("/start"));
    expect(starts).toHaveLength(2);
  });
});
