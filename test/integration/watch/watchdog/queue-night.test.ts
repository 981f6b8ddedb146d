// Issue 67's "Done when" for the Scheduler's queue, on the simulator and a stepped clock shared with Steward. Node
// Reload01 runs two reloads at once (Max concurrent reloads 2, queue timeout 30 minutes). Monday night (limit raised
// to 10) everything runs. Tuesday night two 40-minute loads take both engines at 02:00: three 5-minute loads wait from
// 02:00 and Qlik cancels them at 02:30; two more wait from 02:15 and run at 02:40 when the long ones end. The queue is
// full 40 minutes. On the documented watchdog route: exactly one scheduler.queue_backlog page (02:15) and its recovery
// when the queue empties, nothing else (the cancelled loads' stale apps and the chain after Wait 1 are its symptoms).
// The cancelled runs are named "cancelled after waiting in the queue", not blamed on a script; no task.running_long
// for a run that had not started (their limit is 10 minutes: timed from their trigger they would be); the weekly
// report's busiest hours are the simulator's own counts.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { SiteEvent, TaskEvent, WatchdogEvent } from "../../../../src/platform/events/types";
import { BUSIEST_PER_NODE } from "../../../../src/show/report/build-report";
import { reportTime } from "../../../../src/show/report/report-time";
import { closeAll, type TestApp } from "../../../helpers/app";
import { after, daily, reloadQueueSiteYaml, reloadTask, type SiteSteward, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const MIN = 60_000;
const HOUR = 60 * MIN;
const START = Date.parse("2026-03-02T01:30:00Z"); // Monday
const TUESDAY = START + 24 * HOUR;
const REPORT_AT = Date.parse("2026-03-03T06:00:00Z");
/** The documented route of docs/watchdog.md (and docs/scheduler-queue.md). */
const DOCUMENTED = "[scheduler.queue_backlog, task.missed, task.chain_broken, task.running_long, app.stale, task.disabled, task.on_track]";

const LONG = ["Long A", "Long B"];
const WAIT = ["Wait 1", "Wait 2", "Wait 3"];
const LATE = ["Late 1", "Late 2"];
const SITE = reloadQueueSiteYaml({
  name: "Queue night",
  engines: 2,
  engineTimeout: 30,
  apps: [...LONG, ...WAIT, ...LATE, "Front 1"],
  tasks: [
    ...LONG.map((n) => reloadTask(n, 40, [daily("02:00")])),
    ...WAIT.map((n) => reloadTask(n, 5, [daily("02:00")])),
    ...LATE.map((n) => reloadTask(n, 5, [daily("02:15")])),
    reloadTask("Front 1", 5, [after("Wait 1")]),
  ],
});

const dir = createTempDir("steward-queue-night-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let rx: HttpReceiver;
let smtp: SmtpReceiver;
let events: SiteSteward["events"] = [];

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await rx?.stop();
  await smtp?.stop();
});

beforeAll(async () => {
  rx = startHttpReceiver();
  smtp = await startSmtpReceiver();
  s = await startSteppedSite(dir.path, START, SITE);
  const { sim, clock } = s;
  ({ t, events } = await startStewardOnSite(
    s,
    dir.path,
    `watchdog:
  rules:
    - { taskNames: ["Wait *", "Late *"], maxDuration: 10m }
reports:
  weekly: { day: tue, at: "06:00", timeZone: UTC }
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
  fails: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [dev@corp.example] }
  weekly: { type: webhook, url: "${rx.url}/weekly" }
routes:
  - { name: what-did-not-happen, on: ${DOCUMENTED}, to: [hook, mail] }
  - { name: failures, on: [task.failed, task.aborted, task.recovered], to: [fails] }
  - { name: weekly, on: [report.weekly], to: [weekly] }
`,
    START,
  ));
  // Monday: a node big enough for the night.
  await simControl(sim, "PATCH", "/nodes/Reload01/scheduler", { maxConcurrentEngines: 10 });
  await clock.runUntil(TUESDAY);
  await simControl(sim, "PATCH", "/nodes/Reload01/scheduler", { maxConcurrentEngines: 2 });
  await clock.runUntil(REPORT_AT + MIN);
}, 300_000);

const to = (m: SmtpReceiver["mails"][number]) => (m.mail.to ?? []).map((a) => a.address).join(", ");
/** The documented route's webhook pages: the event each carried, with the cause on top. */
const hook = () =>
  rx.requests
    .filter((r) => r.path === "/hook")
    .map((r) => JSON.parse(r.body) as { stewardEvent: WatchdogEvent; cause?: { title: string; status: string } })
    .map((p) => ({ ...p.stewardEvent, cause: p.cause }));
