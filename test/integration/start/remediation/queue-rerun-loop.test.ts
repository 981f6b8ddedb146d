// Never a loop of re-runs, on the simulator and a stepped clock shared with Steward: node Reload01 runs one reload at
// a time (queue timeout 30 minutes) and Hold engine takes it from 02:00 to 04:00. Export orders, due at 02:00, waits;
// Qlik cancels it at 02:30. QRS does not let Steward read the Scheduler's limits, so the [queue] rule re-runs it once
// the queue is empty again, and it waits behind Hold engine again: Qlik cancels the re-run too. That failure pages
// once on its own, "Re-run once, cancelled again" (no second backlog: Steward's own run waiting alone is none), and the
// rule does not re-run it again: one start by Steward, the giving up audited.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { closeAll, type TestApp } from "../../../helpers/app";
import { at, daily, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, type SiteSteward, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { startsOf } from "../scheduler/sim-setup";

const SITE = reloadQueueSiteYaml({
  name: "Queue loop night",
  engines: 1,
  engineTimeout: 30,
  owner: "INTERNAL\\sa_scheduler",
  apps: ["Hold engine", "Export orders"],
  tasks: [reloadTask("Hold engine", 120, [daily("02:00")]), reloadTask("Export orders", 5, [daily("02:00")])],
});

const dir = createTempDir("steward-queue-loop-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let smtp: SmtpReceiver;
let events: SiteSteward["events"] = [];

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await smtp?.stop();
});

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  s = await startSteppedSite(dir.path, at("01:30"), SITE);
  const { clock } = s;
  // The Scheduler's limits cannot be read (this account may not read the Scheduler's settings): Steward cannot tell
  // whether the node has a free engine, so the rule's re-run starts once the queue drained, as before issue 101, and
  // waits behind Hold engine. With the limits known, it would wait for Hold engine to end (rerun-free-engine.test.ts).
  s.sim.faults.add({ target: "qrs", pathContains: "schedulerservice", status: 403, body: "Forbidden" }, clock.now());
  ({ t, events } = await startStewardOnSite(
    s,
    dir.path,
    `${QUIET_LOOKS}channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [task.failed, task.recovered], to: [mail] }
remediation:
  rules:
    - { name: queue-reruns, errorClasses: [queue] }
`,
    at("01:30"),
  ));
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

test("the rule does not re-run it a second time; gave up, audited", async () => {
  // The re-run waited alone in the queue: Steward's own run opens no backlog (issue 101), so one backlog, one end.
  expect(events.filter((x) => x.e.kind === "scheduler.queue_backlog").length).toBe(1);
  expect(events.filter((x) => x.e.kind === "task.on_track").length).toBe(1);
  const gaveUp = (await (await t!.request("/v4/audit?action=remediation.gave_up")).json()) as { entries: unknown[] };
  expect(gaveUp.entries).toMatchObject([{ actor: { name: "rule:queue-reruns" }, target: exportId().toLowerCase() }]);
  const incidentId = (failuresOfExport()[1]!.e as { incident: { id: number } }).incident.id;
  const { actions } = (await (await t!.request(`/v4/incidents/${incidentId}/actions`)).json()) as {
    actions: Array<{ kind: string; status: string; requestedFrom: string }>;
  };
  expect(actions.map((a) => [a.kind, a.status, a.requestedFrom])).toEqual([["rerun", "ended", "rule"]]);
});
