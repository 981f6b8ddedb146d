// A failed attempt held for its run's outcome whose outcome never comes (issue 76): the Qlik Sense simulator and
// Steward on one stepped clock, a real SMTP receiver. A reload task with two Scheduler retries fails its first
// attempt; the site's appender reports the attempt (QRS shows the run in Retry), so Steward holds it; then the
// Scheduler dies: no further attempt, no final result, QRS keeps the run in Retry for ever. Before, nothing ever paged.
// Now the held failure pages once, intake.retryOutcome.deadlineMinutes (2 h) after the attempt, "failed, outcome
// unknown", whatever Steward restarts in between; on a cluster of two Stewards sharing PostgreSQL, once.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { SteppedClock } from "../../../../src/platform/core/stepped-clock";
import { formatDatagram } from "../../../../src/sim/udp/format";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { startSteppedMember } from "../../../helpers/stepped-cluster-member";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { sendDatagram } from "./harness";

const TASK = "6b1f0d2c-8e3a-4f9b-a0c7-1d2e3f4a5b01";
const MIN = 60_000;
const T0 = Date.parse("2026-11-23T01:00:00Z");

const SITE = `
site: { name: Held attempts site, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson }
streams:
  - { name: Sales }
apps:
  - { name: Sales dashboard, owner: CORP\\anna, stream: Sales }
tasks:
  - { id: ${TASK}, name: Reload Sales dashboard, type: reload, app: Sales dashboard, durationMs: 60000, maxRetries: 2 }
`;

const stewardYaml = (site: SteppedSite, smtpPort: number) => `qlik:
  host: 127.0.0.1
  qrsPort: ${site.sim.ports.qrs}
  certDir: ${JSON.stringify(site.sim.certDir)}
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtpPort}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { name: on-call, on: [task.failed, task.aborted, task.recovered], to: [mail] }
`;

let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

/** Runs the task to its first failed attempt (QRS: Retry), kills the Scheduler there, and returns the run's id. */
async function attemptThenSchedulerDies(site: SteppedSite): Promise<string> {
  const started = site.sim.tasks.start(TASK, { outcome: "fail" });
  expect(started.started).toBe(true);
  const id = started.executionId!;
  const inRetry = () => [...site.sim.repo.executions.values()].some((r) => r.executionID === id && r.status === 10);
  while (!inRetry()) await site.clock.runUntil(site.clock.now() + 500);
  expect(site.sim.tasks.crash(TASK)).toBe(true);
  return id;
}

/** The datagram a site whose appender also reports attempts sends for the failed attempt. */
function attemptDatagram(site: SteppedSite, executionId: string): string {
  const task = site.sim.repo.findTask(TASK)!;
  const app = site.sim.repo.findApp(task.model.appId!)!;
  return formatDatagram("/scheduler-task-failed/", {
    logger: "TaskSession",
    level: "WARN",
    message: "Task finished with state FinishedFail. Max retries reached.",
    timeMs: site.clock.now(),
    hostName: "sense1.test.example",
    nodeName: "Central",
    taskId: TASK,
    taskName: task.model.name,
    taskType: 0,
    appId: app.model.id,
    appName: app.model.name,
    user: "INTERNAL\\sa_scheduler",
    executionId,
  });
}

const heldRows = async (t: TestApp) =>
  t.app.sharedStore.sql.all<{ execution_id: string; fired_at: number | null }>("SELECT execution_id, fired_at FROM intake_held_attempts");

/** Sends the attempt's datagram to `t` and waits until it is held in the store. */
async function holdAttempt(site: SteppedSite, t: TestApp, id: string): Promise<void> {
  await sendDatagram(attemptDatagram(site, id), t.app.intake.udp!.address()!.port);
  // Its enrichment reads QRS on timers of the same clock: time moves a second at a time until it is held.
  for (let s = 0; s < 60 && !(await heldRows(t)).some((r) => r.execution_id === id.toLowerCase()); s++) await runFor(site.clock, 1_000);
  expect((await heldRows(t)).map((r) => r.execution_id)).toEqual([id.toLowerCase()]);
}

