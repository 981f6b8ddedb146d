// The check-in judge on real schedules (croner and the RRULE reader, Europe/Stockholm): when a missed check-in
// opens and ends, that a ping a little early counts, failures with their exit code, long runs, removed checks.
import { describe, expect, test } from "bun:test";
import type { CheckState } from "../../../../src/watch/checkins/checkin-store";
import { type JudgedCheck, judge, nextDue, type OpenCheckinCondition } from "../../../../src/watch/checkins/judge";
import { compileSchedule } from "../../../../src/watch/checkins/schedule";

const MIN = 60_000;
const at = (s: string) => Date.parse(s);
const cron = (expr: string) => {
  const c = compileSchedule({ cron: expr, timeZone: "Europe/Stockholm" });
  if (!c.ok) throw new Error(c.error);
  return c.schedule;
};
// 05:00 Stockholm on weekdays; 2026-11-23 is a Monday, Stockholm is UTC+1 in November.
const erp: JudgedCheck = { name: "erp", enabled: true, schedule: cron("0 5 * * 1-5"), graceMs: 15 * MIN, maxDurationMs: 60 * MIN };
const SINCE = new Map([["erp", at("2026-11-22T12:00:00Z")]]);

function run(now: string, state: Omit<CheckState, "name"> = {}, open: OpenCheckinCondition[] = [], checks = [erp]) {
  return judge({ checks, states: new Map([["erp", { name: "erp", ...state }]]), since: SINCE, open, nowMs: at(now) });
}