const tuesday = (hhmm: string) => Date.parse(`2026-03-03T${hhmm}:00Z`);
const finishedTuesday = (name: string) => s!.finished.filter((r) => r.task === name && r.stopMs >= TUESDAY);

test("the simulator's night: Monday all ran; Tuesday the queue was full 02:00–02:40, Wait 1–3 cancelled at 02:30", () => {
  for (const n of [...LONG, ...WAIT, ...LATE, "Front 1"])
    expect(s!.finished.filter((r) => r.task === n && r.stopMs < TUESDAY).map((r) => r.status)).toEqual([7]);
  for (const n of WAIT) expect(finishedTuesday(n)).toEqual([{ task: n, status: 8, startMs: -1, stopMs: tuesday("02:30") + 2_000 } as never]);
  for (const n of LATE) expect(finishedTuesday(n).map((r) => [r.status, r.startMs])).toEqual([[7, tuesday("02:40")]]);
  expect(finishedTuesday("Front 1")).toEqual([]);
});

test("one scheduler.queue_backlog page on the documented route, and its recovery when the queue emptied: nothing else", () => {
  const pages = hook();

  expect(pages.map((p) => p.kind)).toEqual(["scheduler.queue_backlog", "task.on_track"]);
  const [open, closed] = pages;
  expect(Date.parse(open!.receivedAt) - tuesday("02:15")).toBeLessThan(2 * MIN);
  expect(open!.title).toBe("Reload queue backed up on reload01.test.example");
  expect(open!.summary).toContain("3 waiting, 2 running (Max concurrent reloads: 2)");
  expect(open!.summary).toContain("Qlik cancels a run that waits longer than 30 minutes");
  expect(open!.summary).toContain("Schedulers → reload01.test.example → Advanced → raise Max concurrent reloads");
  for (const n of WAIT) expect(open!.data.waitingTasks).toContain(`${n} (waiting since 2026-03-03T02:00:00.000Z)`);
  expect(open!.cause).toMatchObject({ title: "reload queue backed up on reload01", status: "open" });
  expect(Date.parse(closed!.receivedAt) - tuesday("02:40")).toBeLessThan(2 * MIN);
  expect(closed!.cause).toMatchObject({ status: "closed" });
  expect(closed!.summary).toContain("Qlik cancelled 3 runs after waiting in the queue (Wait 1, Wait 2, Wait 3)");
  expect(smtp.mails.filter((m) => to(m) === "ops@corp.example").map((m) => m.mail.subject)).toEqual([
    "[Qlik Sense] [Open: cause #1, reload queue backed up on reload01] Reload queue backed up on reload01.test.example",
    expect.stringContaining(
      "[Qlik Sense] [Recovered: cause #1, reload queue backed up on reload01] Back on track: The reload queue on reload01.test.example",
    ) as never,
  ]);
});

