// Never a loop of re-runs, on the simulator and a stepped clock shared with Steward: node Reload01 runs one reload at
// a time (queue timeout 30 minutes) and Hold engine takes it from 02:00 to 04:00. Export orders, due at 02:00, waits;
// Qlik cancels it at 02:30. The [queue] rule re-runs it once the queue is empty again, and it waits behind Hold
// engine again: Qlik cancels the re-run too. That failure pages once on its own, "Re-run once, cancelled again" (not
// folded into the second backlog), and when the queue is empty the second time the rule does not re-run it: one start
// by Steward, the giving up audited.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { DomainEvent } from "../../../../src/platform/events/types";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { sendDatagramsTo, type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { qlikYaml, startsOf } from "../scheduler/sim-setup";

const MIN = 60_000;
const at = (hhmm: string) => Date.parse(`2026-03-03T${hhmm}:00Z`);
const daily = (hhmm: string) => `{ type: schema, name: Daily ${hhmm}, incrementOption: daily, startDate: "2026-02-01T${hhmm}:00.000", timeZone: UTC }`;
const SITE = `site: { name: Queue loop night }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Reload01, hostName: reload01.test.example, scheduler: { maxConcurrentEngines: 1, engineTimeout: 30 } }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
streams: [{ name: Ops }]
apps:
  - { name: Hold app, owner: INTERNAL\\sa_scheduler, stream: Ops }
  - { name: Orders app, owner: INTERNAL\\sa_scheduler, stream: Ops }
tasks:
  - { name: Hold engine, type: reload, app: Hold app, node: Reload01, durationMs: ${120 * MIN}, triggers: [${daily("02:00")}] }
  - { name: Export orders, type: reload, app: Orders app, node: Reload01, durationMs: ${5 * MIN}, triggers: [${daily("02:00")}] }
`;

const dir = createTempDir("steward-queue-loop-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let smtp: SmtpReceiver;
const events: Array<{ at: number; e: DomainEvent }> = [];

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await smtp?.stop();
});

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  s = await startSteppedSite(dir.path, at("01:30"), SITE);
  const { sim, clock } = s;
  t = createTestApp(
    `${qlikYaml(sim)}intake:
  reconcile: { intervalSeconds: 3600, settleSeconds: 0 }
grouping:
  nodeDown:
    unreachable: { enabled: false }
watchdog:
  stale: { enabled: false }
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [task.failed, task.recovered], to: [mail] }
remediation:
  rules:
    - { name: queue-reruns, errorClasses: [queue] }
`,
    { clock, dir: join(dir.path, "steward") },
  );
  t.app.bus.onAny((_kind, e) => void events.push({ at: clock.now(), e: e as DomainEvent }));
  const starting = t.app.start();
  await clock.runUntil(at("01:30"));
  await starting;
  sendDatagramsTo(s, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t!.app.intake.counters.received.get());
  await clock.runUntil(at("03:45"));
}, 180_000);

const exportId = () => [...s!.sim.repo.tasks.values()].find((x) => x.model.name === "Export orders")!.model.id;
const failuresOfExport = () => events.filter((x) => x.e.kind === "task.failed" && (x.e as { task: { name: string } }).task.name === "Export orders");

test("Qlik cancelled the run and then its re-run, both in the queue", () => {
  const runs = s!.finished.filter((r) => r.task === "Export orders");
  expect(runs.map((r) => r.status)).toEqual([8, 8]);
  expect(failuresOfExport().length).toBe(2);
  // Steward started it once: the rule's re-run, after the first queue had drained.
  expect(startsOf(s!.sim, exportId())).toBe(1);
});

test("the re-run cancelled again pages once, saying so; the first cancellation was the backlog's", async () => {
  const subjects = smtp.mails.map((m) => m.mail.subject ?? "");
  // The backlog's cause paged its opening (with the first cancellation) and its end: the cancellation is its symptom.
  expect(subjects.filter((x) => x.includes("cause #")).length).toBe(2);
  const own = smtp.mails.filter((m) => (m.mail.subject ?? "").includes("Export orders") && !(m.mail.subject ?? "").includes("cause #"));
  expect(own.length).toBe(1);
  expect(own[0]!.mail.text).toContain("Re-run once, cancelled again (remediation rule queue-reruns)");
  expect(own[0]!.mail.text).toContain("It is not re-run a second time");
});

test("the rule does not re-run it a second time once the queue drained again; gave up, audited", async () => {
  expect(events.filter((x) => x.e.kind === "task.on_track").length).toBe(2);
  const gaveUp = (await (await t!.request("/v4/audit?action=remediation.gave_up")).json()) as { entries: unknown[] };
  expect(gaveUp.entries).toMatchObject([{ actor: { name: "rule:queue-reruns" }, target: exportId().toLowerCase() }]);
  const incidentId = (failuresOfExport()[1]!.e as { incident: { id: number } }).incident.id;
  const { actions } = (await (await t!.request(`/v4/incidents/${incidentId}/actions`)).json()) as {
    actions: Array<{ kind: string; status: string; requestedFrom: string }>;
  };
  expect(actions.map((a) => [a.kind, a.status, a.requestedFrom])).toEqual([["rerun", "ended", "rule"]]);
});
