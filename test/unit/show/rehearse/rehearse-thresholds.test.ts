// Issue 105: the watch's thresholds rehearsed. A week of Sales app's reloads, each morning ending at 07:20 and on
// Tuesday at 07:40; and a night whose two runs waited ten minutes for an engine on Reload01. A promise's deadline or
// warnAt, or the queue's backlog threshold, set differently in the new config is judged again on those runs with
// each config (the live judge's own judgeFreshness; the queue watch's episodes), and the pages that appear or vanish
// are named; a lateness or a backlog that paged and would not is a fault left unpaged.
import { describe, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { type RehearsedConfig, rehearse } from "../../../../src/show/rehearse/rehearse";
import type { RecordedChains } from "../../../../src/show/rehearse/recorded-chains";
import { rejudgeBacklog } from "../../../../src/show/rehearse/rejudge-backlog";
import { rejudgeFreshness } from "../../../../src/show/rehearse/rejudge-freshness";
import { type RecordedRuns, watchThresholdsOf } from "../../../../src/show/rehearse/rejudge";
import type { NotifierConfig } from "../../../../src/tell/notify/config";
import { compilePromise } from "../../../../src/watch/freshness/compile-promise";

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 2); // Monday 2 Nov 2026
const at = (day: number, hhmm: string) => T0 + day * DAY + Number(hhmm.slice(0, 2)) * 60 * MIN + Number(hhmm.slice(3)) * MIN;
const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const mail = (to: string) => `{ type: email, smtp: { host: 127.0.0.1, port: 2525, security: none }, from: steward@corp.example, to: [${to}] }`;

// Monday to Sunday: 07:20, but Tuesday 07:40.
const reloads = Array.from({ length: 7 }, (_, d) => ({
  appId: SALES,
  startMs: at(d, d === 1 ? "07:30" : "07:10"),
  stopMs: at(d, d === 1 ? "07:40" : "07:20"),
}));
const apps = [{ appId: SALES, appName: "Sales app", stream: "Sales", tags: [] }];
// Tuesday night: Extract and Load wait on Reload01 from 02:00 to 02:10; a run on Wednesday waits 30 s (no wait).
const waits = [
  { node: "Reload01", createdMs: at(1, "02:00"), startMs: at(1, "02:10") },
  { node: "Reload01", createdMs: at(1, "02:00"), startMs: at(1, "02:05") },
  { node: "Reload01", createdMs: at(2, "02:00"), startMs: at(2, "02:00") + 30_000 },
];
const runs: RecordedRuns = { reloads, apps, waits, host: "sense1" };
const window = { from: T0, to: T0 + 7 * DAY };

function configOf(freshBy: string, backlogAfter = "15m", warnAt = ""): RehearsedConfig {
  const c = parseConfigText(
    `qlik: { host: sense1.corp.example }
channels:
  oncall-mail: ${mail("oncall@corp.example")}
routes:
  - { name: on-call, on: [app.freshness_breached, app.freshness_warning, scheduler.queue_backlog], to: [oncall-mail] }
watchdog:
  queue: { backlogAfter: ${backlogAfter} }
freshness:
  promises:
    sales-morning: { appIds: [${SALES}], freshBy: "${freshBy}"${warnAt ? `, warnAt: "${warnAt}"` : ""} }
`,
    "steward.yaml",
    "/tmp",
  ).config;
  return { notifier: c as unknown as NotifierConfig, windows: [], recording: [], watch: watchThresholdsOf(c) };
}

const promise = (freshBy: string, warnAt?: string) =>
  compilePromise("sales-morning", {
    appIds: [SALES],
    appNames: [],
    streams: [],
    appTags: [],
    freshBy,
    ...(warnAt ? { warnAt } : {}),
    days: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
    timeZone: "UTC",
  });
const kinds = (events: Array<{ at: number; event: { kind: string } }>) => events.map((e) => [new Date(e.at).toISOString().slice(0, 16), e.event.kind]);

