// Issue 105: "never older than" promises rehearsed. The week of Sales app's reloads of rehearse-thresholds.test.ts:
// each morning ending at 07:20, on Tuesday at 07:40, so Monday's data is 24 h 20 min old when Tuesday's comes. A maxAge
// or warnAfter set differently in the new config is judged again on those reloads with each config (the live judge's
// own judgeFreshness and maxAgeDeadline), and the pages that appear or vanish are named; a lateness that paged and
// would not is a fault left unpaged.
import { describe, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { type RehearsedConfig, rehearse } from "../../../../src/show/rehearse/rehearse";
import { type RecordedRuns, thresholdChanges, watchThresholdsOf } from "../../../../src/show/rehearse/rejudge";
import { rejudgeFreshness } from "../../../../src/show/rehearse/rejudge-freshness";
import type { NotifierConfig } from "../../../../src/tell/notify/config";
import { compilePromise } from "../../../../src/watch/freshness/compile-promise";

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 2); // Monday 2 Nov 2026
const at = (day: number, hhmm: string) => T0 + day * DAY + Number(hhmm.slice(0, 2)) * 60 * MIN + Number(hhmm.slice(3)) * MIN;
const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const mail = (to: string) => `{ type: email, smtp: { host: 127.0.0.1, port: 2525, security: none }, from: steward@corp.example, to: [${to}] }`;

const reloads = Array.from({ length: 7 }, (_, d) => ({
  appId: SALES,
  startMs: at(d, d === 1 ? "07:30" : "07:10"),
  stopMs: at(d, d === 1 ? "07:40" : "07:20"),
}));
const apps = [{ appId: SALES, appName: "Sales app", stream: "Sales", tags: [] }];
const runs: RecordedRuns = { reloads, apps, waits: [], host: "sense1" };
const window = { from: T0, to: T0 + 7 * DAY };

function configOf(maxAge: string, warnAfter = "", freshness = ""): RehearsedConfig {
  const c = parseConfigText(
    `qlik: { host: sense1.corp.example }
channels:
  oncall-mail: ${mail("oncall@corp.example")}
routes:
  - { name: on-call, on: [app.freshness_breached, app.freshness_warning], to: [oncall-mail] }
freshness:${freshness}
  promises:
    sales-age: { appIds: [${SALES}], maxAge: ${maxAge}${warnAfter ? `, warnAfter: ${warnAfter}` : ""} }
`,
    "steward.yaml",
    "/tmp",
  ).config;
  return { notifier: c as unknown as NotifierConfig, windows: [], recording: [], watch: watchThresholdsOf(c) };
}

const promise = (maxAgeMs: number, warnAfterMs?: number) =>
  compilePromise("sales-age", {
    appIds: [SALES],
    appNames: [],
    streams: [],
    appTags: [],
    maxAge: maxAgeMs,
    ...(warnAfterMs !== undefined ? { warnAfter: warnAfterMs } : {}),
    days: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
    timeZone: "UTC",
  });
const kinds = (events: Array<{ at: number; event: { kind: string } }>) => events.map((e) => [new Date(e.at).toISOString().slice(0, 16), e.event.kind]);