test("the cancelled runs are named 'cancelled after waiting in the queue', no script blamed, symptoms of the queue's cause", async () => {
  const failed = events.filter((x) => x.e.kind === "task.failed").map((x) => x.e as TaskEvent);
  expect(failed.map((e) => e.task.name).sort()).toEqual(WAIT);
  for (const e of failed) {
    expect(e.errorClass).toBe("queue");
    expect(e.scriptLog).toBeUndefined();
    expect(e.missing.map((m) => m.item)).not.toContain("scriptLog");
  }
  // The failures route's one mail is the cause's page there (the first cancellation), worded as what it is.
  const dev = smtp.mails.filter((m) => to(m) === "dev@corp.example");
  expect(dev.map((m) => m.mail.subject)[0]).toMatch(
    /^\[Qlik Sense\] \[Open: cause #1, reload queue backed up on reload01\] Reload task cancelled after waiting in the queue: Wait \d/,
  );
  expect(dev[0]!.mail.text).toContain("Likely cause (cancelled after waiting in the queue): Qlik cancelled the run");
  expect(dev[0]!.mail.text).not.toContain("What went wrong (script log)");
  const { causes } = (await (await t!.request("/v4/causes?status=closed")).json()) as { causes: Array<{ id: number; title: string }> };
  expect(causes.map((c) => c.title)).toEqual(["reload queue backed up on reload01"]);
  const one = (await (await t!.request(`/v4/causes/${causes[0]!.id}`)).json()) as { symptoms: Array<{ task?: string; app?: string; kind: string }> };
  const kinds = (k: string) =>
    one.symptoms
      .filter((x) => x.kind === k)
      .map((x) => x.task ?? x.app)
      .sort();
  expect(kinds("task.cancelled_in_queue")).toEqual(WAIT);
  // The apps Qlik's cancellations left stale, and the one after Wait 1 whose chain did not run.
  expect(kinds("app.stale")).toEqual(["Front 1 app", ...LATE.map((n) => `${n} app`), ...WAIT.map((n) => `${n} app`)].sort());
});

test("the queue is the node's, never a task among the cause's: its pages and the API list the tasks held up, no zero counts", async () => {
  const tasks = new Set([...LONG, ...WAIT, ...LATE, "Front 1"]);
  const [open] = rx.requests.filter((r) => r.path === "/hook").map((r) => JSON.parse(r.body) as { cause?: { tasks: string[]; text: string } });
  expect(open!.cause!.tasks.length).toBeGreaterThan(0);
  expect(open!.cause!.tasks.filter((n) => !tasks.has(n))).toEqual([]);
  expect(open!.cause!.text).not.toMatch(/\b0 (task|app|stream)s?\b/);
  const page = String(smtp.mails.find((m) => to(m) === "ops@corp.example")!.mail.text);
  expect(page).not.toContain("Scheduler queue on");
  const tasksLine = page.split("\n").find((l) => l.startsWith("Tasks: "))!;
  expect(
    tasksLine
      .slice(7)
      .split(", ")
      .filter((n) => !tasks.has(n)),
  ).toEqual([]);
  const { causes } = (await (await t!.request("/v4/causes?status=closed")).json()) as { causes: Array<{ affected: { tasks: string[]; text: string } }> };
  expect(causes[0]!.affected.tasks.filter((n) => !tasks.has(n))).toEqual([]);
  expect(causes[0]!.affected.text).not.toMatch(/\b0 (task|app|stream)s?\b/);
});

test("the watchdog's page lists the backlog, over, under its node", async () => {
  const page = await (await t!.request("/ui/watchdog")).text();
  const row = page.slice(page.indexOf('data-condition="queue_backlog"'));
  expect(row).toContain("was a queue backed up");
  expect(row.slice(0, row.indexOf("</tr>"))).toContain("node reload01.test.example");
});

test("no task.running_long for a run that had not started", () => {
  expect(
    events.filter((x) => x.e.kind === "task.running_long" || (x.e.kind === "task.notice" && (x.e as WatchdogEvent).condition.type === "running_long")),
  ).toEqual([]);
});

test("the weekly report's busiest hours are the simulator's own counts", async () => {
  const weekly = rx.requests.filter((r) => r.path === "/weekly").map((r) => JSON.parse(r.body) as { stewardEvent?: SiteEvent } & SiteEvent);
  expect(weekly).toHaveLength(1);
  const event = (weekly[0]!.stewardEvent ?? weekly[0]!) as SiteEvent;
  const lines = event.sections!.find((x) => x.title === "Busiest hours per node")!.lines.map((l) => l.text);
  const load = (await simControl(
    s!.sim,
    "GET",
    `/nodes/Reload01/load?from=${new Date(REPORT_AT - 7 * 24 * HOUR).toISOString()}&to=${new Date(REPORT_AT).toISOString()}`,
  )) as {
    hours: Array<{ hour: string; runningMs: number; waitingMs: number }>;
  };
  const f = (ms: number) => reportTime(ms, "UTC", REPORT_AT);
  const expected = load.hours
    .filter((h) => h.runningMs + h.waitingMs > 0)
    .sort((a, b) => b.runningMs + b.waitingMs - (a.runningMs + a.waitingMs) || Date.parse(a.hour) - Date.parse(b.hour))
    .slice(0, BUSIEST_PER_NODE)
    .map((h) => {
      const at = Date.parse(h.hour);
      return `reload01.test.example, ${f(at)}–${f(at + HOUR).slice(-5)}: ${(h.runningMs / HOUR).toFixed(1)} in progress, ${(h.waitingMs / HOUR).toFixed(1)} waiting for an engine (on average over the hour)`;
    });
  expect(lines).toEqual(expected);
  // Tuesday 02:00–03:00 is the busiest: Long A and B 40 minutes and Late 1 and 2 five each in progress (90 minutes);
  // Wait 1–3 waiting 30 minutes each and Late 1 and 2 25 each (140 minutes).
  expect(lines[0]).toStartWith("reload01.test.example, Tue 3 Mar 02:00–03:00: 1.5 in progress, 2.3 waiting");
});