describe("a promise judged again on the recorded reloads", () => {
  test("fresh by 07:30: late on Tuesday only, from the deadline to the reload that brought the data", () => {
    const r = rejudgeFreshness([promise("07:30")], reloads, apps, { ...window, host: "sense1" });
    expect(kinds(r.events)).toEqual([
      ["2026-11-03T07:30", "app.freshness_breached"],
      ["2026-11-03T07:40", "app.freshness_recovered"],
    ]);
    expect([...r.labels.values()]).toEqual([
      {
        what: "late",
        promise: "sales-morning",
        app: "Sales app",
        key: `freshness:sales-morning:${SALES}`,
        deadlineMs: at(1, "07:30"),
        freshMs: at(1, "07:40"),
      },
    ]);
  });

  test("fresh by 07:45: never late; by 07:15: late on Monday only (a reload after a deadline is the next day's data, as live)", () => {
    expect(rejudgeFreshness([promise("07:45")], reloads, apps, { ...window, host: "sense1" }).events).toEqual([]);
    const strict = rejudgeFreshness([promise("07:15")], reloads, apps, { ...window, host: "sense1" });
    expect(kinds(strict.events.filter((e) => e.event.kind === "app.freshness_breached"))).toEqual([["2026-11-02T07:15", "app.freshness_breached"]]);
  });

  test("a warning time: a warning each morning the app is not fresh by it (Wednesday is: Tuesday's 07:40 came after its deadline), escalated on Tuesday", () => {
    const r = rejudgeFreshness([promise("07:30", "07:15")], reloads, apps, { ...window, host: "sense1" });
    const tuesday = r.events.filter((e) => e.at >= at(1, "00:00") && e.at < at(2, "00:00"));
    expect(kinds(tuesday)).toEqual([
      ["2026-11-03T07:15", "app.freshness_warning"],
      ["2026-11-03T07:30", "app.freshness_breached"],
      ["2026-11-03T07:40", "app.freshness_recovered"],
    ]);
    expect(r.events.filter((e) => e.event.kind === "app.freshness_warning")).toHaveLength(6);
  });
});

describe("a promise's data comes through its app's Qlik chain, as live", () => {
  // Extract orders runs each morning 06:00-06:10 before Load Sales (Sales app's reload, on its success); on Wednesday it
  // fails, and Sales app's reload at 07:20 reads the old inputs.
  const chains: RecordedChains = {
    tasks: [
      { id: "task-extract", name: "Extract orders", after: [] },
      { id: "task-load", name: "Load Sales", appId: SALES, after: [{ upstreamIds: ["task-extract"], onSuccess: true }] },
    ],
    runs: new Map([["task-extract", Array.from({ length: 7 }, (_, d) => ({ status: d === 2 ? 8 : 7, startMs: at(d, "06:00"), stopMs: at(d, "06:10") }))]]),
  };

  test("fresh by 07:30: Wednesday's reload of old inputs is not fresh data; late until Thursday's reload brought new data", () => {
    const r = rejudgeFreshness([promise("07:30")], reloads, apps, { ...window, host: "sense1", chains });
    expect(kinds(r.events)).toEqual([
      ["2026-11-03T07:30", "app.freshness_breached"],
      ["2026-11-03T07:40", "app.freshness_recovered"],
      ["2026-11-04T07:30", "app.freshness_breached"],
      ["2026-11-05T07:20", "app.freshness_recovered"],
    ]);
    // Without the chains (no plan kept), the reload alone counts, as before.
    const alone = rejudgeFreshness([promise("07:30")], reloads, apps, { ...window, host: "sense1" });
    expect(kinds(alone.events)).toEqual([
      ["2026-11-03T07:30", "app.freshness_breached"],
      ["2026-11-03T07:40", "app.freshness_recovered"],
    ]);
  });
});

describe("the queue judged again on the recorded waits", () => {
  test("ten minutes of waiting: paged with a 5-minute threshold, not with 15; a 30-second wait is none", () => {
    const none = rejudgeBacklog(waits, { enabled: true, backlogAfterMs: 15 * MIN }, { ...window, engineTimeoutMin: new Map() });
    expect(none.events).toEqual([]);
    const r = rejudgeBacklog(waits, { enabled: true, backlogAfterMs: 5 * MIN }, { ...window, engineTimeoutMin: new Map() });
    expect(kinds(r.events)).toEqual([
      ["2026-11-03T02:05", "scheduler.queue_backlog"],
      ["2026-11-03T02:10", "task.on_track"],
    ]);
    expect((r.events[0]!.event as WatchdogEvent).data).toMatchObject({ node: "Reload01", waitingSince: "2026-11-03T02:00:00.000Z" });
  });

  test("never later than half the node's queue timeout its recorded pages named", () => {
    const r = rejudgeBacklog(waits, { enabled: true, backlogAfterMs: 15 * MIN }, { ...window, engineTimeoutMin: new Map([["reload01", 16]]) });
    expect(kinds(r.events)[0]).toEqual(["2026-11-03T02:08", "scheduler.queue_backlog"]);
    expect(rejudgeBacklog(waits, { enabled: false, backlogAfterMs: MIN }, { ...window, engineTimeoutMin: new Map() }).events).toEqual([]);
  });
});