describe("a never-older-than promise judged again on the recorded reloads", () => {
  test("never older than 24 h 10 min: too old on Tuesday from 07:30 until the 07:40 reload", () => {
    const r = rejudgeFreshness([promise(24 * 60 * MIN + 10 * MIN)], reloads, apps, { ...window, host: "sense1" });
    expect(kinds(r.events)).toEqual([
      ["2026-11-03T07:30", "app.freshness_breached"],
      ["2026-11-03T07:40", "app.freshness_recovered"],
    ]);
    expect([...r.labels.values()]).toEqual([
      {
        what: "late",
        promise: "sales-age",
        app: "Sales app",
        key: `freshness:sales-age:${SALES}`,
        deadlineMs: at(1, "07:30"),
        freshMs: at(1, "07:40"),
        maxAgeMs: 24 * 60 * MIN + 10 * MIN,
      },
    ]);
  });

  test("never older than 24 h 30 min: never too old; warnAfter 24 h warns on Tuesday only, escalated at 07:30", () => {
    expect(rejudgeFreshness([promise(24 * 60 * MIN + 30 * MIN)], reloads, apps, { ...window, host: "sense1" }).events).toEqual([]);
    const r = rejudgeFreshness([promise(24 * 60 * MIN + 10 * MIN, 24 * 60 * MIN)], reloads, apps, { ...window, host: "sense1" });
    expect(kinds(r.events)).toEqual([
      ["2026-11-03T07:20", "app.freshness_warning"],
      ["2026-11-03T07:30", "app.freshness_breached"],
      ["2026-11-03T07:40", "app.freshness_recovered"],
    ]);
  });

  test("only the hours count: from 07:35, the lapse at 07:30 is judged at 07:35, when the hours begin with old data", () => {
    const p = compilePromise("sales-age", {
      appIds: [SALES],
      appNames: [],
      streams: [],
      appTags: [],
      maxAge: 24 * 60 * MIN + 10 * MIN,
      during: "07:35-18:00",
      days: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
      timeZone: "UTC",
    });
    expect(kinds(rejudgeFreshness([p], reloads, apps, { ...window, host: "sense1" }).events)).toEqual([
      ["2026-11-03T07:35", "app.freshness_breached"],
      ["2026-11-03T07:40", "app.freshness_recovered"],
    ]);
  });

  test("a maxAge set differently is a change; the same maxAge is none", () => {
    expect([...thresholdChanges(configOf("24h30m").watch!, configOf("24h10m").watch!).promises]).toEqual(["sales-age"]);
    expect([...thresholdChanges(configOf("24h10m").watch!, configOf("24h10m").watch!).promises]).toEqual([]);
  });
});

describe("a rehearsal of a never-older-than promise", () => {
  const input = (current: RehearsedConfig, next: RehearsedConfig) => ({ ...window, current, next, recorded: [], incidents: new Map(), runs });

  test("tightened from 24 h 30 min to 24 h 10 min: Tuesday's lapse appears, named; no fault goes unpaged", async () => {
    const r = await rehearse(input(configOf("24h30m"), configOf("24h10m")));
    expect(r.channels).toEqual([{ route: "on-call", channel: "oncall-mail", current: 0, rehearsed: 1 }]);
    expect(r.thresholds).toEqual([
      {
        route: "on-call",
        channel: "oncall-mail",
        change: "appears",
        what: "late",
        at: new Date(at(1, "07:30")).toISOString(),
        text: "Sales app older than 1d10m from Tue 3 Nov 07:30 until Tue 3 Nov 07:40 (fresh then) under the new maxAge (promise sales-age)",
      },
    ]);
    expect(r.unpagedFaults).toEqual([]);
  });

  test("loosened from 24 h 10 min to 24 h 30 min: Tuesday's lapse vanishes, and it is a fault left unpaged", async () => {
    const r = await rehearse(input(configOf("24h10m"), configOf("24h30m")));
    expect(r.thresholds.map((t) => [t.change, t.text])).toEqual([
      ["vanishes", "Sales app older than 1d10m from Tue 3 Nov 07:30 until Tue 3 Nov 07:40 (fresh then) under the config in force's maxAge (promise sales-age)"],
    ]);
    expect(r.unpagedFaults).toEqual([
      {
        taskName: "Sales app",
        route: "on-call",
        firstPagedAt: new Date(at(1, "07:30")).toISOString(),
        why: "Sales app older than 1d10m from Tue 3 Nov 07:30 until Tue 3 Nov 07:40 (fresh then) under the config in force's maxAge (promise sales-age); the new maxAge (1d30m) does not page it",
      },
    ]);
  });

  test("a warnAfter added: Tuesday's warning appears, and the lateness both page is no change", async () => {
    const r = await rehearse(input(configOf("24h10m"), configOf("24h10m", "24h")));
    expect(r.thresholds.map((t) => [t.change, t.what, t.text])).toEqual([
      ["appears", "at-risk", "Sales app older than the new warnAfter 1d before Tue 3 Nov 07:30 (promise sales-age)"],
    ]);
    expect(r.unpagedFaults).toEqual([]);
  });
});

