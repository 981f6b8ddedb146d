// Every trigger form the QMC and the QRS API store, on a simulated site for 14 days across a daylight-saving change in
// each direction (test/helpers/trigger-forms-site.ts), the simulator and Steward on one stepped clock (issue 59). The
// simulated Scheduler fires by its own arithmetic and states QRS's nextExecution from it; the watchdog expects QRS's
// times first and its own arithmetic after them. Asserted: no watchdog alert that an injected fault does not explain,
// each injected missed start caught within one look plus grace (at the time QRS stated, for the trigger Qlik reads
// differently), the trigger no Qlik reads listed as not watched with its reason, the disagreement listed as a problem,
// and, per task, which implementation fired what.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, sendDatagramsTo, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { wallLimit } from "../../../helpers/time-limit";
import { FORM_EXPECTED, FORM_FAULTS, FORM_TASKS, type FormAction, FORMS_START, formsSiteYaml } from "../../../helpers/trigger-forms-site";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";
import { qlikYaml } from "../../start/scheduler/sim-setup";

const DAY = 86_400_000;
const DAYS = 14;
const LOOK_MS = 5 * 60_000;
const GRACE_MS = 5 * 60_000;
const WATCHED = ["task.missed", "task.chain_broken", "task.running_long", "app.stale", "task.disabled", "task.notice"] as const;

interface TaskRow {
  name: string;
  watched: boolean;
  nextExpectedAt: string | null;
  notWatched: string[];
  triggers: Array<{ name: string; watch: string; reason?: string }>;
}

const dir = createTempDir();
let site: SteppedSite;
let t: TestApp;
let rx: HttpReceiver;
const events: Array<{ at: number; e: WatchdogEvent }> = [];
let view: { problems: string[]; tasks: TaskRow[] };
let simTasks: Array<{ name: string; nextExecution: string }>;
const runsByTask = new Map<string, number>();

afterAll(async () => {
  await t?.close();
  await site?.sim.stop();
  await rx?.stop();
  dir.remove();
});

beforeAll(async () => {
  site = await startSteppedSite(dir.path, FORMS_START - 10 * 60_000, formsSiteYaml());
  const { sim, clock } = site;
  rx = startHttpReceiver();
  // The node rule reads QRS's service states every two simulated minutes (30 s by default; the four weeks read them
  // every ten, test/helpers/month-run.ts): each node down here lasts 17-30 minutes, so it is still read unreachable for its whole
  // 2 minutes and paged as before, with a quarter of the reads (2,880 a simulated day at 30 s, the file's most
  // frequent request; bench/history/issue-89.md has the file's CPU before and after).
  t = createTestApp(
    `${qlikYaml(sim)}grouping: { nodeDown: { unreachable: { interval: 2m } } }\nwatchdog:\n  interval: 5m\n  grace: 5m\nchannels:\n  hook: { type: webhook, url: "${rx.url}/hook" }\nroutes:\n  - { name: team, on: [${WATCHED.join(", ")}], to: [hook] }\n`,
    { clock, dir: join(dir.path, "steward") },
  );
  for (const k of WATCHED) t.app.bus.on(k, (e) => void events.push({ at: clock.now(), e: e as WatchdogEvent }));
  sim.tasks.onFinished((taskId) => {
    const name = sim.repo.tasks.get(taskId)?.model.name ?? taskId;
    runsByTask.set(name, (runsByTask.get(name) ?? 0) + 1);
  });
  const act = (a: FormAction) =>
    "pause" in a
      ? simControl(sim, "POST", "/scheduler/pause")
      : "resume" in a
        ? simControl(sim, "POST", "/scheduler/resume")
        : "nodeDown" in a
          ? simControl(sim, "POST", `/nodes/${a.nodeDown}/down`)
          : simControl(sim, "POST", `/nodes/${a.nodeUp}/up`);
  for (const f of FORM_FAULTS) {
    clock.setTimeout(() => act(f.apply), f.at - clock.now());
    clock.setTimeout(() => act(f.revert), f.revertAt - clock.now());
  }
  await clock.runUntil(FORMS_START);
  const starting = t.app.start();
  await clock.runUntil(FORMS_START);
  await starting;
  sendDatagramsTo(site, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t.app.intake.counters.received.get());
  for (let day = 1; day <= DAYS; day++) await clock.runUntil(FORMS_START + day * DAY);
  view = (await (await t.request("/v4/watchdog")).json()) as typeof view;
  simTasks = (await simControl(sim, "GET", "/tasks")) as typeof simTasks;
  // A hang guard, scaled for a slower or busier machine (TEST_TIME_SCALE): at load 37 the 14 days took 567 s of wall.
}, wallLimit(600_000));