describe("missed check-ins", () => {
  test("nothing before the due time's grace has passed; one missed condition at 05:15 local naming the due time", () => {
    expect(run("2026-11-23T04:14:59Z").opens).toEqual([]);
    const r = run("2026-11-23T04:15:00Z");
    expect(r.opens).toEqual([
      {
        key: "checkin_missed:erp",
        type: "checkin_missed",
        name: "erp",
        openedMs: at("2026-11-23T04:15:00Z"),
        details: { expectedAtMs: at("2026-11-23T04:00:00Z"), graceMs: 15 * MIN, schedule: "cron 0 5 * * 1-5 (Europe/Stockholm)" },
      },
    ]);
  });

  test("while it is open no second one opens, even after the next due time; a ping closes it with how late it was", () => {
    const open: OpenCheckinCondition = { ...run("2026-11-23T04:15:00Z").opens[0]! };
    expect(run("2026-11-24T06:00:00Z", {}, [open]).opens).toEqual([]);
    const r = run("2026-11-23T05:00:00Z", { lastSuccessMs: at("2026-11-23T04:40:00Z") }, [open]);
    expect(r.closes).toEqual([
      { key: "checkin_missed:erp", atMs: at("2026-11-23T04:40:00Z"), resolution: "checked in at 2026-11-23T04:40:00.000Z, 40 min after it was due" },
    ]);
  });

  test("a run at 05:02 local means the next one owed is Tuesday's; Saturday and Sunday owe nothing", () => {
    expect(run("2026-11-23T12:00:00Z", { lastStartMs: at("2026-11-23T04:02:00Z"), lastSuccessMs: at("2026-11-23T04:30:00Z") }).opens).toEqual([]);
    expect(nextDue(erp, at("2026-11-23T04:02:00Z"), 0)).toBe(at("2026-11-24T04:00:00Z"));
    expect(nextDue(erp, at("2026-11-27T04:10:00Z"), 0)).toBe(at("2026-11-30T04:00:00Z"));
  });

  test("a ping up to the grace early counts for the coming due time; earlier than that it does not", () => {
    expect(nextDue(erp, at("2026-11-23T03:50:00Z"), 0)).toBe(at("2026-11-24T04:00:00Z"));
    expect(nextDue(erp, at("2026-11-23T03:40:00Z"), 0)).toBe(at("2026-11-23T04:00:00Z"));
    expect(run("2026-11-23T04:20:00Z", { lastSuccessMs: at("2026-11-23T03:50:00Z") }).opens).toEqual([]);
  });

  test("on a frequent schedule the early allowance is half the period, not the whole grace", () => {
    const often: JudgedCheck = { name: "erp", enabled: true, schedule: cron("*/10 * * * *"), graceMs: 15 * MIN };
    expect(nextDue(often, at("2026-11-23T04:53:00Z"), 0)).toBe(at("2026-11-23T05:00:00Z"));
    const opened = run("2026-11-23T05:15:00Z", { lastSuccessMs: at("2026-11-23T04:53:00Z") }, [], [often]).opens[0]!;
    expect(opened.details.expectedAtMs).toBe(at("2026-11-23T05:00:00Z"));
    // The run that was already there does not close it; a new one does.
    expect(run("2026-11-23T05:16:00Z", { lastSuccessMs: at("2026-11-23T04:53:00Z") }, [opened], [often]).closes).toEqual([]);
    expect(run("2026-11-23T05:17:00Z", { lastSuccessMs: at("2026-11-23T05:16:00Z") }, [opened], [often]).closes).toHaveLength(1);
  });

  test("judging that began 5 minutes before a due time owes that due time (the early allowance is for pings, not for the start)", () => {
    const since = new Map([["erp", at("2026-11-23T03:55:00Z")]]);
    expect(nextDue(erp, Number.NEGATIVE_INFINITY, at("2026-11-23T03:55:00Z"))).toBe(at("2026-11-23T04:00:00Z"));
    expect(judge({ checks: [erp], states: new Map(), since, open: [], nowMs: at("2026-11-23T04:15:00Z") }).opens.map((o) => o.key)).toEqual([
      "checkin_missed:erp",
    ]);
  });

  test("a check added after a due time is not missed for it", () => {
    const since = new Map([["erp", at("2026-11-23T04:30:00Z")]]);
    expect(judge({ checks: [erp], states: new Map(), since, open: [], nowMs: at("2026-11-23T08:00:00Z") }).opens).toEqual([]);
  });

  test("an RRULE in a zone is judged the same way", () => {
    const c = compileSchedule({ rrule: ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=5;BYMINUTE=0;BYSECOND=0"], timeZone: "Europe/Stockholm" });
    if (!c.ok) throw new Error(c.error);
    const check = { ...erp, schedule: c.schedule };
    expect(nextDue(check, Number.NEGATIVE_INFINITY, at("2026-11-22T12:00:00Z"))).toBe(at("2026-11-23T04:00:00Z"));
    expect(run("2026-11-23T04:15:00Z", {}, [], [check]).opens.map((o) => o.key)).toEqual(["checkin_missed:erp"]);
  });
});

describe("failures and long runs", () => {
  test("a failure newer than the last success opens once with its exit code; the next success closes it", () => {
    const r = run("2026-11-23T04:30:00Z", { lastStartMs: at("2026-11-23T04:00:00Z"), lastFailMs: at("2026-11-23T04:20:00Z"), lastExit: 3 });
    expect(r.opens).toEqual([
      {
        key: "checkin_failed:erp",
        type: "checkin_failed",
        name: "erp",
        openedMs: at("2026-11-23T04:20:00Z"),
        details: { failedAtMs: at("2026-11-23T04:20:00Z"), exitCode: 3 },
      },
    ]);
    const open = r.opens[0]!;
    expect(run("2026-11-23T04:31:00Z", { lastFailMs: at("2026-11-23T04:20:00Z") }, [open]).opens).toEqual([]);
    expect(run("2026-11-23T05:00:00Z", { lastFailMs: at("2026-11-23T04:20:00Z"), lastSuccessMs: at("2026-11-23T04:50:00Z") }, [open]).closes).toEqual([
      { key: "checkin_failed:erp", atMs: at("2026-11-23T04:50:00Z"), resolution: "succeeded at 2026-11-23T04:50:00.000Z" },
    ]);
    // An older failure under a newer success is history.
    expect(run("2026-11-23T05:00:00Z", { lastFailMs: at("2026-11-23T03:00:00Z"), lastSuccessMs: at("2026-11-23T04:00:00Z") }).opens).toEqual([]);
  });

  test("a start with no end past maxDuration runs long; its end closes it, saying after how long", () => {
    const started = { lastStartMs: at("2026-11-23T04:00:00Z") };
    expect(run("2026-11-23T04:59:59Z", started).opens).toEqual([]);
    const open = run("2026-11-23T05:00:00Z", started).opens[0]!;
    expect(open).toMatchObject({ key: "checkin_running_long:erp", openedMs: at("2026-11-23T05:00:00Z"), details: { startedAtMs: at("2026-11-23T04:00:00Z") } });
    expect(run("2026-11-23T05:30:00Z", { ...started, lastSuccessMs: at("2026-11-23T05:25:00Z") }, [open]).closes).toEqual([
      { key: "checkin_running_long:erp", atMs: at("2026-11-23T05:25:00Z"), resolution: "finished after 1 h 25 min" },
    ]);
  });
});

test("the conditions of a check removed from the config or switched off end, saying why", () => {
  const open: OpenCheckinCondition = { key: "checkin_failed:erp", type: "checkin_failed", name: "erp", openedMs: 1, details: {} };
  expect(judge({ checks: [], states: new Map(), since: new Map(), open: [open], nowMs: 2 }).closes).toEqual([
    { key: "checkin_failed:erp", resolution: "the check was removed from the config" },
  ]);
  expect(judge({ checks: [{ ...erp, enabled: false }], states: new Map(), since: SINCE, open: [open], nowMs: 2 }).closes[0]!.resolution).toContain(
    "switched off",
  );
});