function expectOnePage(smtp: SmtpReceiver): void {
  expect(smtp.mails.map((m) => m.mail.subject)).toEqual([expect.stringContaining("Reload task failed: Reload Sales dashboard")]);
  expect(smtp.mails[0]!.mail.text).toMatch(
    /Failed, outcome unknown: the Scheduler reported no final result within 2 h of the failed attempt heard at 2026-11-23 \d\d:\d\d UTC\. First failure/,
  );
}

async function runFor(clock: SteppedClock, ms: number): Promise<void> {
  await clock.runUntil(clock.now() + ms);
}

describe("a held attempt whose run's outcome never comes (simulator, stepped clock)", () => {
  test("SQLite: one page two hours after the attempt, across restarts", async () => {
    const dir = createTempDir();
    const site = await startSteppedSite(dir.path, T0, SITE);
    const smtp = await startSmtpReceiver();
    const stewardDir = join(dir.path, "steward");
    let t: TestApp | undefined = createTestApp(stewardYaml(site, smtp.port), { clock: site.clock, dir: stewardDir });
    try {
      await t.app.start();
      const id = await attemptThenSchedulerDies(site);
      await holdAttempt(site, t, id);
      const heldAt = site.clock.now();
      // Held: not a page, within the deadline.
      await site.clock.runUntil(heldAt + 119 * MIN);
      expect(smtp.mails).toHaveLength(0);
      // Steward restarts: what is held is in the store.
      await t.close();
      t = createTestApp(stewardYaml(site, smtp.port), { clock: site.clock, dir: stewardDir });
      await t.app.start();
      expect((await heldRows(t)).map((r) => [r.execution_id, r.fired_at])).toEqual([[id.toLowerCase(), null]]);
      await site.clock.runUntil(heldAt + 122 * MIN);
      expectOnePage(smtp);
      const incidents = (await (await t.request("/v4/incidents")).json()) as { incidents: Array<{ lastSummary: string }> };
      expect(incidents.incidents.map((i) => i.lastSummary)).toEqual([
        expect.stringMatching(/^failed, outcome unknown: the Scheduler reported no final result within 2 h/),
      ]);
      // Once: hours on, and after another restart, no second page.
      await runFor(site.clock, 3 * 60 * MIN);
      await t.close();
      t = createTestApp(stewardYaml(site, smtp.port), { clock: site.clock, dir: stewardDir });
      await t.app.start();
      await runFor(site.clock, 60 * MIN);
      expectOnePage(smtp);
    } finally {
      await t?.close();
      await smtp.stop();
      await site.sim.stop();
      dir.remove();
    }
  }, 300_000);

  test("PostgreSQL, two Stewards: the deadline pages once", async () => {
    const dir = createTempDir();
    const site = await startSteppedSite(dir.path, T0, SITE);
    const smtp = await startSmtpReceiver();
    pg ??= await startPostgres();
    const url = await pg.createDatabase(`held_attempts_${Date.now()}`);
    const members: TestApp[] = [];
    try {
      for (const name of ["alpha", "beta"]) members.push(await startSteppedMember(site.clock, url, name, dir.path, { yaml: stewardYaml(site, smtp.port) }));
      const id = await attemptThenSchedulerDies(site);
      await holdAttempt(site, members[0]!, id);
      const heldAt = site.clock.now();
      await site.clock.runUntil(heldAt + 119 * MIN);
      expect(smtp.mails).toHaveLength(0);
      await site.clock.runUntil(heldAt + 125 * MIN);
      expectOnePage(smtp);
      await runFor(site.clock, 60 * MIN);
      expectOnePage(smtp);
      expect((await heldRows(members[1]!)).map((r) => r.fired_at === null)).toEqual([false]);
    } finally {
      for (const m of members.reverse()) await m.close();
      await smtp.stop();
      await site.sim.stop();
      dir.remove();
    }
  }, 900_000);
});
