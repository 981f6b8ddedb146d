// The queue's reasons (issue 77), on the simulator and a stepped clock shared with Steward. Node Reload01 runs one
// reload at a time (queue timeout 30 minutes):
// - "Sessionless" waits 20 minutes behind a long load, then the Scheduler cannot open its Engine session ("Failed to
//   start session", the simulator's sessionFails): it is a failure with that reason, not "cancelled after waiting in
//   the queue" (it was, before: its run had the shape of a cancellation);
// - "Starved" waits behind a 40-minute load until Qlik cancels it at 30 minutes (the detail names the timeout): that one
//   is "cancelled after waiting in the queue".
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { sendDatagramsTo, type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { wallLimit } from "../../../helpers/time-limit";

const MIN = 60_000;
const START = Date.parse("2026-03-03T01:00:00Z");
const ID = {
  long: "a1000000-0000-4000-8000-000000000001",
  sessionless: "a1000000-0000-4000-8000-000000000002",
  longer: "a1000000-0000-4000-8000-000000000003",
  starved: "a1000000-0000-4000-8000-000000000004",
};
const task = (id: string, name: string, minutes: number, extra = "") =>
  `  - { id: ${id}, name: ${name}, type: reload, app: ${name} app, node: Reload01, durationMs: ${minutes * MIN}${extra} }`;
const SITE = `site: { name: Queue reasons }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Reload01, hostName: reload01.test.example, scheduler: { maxConcurrentEngines: 1, engineTimeout: 30 } }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
${["Long", "Sessionless", "Longer", "Starved"].map((n) => `  - { name: ${n} app, owner: INTERNAL\\sa_scheduler }`).join("\n")}
tasks:
${task(ID.long, "Long", 20)}
${task(ID.sessionless, "Sessionless", 5, ', sessionFails: "Failed to start session"')}
${task(ID.longer, "Longer", 40)}
${task(ID.starved, "Starved", 5)}
`;

const dir = createTempDir("steward-queue-reasons-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let smtp: SmtpReceiver;
const failed: TaskEvent[] = [];

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await smtp?.stop();
});

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  s = await startSteppedSite(dir.path, START, SITE);
  const { sim, clock } = s;
  t = createTestApp(
    `${qlikYaml(sim)}channels:
  fails: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [dev@corp.example] }
routes:
  - { name: failures, on: [task.failed], to: [fails] }
`,
    { clock, dir: join(dir.path, "steward") },
  );
  t.app.bus.on("task.failed", (e) => void failed.push(e as TaskEvent));
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;
  sendDatagramsTo(s, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t!.app.intake.counters.received.get());
}, 60_000);

const mailAbout = (name: string) =>
  waitFor(() => smtp.mails.find((m) => (m.mail.subject ?? "").includes(name)), { what: `the mail about ${name}`, timeoutMs: 20_000 });

test("a run that waited and then failed to start its session is a failure with its own reason, not a queue cancellation", async () => {
  const { sim, clock } = s!;
  expect(sim.tasks.start(ID.long).started).toBe(true);
  await clock.runUntil(clock.now() + 10_000);
  expect(sim.tasks.start(ID.sessionless).started).toBe(true);
  await clock.runUntil(clock.now() + 25 * MIN, { stallMs: wallLimit(10_000) });
  const details = [...sim.repo.executions.values()].find((e) => e.taskId === ID.sessionless)!;
  // The simulator's run: it waited in the queue, then ended FinishedFail with the session's error, never started.
  expect(details.status).toBe(8);
  expect(details.startMs).toBeUndefined();
  const e = failed.find((x) => x.task.name === "Sessionless")!;
  expect(e.errorClass).not.toBe("queue");
  expect(e.errorLine).toBe("Failed to start session");
  expect(e.execution?.details.map((d) => d.message)).toContain("Changing task state from Triggered to Queued");
  // Nothing to read: it never ran its script.
  expect(e.missing.map((m) => m.item)).not.toContain("scriptLog");
  const mail = await mailAbout("Sessionless");
  expect(mail.mail.subject).toContain("failed");
  expect(mail.mail.subject).not.toContain("cancelled after waiting in the queue");
  expect(mail.mail.text).toContain("Failed to start session");
  expect(mail.mail.text).not.toContain("cancelled after waiting in the queue");
}, 120_000);

test("a run Qlik cancelled when it waited longer than the queue's timeout is still named so", async () => {
  const { sim, clock } = s!;
  expect(sim.tasks.start(ID.longer).started).toBe(true);
  await clock.runUntil(clock.now() + 10_000);
  expect(sim.tasks.start(ID.starved).started).toBe(true);
  await clock.runUntil(clock.now() + 35 * MIN, { stallMs: wallLimit(10_000) });
  const e = failed.find((x) => x.task.name === "Starved")!;
  expect(e.errorClass).toBe("queue");
  expect(e.errorLine).toContain("waited longer than the engine timeout");
  const mail = await mailAbout("Starved");
  expect(mail.mail.subject).toContain("cancelled after waiting in the queue");
}, 120_000);
