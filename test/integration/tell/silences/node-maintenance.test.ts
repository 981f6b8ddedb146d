// A maintenance window for one node tonight, set as a silence with a start (issue 74): the administrator patching
// sense2 says so before the work begins. Inside it, the node's cause (its Scheduler stopped) and the tasks that fail on
// sense2 are recorded (the cause, its tasks and their incidents are on the dashboard and the API) but nobody is paged;
// a failure on another node still pages. When the window ends with sense2 still down, its cause pages once, naming
// what failed inside it; the tasks' own failures are not sent one by one, and its recovery follows that page. A cause over before the window's end (resolved
// by hand) sends nothing then, although its service is still stopped.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { syntheticServiceEvent, syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { SilenceView } from "../../../../src/tell/silences";
import type { IncidentView } from "../../../../src/tell/incidents/routes";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { emitFailure, failedRun } from "../../../helpers/failed-runs";
import { waitFor } from "../../../helpers/wait-for";
import { startSmtpReceiver, type SmtpReceiver } from "../notify/receivers";
import { wallLimit } from "../../../helpers/time-limit";

let smtp: SmtpReceiver;
let t: TestApp;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  t = createTestApp(`channels:
  ops: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [task.failed, task.recovered, service.stopped, service.started], to: [ops] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`);
  await t.app.start();
});
afterAll(async () => {
  await t?.close();
  await smtp?.stop();
});

const api = async <T>(path: string, init: RequestInit = {}) => {
  const res = await t.request(path, { ...init, headers: { "content-type": "application/json" } });
  return { status: res.status, body: (await res.json()) as T };
};
const subjects = () => smtp.mails.map((m) => m.mail.subject ?? "");
/** The release sweep, run now (its timer runs one every 5 s while alerts are held), and the time for a send it queued. */
const sweep = async () => {
  await t.app.alertGates.silences.releaser.sweep();
  await Bun.sleep(300);
};
/** Until the window's end has passed on the clock, then the sweep its timer would run up to 5 s later. */
const sweepAfter = async (endsAt: string) => {
  await Bun.sleep(Math.max(0, Date.parse(endsAt) - Date.now()) + 20);
  await t.app.alertGates.silences.releaser.sweep();
};