describe("a promise an app sets in its custom property", () => {
  test("is not kept in the store: its recorded events stand for both configs, and the notes say so", async () => {
    // What the live judge raised for Sales app's own promise (StewardFreshBy = "max 24h10m"): Tuesday's lapse.
    const own = compilePromise("StewardFreshBy:Sales app", {
      appIds: [SALES],
      appNames: [],
      streams: [],
      appTags: [],
      maxAge: 24 * 60 * MIN + 10 * MIN,
      days: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
      timeZone: "UTC",
    });
    const recorded = rejudgeFreshness([own], reloads, apps, { ...window, host: "sense1" }).events;
    const r = await rehearse({ ...window, current: configOf("24h10m"), next: configOf("24h30m"), recorded, incidents: new Map(), runs });
    // The config file's promise is judged again (its lapse vanishes); the app's own keeps paging under both.
    expect(r.channels).toEqual([{ route: "on-call", channel: "oncall-mail", current: 2, rehearsed: 1 }]);
    expect(r.notes).toContain(
      "Promises neither config file holds are not judged again: their recorded freshness events stand for both configs (StewardFreshBy:Sales app). A promise an app sets in its custom property (StewardFreshBy) is read from QRS live and not kept in the store.",
    );
  });

  test("a new config that reads another property, or none: its recorded pages vanish, named, and count as faults left unpaged", async () => {
    const own = compilePromise("StewardFreshBy:Sales app", {
      appIds: [SALES],
      appNames: [],
      streams: [],
      appTags: [],
      freshBy: "07:30",
      days: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
      timeZone: "UTC",
    });
    const recorded = rejudgeFreshness([own], reloads, apps, { ...window, host: "sense1" }).events;
    const other = await rehearse({
      ...window,
      current: configOf("24h30m"),
      next: configOf("24h30m", "", "\n  customProperty: AppFreshBy"),
      recorded,
      incidents: new Map(),
      runs,
    });
    expect(other.channels).toEqual([{ route: "on-call", channel: "oncall-mail", current: 1, rehearsed: 0 }]);
    expect(other.thresholds.map((t) => [t.change, t.what, t.text])).toEqual([
      [
        "vanishes",
        "late",
        "Sales app late at Tue 3 Nov 07:30 UTC, fresh Tue 3 Nov 07:40 UTC under its own promise StewardFreshBy:Sales app (its custom property), read by the config in force",
      ],
    ]);
    expect(other.unpagedFaults.map((f) => [f.taskName, f.why.slice(f.why.indexOf("; ") + 2)])).toEqual([
      ["Sales app", "the new config (apps' own promises read from AppFreshBy) does not page it"],
    ]);
    expect(other.notes.filter((n) => n.startsWith("Promises neither"))).toEqual([]);
    const off = await rehearse({
      ...window,
      current: configOf("24h30m"),
      next: configOf("24h30m", "", "\n  enabled: false"),
      recorded,
      incidents: new Map(),
      runs,
    });
    expect(off.unpagedFaults.map((f) => f.why.slice(f.why.indexOf("; ") + 2))).toEqual([
      "the new config (freshness off: no app's own promise) does not page it",
    ]);
    // The same property read by both: the recorded pages stand, unlabelled, as before.
    const same = await rehearse({ ...window, current: configOf("24h30m"), next: configOf("24h10m"), recorded, incidents: new Map(), runs });
    expect(same.unpagedFaults).toEqual([]);
  });
});