describe("every trigger form, 14 days across a daylight-saving change each way", () => {
  test("which implementation fired what: the simulated Scheduler's runs, and where the watchdog's expectations came from", () => {
    const rows = FORM_TASKS.map((f) => {
      const v = view.tasks.find((x) => x.name === f.name);
      return `${f.name.padEnd(42)} sim fired ${String(runsByTask.get(f.name) ?? 0).padStart(4)}  Steward expects by ${v?.triggers.map((x) => x.watch).join(",") ?? "?"}`;
    });
    console.log(`trigger forms site, ${DAYS} days:\n${rows.join("\n")}`);
    // Every form that fires did fire (the unreadable one and the expired-before-it-could one aside), and the once once.
    for (const f of FORM_TASKS) if (f.name !== "A form no Qlik reads") expect(runsByTask.get(f.name) ?? 0).toBeGreaterThan(0);
    expect(runsByTask.get("Once, hourly option, no increment")).toBe(1);
    expect(runsByTask.get("A form no Qlik reads") ?? 0).toBe(0);
  });

  test("no watchdog alert that an injected fault does not explain, and each injected missed start caught within one look plus grace", () => {
    const expected = FORM_FAULTS.flatMap((f) => f.misses);
    const explained = (x: { at: number; e: WatchdogEvent }) =>
      (x.e.kind === "task.missed" &&
        expected.some((m) => m.task === x.e.task?.name && Number(x.e.data.expectedAt ? Date.parse(String(x.e.data.expectedAt)) : Number.NaN) === m.dueAt)) ||
      FORM_EXPECTED.some((f) => f.kind === x.e.kind && f.task === x.e.task?.name && x.at >= f.at && x.at <= f.at + LOOK_MS);
    const unexplained = events
      .filter((x) => !explained(x))
      .map((x) => `${new Date(x.at).toISOString()} ${x.e.kind} ${x.e.task?.name ?? x.e.app?.name} ${x.e.data.expectedAt ?? ""}`);
    expect(unexplained).toEqual([]);
    for (const m of expected) {
      const caught = events.find((x) => x.e.kind === "task.missed" && x.e.task?.name === m.task);
      expect(caught ? `${m.task} after ${(caught.at - m.dueAt) / 60_000} min` : `${m.task}: not caught`).toMatch(/after \d+(\.\d+)? min$/);
      expect(caught!.at - m.dueAt).toBeLessThanOrEqual(LOOK_MS + GRACE_MS);
    }
    for (const f of FORM_EXPECTED) expect(events.filter((x) => x.e.kind === f.kind && x.e.task?.name === f.task)).toHaveLength(1);
    // The webhook got those pages and no other.
    // What the webhook got (issue 64: one page per cause). Each node down is its cause's two pages (opened two
    // minutes in, recovered when back), its missed start folded in. The paused Scheduler: its first missed start
    // alone (one task's trigger may be the trouble), the second opens "no task starts on sense1" (nothing heard from
    // the node since), its first run again ends it. The notice of the trigger that expired as set.
    const pages = rx.requests.map((r) => {
      const b = JSON.parse(r.body) as { taskName?: string; causeTitle?: string };
      return `${r.headers.get("x-steward-event")}${b.taskName ? ` ${b.taskName}` : ""}${b.causeTitle ? ` [${b.causeTitle}]` : ""}`;
    });
    expect(pages).toEqual([
      "task.missed Hourly on weekdays, UTC",
      "task.missed Office quarter hours [no task starts on sense1]",
      "task.succeeded Office quarter hours [no task starts on sense1]",
      "service.stopped [Qlik services down on sense3]",
      "service.started [Qlik services down on sense3]",
      "task.notice Expires in Kolkata's time",
      "service.stopped [Qlik services down on sense2]",
      "service.started [Qlik services down on sense2]",
      "service.stopped [Qlik services down on sense3]",
      "service.started [Qlik services down on sense3]",
    ]);
  });

  test("the trigger no Qlik reads is listed as not watched, with the reason", () => {
    const v = view.tasks.find((x) => x.name === "A form no Qlik reads")!;
    expect(v.triggers).toEqual([
      { name: "A form no Qlik reads trigger", watch: "not-watched", reason: expect.stringContaining("incrementDescription 'every day'") },
    ]);
    expect(v.notWatched).toEqual([expect.stringContaining("QRS states no next execution")]);
  });

  test("where Qlik reads a trigger differently, QRS's time is followed and the difference is a problem, never an alert", () => {
    const v = view.tasks.find((x) => x.name === "Read differently by Qlik")!;
    expect(v.triggers.map((x) => x.watch)).toEqual(["qrs"]);
    expect(view.problems.filter((p) => p.includes("Read differently by Qlik"))).toEqual([
      expect.stringMatching(/Steward computes the next start .*T02:30:00\.000Z, QRS states .*T02:37:00\.000Z; QRS is followed/),
    ]);
  });

  test("QRS's never after a once and after an expiry: no expectation; every other task's next start is QRS's", () => {
    for (const name of ["Once, hourly option, no increment", "Expires in Kolkata's time"]) {
      const v = view.tasks.find((x) => x.name === name)!;
      expect(v.nextExpectedAt).toBeNull();
    }
    for (const f of FORM_TASKS) {
      const sim = simTasks.find((x) => x.name === f.name)!;
      const v = view.tasks.find((x) => x.name === f.name)!;
      const qrs = sim.nextExecution.startsWith("1753") ? null : sim.nextExecution;
      expect(`${f.name}: ${v.nextExpectedAt}`).toBe(`${f.name}: ${qrs}`);
    }
  });
});