test("a window for sense2 holds its cause and its tasks' failures, and pages the cause once at its end while sense2 is down", {
  timeout: wallLimit(40_000),
}, async () => {
  const startsAt = new Date(Date.now() + 1_500).toISOString();
  const endsAt = new Date(Date.now() + 7_000).toISOString();
  const made = await api<SilenceView>("/v4/silences", {
    method: "POST",
    body: JSON.stringify({ matcher: { nodes: ["sense2"] }, startsAt, endsAt, reason: "Windows patches on sense2", author: "anna" }),
  });
  expect(made.status).toBe(201);
  await waitFor(async () => ((await api<SilenceView>(`/v4/silences/${made.body.id}`)).body.state === "active" ? true : undefined), {
    what: "the window's start",
  });

  const stopped = syntheticServiceEvent({ state: "stopped", host: "sense2.corp.example", service: "QlikSenseSchedulerService" });
  await t.app.bus.emit(stopped.kind, stopped);
  const cause = await waitFor(
    async () => (await api<{ causes: Array<{ id: number; title: string }> }>("/v4/causes?status=open")).body.causes.find((c) => c.title.includes("sense2")),
    { what: "sense2's cause" },
  );
  await emitFailure(t, failedRun("a", { host: "sense2.corp.example" }));
  await emitFailure(t, failedRun("b", { host: "sense2.corp.example" }));
  await emitFailure(t, failedRun("c", { host: "sense1.corp.example" }));
  // Another node's failure pages as usual.
  await waitFor(() => subjects().find((s) => s.includes("Load c")), { what: "sense1's failure paged" });
  await Bun.sleep(500);
  expect(subjects().filter((s) => s.includes("sense2") || s.includes("Load a") || s.includes("Load b"))).toEqual([]);
  // Recorded: the incidents are open, the cause lists sense2's tasks, the silence lists what it held.
  const open = (await api<{ incidents: IncidentView[] }>("/v4/incidents?status=open")).body.incidents.map((i) => i.title);
  expect(open).toEqual(expect.arrayContaining(["Load a", "Load b", "Load c"]));
  const shown = await api<{ tasks: string[] }>(`/v4/causes/${cause.id}`);
  expect(JSON.stringify(shown.body)).toContain("Load a");
  const during = await api<{ held: Record<string, number> }>(`/v4/silences/${made.body.id}`);
  expect(during.body.held).toEqual({ held: 3 });

  // The window ends with sense2 still down: its cause pages, once, naming what failed inside the window.
  await sweepAfter(endsAt);
  const page = await waitFor(() => smtp.mails.find((m) => m.mail.subject?.includes(`Open: cause #${cause.id}, Qlik services down on sense2`)), {
    what: "the cause's page at the window's end",
    timeoutMs: 20_000,
  });
  expect(page.mail.text).toContain("Tasks: Load a, Load b");
  await waitFor(async () => ((await api<{ held: Record<string, number> }>(`/v4/silences/${made.body.id}`)).body.held.held === undefined ? true : undefined), {
    what: "every hold settled",
  });
  await sweep(); // a second page of the cause would come now
  expect(smtp.mails.filter((m) => m.mail.subject?.includes(`cause #${cause.id}`))).toEqual([page]);
  expect((await api<{ held: Record<string, number> }>(`/v4/silences/${made.body.id}`)).body.held).toEqual({ sent: 1, superseded: 2 });

  // sense2 comes back and its tasks run again: the cause's recovered page follows that page, once.
  const started = syntheticServiceEvent({ state: "started", host: "sense2.corp.example", service: "QlikSenseSchedulerService" });
  await t.app.bus.emit(started.kind, started);
  for (const n of ["a", "b"]) {
    const ok = syntheticTaskEvent({
      outcome: "succeeded",
      taskName: `Load ${n}`,
      taskId: `task-${n}`,
      appName: `App ${n}`,
      appId: `app-${n}`,
      host: "sense2.corp.example",
    });
    for (const e of await t.app.incidents!.annotate({ ...ok, source: "udp" })) await t.app.bus.emit(e.kind, e);
  }
  await waitFor(() => smtp.mails.find((m) => m.mail.subject?.includes(`Recovered: cause #${cause.id}`)), { what: "the cause's recovered page" });
  await sweep();
  expect(smtp.mails.filter((m) => m.mail.subject?.includes(`cause #${cause.id}`)).length).toBe(2);
});

test("a window for sense3 whose cause was resolved by hand inside it sends nothing at its end", { timeout: wallLimit(40_000) }, async () => {
  const endsAt = new Date(Date.now() + 3_000).toISOString();
  const made = await api<SilenceView>("/v4/silences", {
    method: "POST",
    body: JSON.stringify({ matcher: { nodes: ["sense3"] }, endsAt, reason: "disk swap", author: "anna" }),
  });
  expect(made.status).toBe(201);
  const stopped = syntheticServiceEvent({ state: "stopped", host: "sense3.corp.example", service: "QlikSenseSchedulerService" });
  await t.app.bus.emit(stopped.kind, stopped);
  const cause = await waitFor(
    async () => (await api<{ causes: Array<{ id: number; title: string }> }>("/v4/causes?status=open")).body.causes.find((c) => c.title.includes("sense3")),
    { what: "sense3's cause" },
  );
  await emitFailure(t, failedRun("d", { host: "sense3.corp.example" }));
  await waitFor(async () => ((await api<{ held: Record<string, number> }>(`/v4/silences/${made.body.id}`)).body.held.held === 2 ? true : undefined), {
    what: "both alerts held",
  });
  expect((await api(`/v4/causes/${cause.id}/resolve`, { method: "POST", body: "{}" })).status).toBe(200);
  // The service is still stopped, but its cause is over: nothing of it is sent when the window ends.
  await sweepAfter(endsAt);
  await waitFor(async () => ((await api<{ held: Record<string, number> }>(`/v4/silences/${made.body.id}`)).body.held.held === undefined ? true : undefined), {
    what: "every hold settled",
    timeoutMs: 20_000,
  });
  await sweep(); // what it would send of them comes now
  expect(smtp.mails.filter((m) => m.mail.subject?.includes("sense3") || m.mail.subject?.includes("Load d"))).toEqual([]);
  expect((await api<{ held: Record<string, number> }>(`/v4/silences/${made.body.id}`)).body.held).toEqual({ closed: 2 });
});
