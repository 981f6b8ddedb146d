// The site and the steps the held-attempt tests share (held-attempt-deadline.test.ts, held-attempt-crash.test.ts): a
// reload task with two Scheduler retries fails its first attempt, the site's appender reports it (QRS shows the run in
// Retry), Steward holds it, and the Scheduler dies there: no further attempt, no final result.
import { expect } from "bun:test";
import { join } from "node:path";
import type { SteppedClock } from "../../../../src/platform/core/stepped-clock";
import type { Simulator } from "../../../../src/sim";
import { formatDatagram } from "../../../../src/sim/udp/format";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startSteppedMember } from "../../../helpers/stepped-cluster-member";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { sendDatagram } from "./harness";

export const TASK = "6b1f0d2c-8e3a-4f9b-a0c7-1d2e3f4a5b01";
export const MIN = 60_000;
export const T0 = Date.parse("2026-11-23T01:00:00Z");

export const SITE = `
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

export const stewardYaml = (site: SteppedSite, smtpPort: number) => `qlik:
  host: 127.0.0.1
  qrsPort: ${site.sim.ports.qrs}
  certDir: ${JSON.stringify(site.sim.certDir)}
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtpPort}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { name: on-call, on: [task.failed, task.aborted, task.recovered], to: [mail] }
`;

/** Runs the task to its first failed attempt (QRS: Retry), kills the Scheduler there, and returns the run's id. */
export async function attemptThenSchedulerDies(site: SteppedSite): Promise<string> {
  const started = site.sim.tasks.start(TASK, { outcome: "fail" });
  expect(started.started).toBe(true);
  const id = started.executionId!;
  const inRetry = () => [...site.sim.repo.executions.values()].some((r) => r.executionID === id && r.status === 10);
  while (!inRetry()) await site.clock.runUntil(site.clock.now() + 500);
  expect(site.sim.tasks.crash(TASK)).toBe(true);
  return id;
}

/** The datagram a site whose appender also reports attempts sends for the failed attempt, at `timeMs`. */
export function attemptDatagram(sim: Simulator, executionId: string, timeMs: number): string {
  const task = sim.repo.findTask(TASK)!;
  const app = sim.repo.findApp(task.model.appId!)!;
  return formatDatagram("/scheduler-task-failed/", {
    logger: "TaskSession",
    level: "WARN",
    message: "Task finished with state FinishedFail. Max retries reached.",
    timeMs,
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

export const heldRows = async (t: TestApp) =>
  t.app.sharedStore.sql.all<{ execution_id: string; fired_at: number | null; fired_by: string | null; announced_at: number | null }>(
    "SELECT execution_id, fired_at, fired_by, announced_at FROM intake_held_attempts",
  );

/** Sends the attempt's datagram to `t` and waits until it is held in the store. */
export async function holdAttempt(site: SteppedSite, t: TestApp, id: string): Promise<void> {
  await sendDatagram(attemptDatagram(site.sim, id, site.clock.now()), t.app.intake.udp!.address()!.port);
  // Its enrichment reads QRS on timers of the same clock: time moves a second at a time until it is held.
  for (let s = 0; s < 60 && !(await heldRows(t)).some((r) => r.execution_id === id.toLowerCase()); s++) await runFor(site.clock, 1_000);
  expect((await heldRows(t)).map((r) => r.execution_id)).toEqual([id.toLowerCase()]);
}

export function expectOnePage(smtp: SmtpReceiver): void {
  expect(smtp.mails.map((m) => m.mail.subject)).toEqual([expect.stringContaining("Reload task failed: Reload Sales dashboard")]);
  expect(smtp.mails[0]!.mail.text).toMatch(
    /Failed, outcome unknown: the Scheduler reported no final result within 2 h of the failed attempt heard at 2026-11-23 \d\d:\d\d UTC\. First failure/,
  );
}

export async function runFor(clock: SteppedClock, ms: number): Promise<void> {
  await clock.runUntil(clock.now() + ms);
}

/** A scenario's start: the site, its mail receiver, the run whose attempt is held and when it was held. */
export interface HeldScene {
  site: SteppedSite;
  smtp: SmtpReceiver;
  id: string;
  heldAt: number;
}

/** Everything a scenario started, stopped whatever it ended with. */
async function scene<T>(run: (site: SteppedSite, smtp: SmtpReceiver, dir: string, stops: Array<() => Promise<unknown>>) => Promise<T>): Promise<T> {
  const dir = createTempDir();
  const site = await startSteppedSite(dir.path, T0, SITE);
  const smtp = await startSmtpReceiver();
  const stops: Array<() => Promise<unknown>> = [];
  try {
    return await run(site, smtp, dir.path, stops);
  } finally {
    for (const stop of stops.reverse()) await stop();
    await smtp.stop();
    await site.sim.stop();
    dir.remove();
  }
}

/** One Steward on SQLite holding the attempt; `restart` stops it and starts another on the same store. */
export function withOneSteward(body: (s: HeldScene & { steward: () => TestApp; restart: () => Promise<void> }) => Promise<void>): Promise<void> {
  return scene(async (site, smtp, dir, stops) => {
    const start = async () => {
      const t = createTestApp(stewardYaml(site, smtp.port), { clock: site.clock, dir: join(dir, "steward") });
      await t.app.start();
      return t;
    };
    let t = await start();
    stops.push(() => t.close());
    const id = await attemptThenSchedulerDies(site);
    await holdAttempt(site, t, id);
    const restart = async () => {
      await t.close();
      t = await start();
    };
    await body({ site, smtp, id, heldAt: site.clock.now(), steward: () => t, restart });
  });
}

/** Two Stewards on one PostgreSQL database (`url`), the first holding the attempt, the second joining before its deadline; `members` may lose one. */
export function withTwoMembers(url: () => Promise<string>, body: (s: HeldScene & { members: TestApp[] }) => Promise<void>): Promise<void> {
  return scene(async (site, smtp, dir, stops) => {
    const members: TestApp[] = [];
    stops.push(async () => {
      for (const m of members.reverse()) await m.close();
    });
    const db = await url();
    const member = async (name: string) => members.push(await startSteppedMember(site.clock, db, name, dir, { yaml: stewardYaml(site, smtp.port) }));
    await member("alpha");
    const id = await attemptThenSchedulerDies(site);
    await holdAttempt(site, members[0]!, id);
    const heldAt = site.clock.now();
    // The second Steward joins ten minutes before the deadline: two members look for each other's work every 10 s
    // here (a step of the stepped clock and a statement each), one alone at its heartbeat's pace, so two hours of the
    // hold with both would cost most of a file's time. Both are up at the deadline and after it, where the tests look.
    await site.clock.runUntil(heldAt + 110 * MIN);
    await member("beta");
    await body({ site, smtp, id, heldAt, members });
  });
}