describe("a rehearsal of the thresholds", () => {
  const input = (current: RehearsedConfig, next: RehearsedConfig) => ({ ...window, current, next, recorded: [], incidents: new Map(), runs });

  test("the config in force against itself judges nothing again", async () => {
    const r = await rehearse(input(configOf("07:30"), configOf("07:30")));
    // Nothing judged differently: the recorded events (none here) stand for both.
    expect(r.pages).toEqual({ current: 0, rehearsed: 0 });
    expect(r.thresholds).toEqual([]);
  });

  test("a deadline tightened from 07:45 to 07:30: Tuesday's lateness appears, named; no fault goes unpaged", async () => {
    const r = await rehearse(input(configOf("07:45"), configOf("07:30")));
    expect(r.channels).toEqual([{ route: "on-call", channel: "oncall-mail", current: 0, rehearsed: 1 }]);
    expect(r.thresholds).toEqual([
      {
        route: "on-call",
        channel: "oncall-mail",
        change: "appears",
        what: "late",
        at: new Date(at(1, "07:30")).toISOString(),
        text: "Sales app late on Tue 3 Nov 07:40 (fresh then) under the new deadline 07:30 (promise sales-morning)",
      },
    ]);
    expect(r.unpagedFaults).toEqual([]);
  });

  test("loosened from 07:30 to 07:45: Tuesday's lateness vanishes, and it is a fault left unpaged", async () => {
    const r = await rehearse(input(configOf("07:30"), configOf("07:45")));
    expect(r.thresholds.map((t) => [t.change, t.text])).toEqual([
      ["vanishes", "Sales app late on Tue 3 Nov 07:40 (fresh then) under the config in force's deadline 07:30 (promise sales-morning)"],
    ]);
    expect(r.unpagedFaults).toEqual([
      {
        taskName: "Sales app",
        route: "on-call",
        firstPagedAt: new Date(at(1, "07:30")).toISOString(),
        why: "Sales app late on Tue 3 Nov 07:40 (fresh then) under the config in force's deadline 07:30 (promise sales-morning); the new deadline (07:45) does not page it",
      },
    ]);
  });

  test("a deadline moved within the day that still finds Tuesday late is the same lateness, not a fault", async () => {
    const r = await rehearse(input(configOf("07:30"), configOf("07:35")));
    expect(r.unpagedFaults).toEqual([]);
    expect(r.channels).toEqual([{ route: "on-call", channel: "oncall-mail", current: 1, rehearsed: 1 }]);
  });

  test("the backlog threshold raised from 5 to 15 minutes: Tuesday night's page vanishes, a fault left unpaged", async () => {
    const r = await rehearse(input(configOf("07:45", "5m"), configOf("07:45", "15m")));
    expect(r.thresholds.map((t) => [t.change, t.what, t.text])).toEqual([
      ["vanishes", "backlog", "reload queue on Reload01 backed up Tue 3 Nov 02:00 UTC for 10 min: paged after 5 min under the config in force's threshold"],
    ]);
    expect(r.unpagedFaults.map((f) => [f.taskName, f.why])).toEqual([
      [
        "reload queue on Reload01",
        "reload queue on Reload01 backed up Tue 3 Nov 02:00 UTC for 10 min: paged after 5 min under the config in force's threshold; the new threshold (15 min) does not page it",
      ],
    ]);
    const back = await rehearse(input(configOf("07:45", "15m"), configOf("07:45", "5m")));
    expect(back.thresholds.map((t) => [t.change, t.what])).toEqual([["appears", "backlog"]]);
    expect(back.unpagedFaults).toEqual([]);
  });
});
