// Qlik's own documented Scheduling Task answers through Steward's reader, each naming where Qlik publishes it: space,
// times, owner and disabledCode under `metadata`, the last run under `metadata.orchestration`, `start.schedule` as one
// RRULE string, a cron, an interval or a bare repeating-interval string; a field in a shape Steward does not know is
// an error naming it, never a silent default.
import { describe, expect, test } from "bun:test";
import { nextOccurrence } from "../../../../src/platform/core/rrule";
import { readCloudTask } from "../../../../src/watch/watchdog/cloud-plan";
import { cronToRule, intervalToRule } from "../../../../src/watch/watchdog/cloud-schedule-forms";

/**
 * Verbatim: the example of the `Task` schema in Qlik's Scheduling Tasks API reference
 * (https://qlik.dev/apis/rest/scheduling-tasks/, as published in @qlik/api 2.19.0, scheduling/tasks.d.ts).
 */
const QLIK_TASK_EXAMPLE = {
  description: "this is an example of task response",
  enabled: true,
  events: [
    {
      correlation: [{ contextAttributeName: "appId", contextAttributeValue: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" }],
      name: "event1",
      source: "dataset.updated",
      type: "com.qlik/active-analytics-orch",
    },
  ],
  id: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
  keepActive: false,
  metadata: {
    createdAt: "2025-08-31T23:22:27.929Z",
    orchestration: {
      attrs: {
        last_run_endedAt: "2025-08-31T23:28:06Z",
        last_run_startedAt: "2025-08-31T23:28:04Z",
        last_run_status: "SUCCEEDED",
        last_run_worker_type: "reloads",
      },
      id: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
      type: 3,
    },
    spaceId: "",
    tenantId: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    trigger: { id: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", type: 4 },
    updatedAt: "2025-08-31T23:27:51.207Z",
    usage: "ANALYTICS",
  },
  name: "TaskExample",
  resourceId: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
  specVersion: "1.16.0",
  states: [
    {
      end: true,
      exclusive: false,
      name: "Reload",
      onEvents: [
        {
          actions: [
            {
              functionRef: { arguments: { appId: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", partial: false }, refName: "app.reload" },
              name: "app.reload",
            },
          ],
          eventRefs: ["app1-dataset-updated"],
        },
      ],
    },
  ],
  version: "1.0.0",
};

/** Verbatim: the example of the `Startdef` schema on the same page. */
const QLIK_STARTDEF_EXAMPLE = { schedule: { recurrence: "RRULE:FREQ=DAILY;INTERVAL=1", startDateTime: "2025-08-31T23:22:27Z" } };

const read = (raw: unknown) => {
  const r = readCloudTask(raw);
  if (!r.ok) throw new Error(r.error);
  return r.task;
};

describe("Qlik's documented Task example", () => {
  test("times and the last run come from metadata and metadata.orchestration.attrs; the empty space is no space", () => {
    const t = read(QLIK_TASK_EXAMPLE);
    expect(t.updatedAt).toBe("2025-08-31T23:27:51.207Z");
    expect(t.createdMs).toBe(Date.parse("2025-08-31T23:22:27.929Z"));
    expect(t.spaceId).toBeUndefined();
    expect(t.last).toEqual({ startedMs: Date.parse("2025-08-31T23:28:04Z"), endedMs: Date.parse("2025-08-31T23:28:06Z"), status: "SUCCEEDED" });
    // Its dataset trigger is correlated by the app the dataset feeds.
    expect(t.trigger).toEqual({ kind: "dataset", appId: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" });
    expect(t.schedule).toBeUndefined();
  });

  test("with Qlik's Startdef example it is a time-scheduled task: one RRULE string, daily from its startDateTime", () => {
    const { events: _events, ...timed } = QLIK_TASK_EXAMPLE;
    const t = read({ ...timed, start: QLIK_STARTDEF_EXAMPLE });
    expect(t.scheduleText).toBe("RRULE:FREQ=DAILY;INTERVAL=1 (UTC)");
    expect(nextOccurrence(t.schedule!, Date.parse("2026-01-05T12:00:00Z"))).toBe(Date.parse("2026-01-05T23:22:27Z"));
  });
});

describe("fields where Qlik's Task type puts them", () => {
  const base = { id: "t1", name: "Sales daily", enabled: false, resourceId: "APP-1", specVersion: "1.16.0" };
  test("space, owner, updatedAt and disabledCode under metadata; the last run as orchestration.lastRun", () => {
    const t = read({
      ...base,
      metadata: {
        spaceId: "space-1",
        ownerId: "user-1",
        updatedAt: "2026-11-01T10:00:00Z",
        disabledCode: "CONSECUTIVE-FAILURES",
        orchestration: {
          id: "o1",
          type: 3,
          lastRun: {
            id: "r1",
            status: "FAILED",
            startedAt: "2026-11-01T09:58:00Z",
            endedAt: "2026-11-01T09:59:00Z",
            triggeredBy: "schedule",
            workerId: "rl1",
            workerType: "reloads",
          },
        },
      },
      start: { schedule: { recurrence: "RRULE:FREQ=HOURLY;INTERVAL=2", timezone: "Europe/Stockholm" } },
    });
    expect(t).toMatchObject({ spaceId: "space-1", ownerId: "user-1", updatedAt: "2026-11-01T10:00:00Z", disabledCode: "CONSECUTIVE-FAILURES", appId: "app-1" });
    expect(t.last).toEqual({ startedMs: Date.parse("2026-11-01T09:58:00Z"), endedMs: Date.parse("2026-11-01T09:59:00Z"), status: "FAILED" });
    expect(t.scheduleText).toBe("RRULE:FREQ=HOURLY;INTERVAL=2 (Europe/Stockholm)");
  });

  test("a recurrence list is still read; a string with several lines is split", () => {
    expect(read({ ...base, start: { schedule: { recurrence: ["RRULE:FREQ=DAILY;BYHOUR=6;BYMINUTE=0;BYSECOND=0"] } } }).schedule).toBeDefined();
    const two = read({
      ...base,
      start: { schedule: { recurrence: "RRULE:FREQ=DAILY;BYHOUR=6;BYMINUTE=0;BYSECOND=0\nRRULE:FREQ=DAILY;BYHOUR=18;BYMINUTE=0;BYSECOND=0" } },
    });
    expect(two.schedule?.rules).toHaveLength(2);
  });

  test("cron and interval schedules are read, not dropped", () => {
    const cron = read({ ...base, start: { schedule: { cron: "30 6 * * 1-5", timezone: "Europe/Stockholm" } } });
    // Monday 2026-11-23 06:30 in Stockholm is 05:30 UTC.
    expect(nextOccurrence(cron.schedule!, Date.parse("2026-11-22T12:00:00Z"))).toBe(Date.parse("2026-11-23T05:30:00Z"));
    const cronObject = read({ ...base, start: { schedule: { cron: { expression: "0 */4 * * *", validUntil: "2027-01-01T00:00:00Z" } } } });
    expect(nextOccurrence(cronObject.schedule!, Date.parse("2026-11-22T01:00:00Z"))).toBe(Date.parse("2026-11-22T04:00:00Z"));
    const interval = read({ ...base, start: { schedule: { interval: "R/2026-11-01T00:15:00Z/PT1H" } } });
    expect(nextOccurrence(interval.schedule!, Date.parse("2026-11-22T01:20:00Z"))).toBe(Date.parse("2026-11-22T02:15:00Z"));
    const bare = read({ ...base, start: { schedule: "R/2026-11-01T06:00:00Z/P1D" } });
    expect(nextOccurrence(bare.schedule!, Date.parse("2026-11-22T07:00:00Z"))).toBe(Date.parse("2026-11-23T06:00:00Z"));
  });

  test("a shape Steward does not understand is an error naming the field", () => {
    const bad = (raw: unknown) => {
      const r = readCloudTask(raw);
      expect(r.ok).toBe(false);
      return r.ok ? "" : r.error;
    };
    expect(bad({ ...base, metadata: { spaceId: 42 } })).toContain("metadata.spaceId");
    expect(bad({ ...base, start: { schedule: { recurrence: 7 } } })).toContain("start.schedule.recurrence");
    expect(bad({ ...base, start: { schedule: { timezone: "UTC" } } })).toContain("start.schedule has no recurrence, cron or interval");
    expect(bad({ ...base, start: { schedule: { cron: "0 6 1 * 1" } } })).toContain("start.schedule.cron");
    expect(bad({ ...base, start: { schedule: "every day" } })).toContain("start.schedule");
  });
});

describe("cron and ISO 8601 intervals as RRULE lines", () => {
  test("each cron field becomes its BY part at the coarsest frequency", () => {
    expect(cronToRule("0 6 * * *")).toEqual({ ok: true, rule: "RRULE:FREQ=DAILY;BYSECOND=0;BYMINUTE=0;BYHOUR=6" });
    expect(cronToRule("15 * * * *")).toEqual({ ok: true, rule: "RRULE:FREQ=HOURLY;BYSECOND=0;BYMINUTE=15" });
    expect(cronToRule("* * * * 0,7")).toEqual({ ok: true, rule: "RRULE:FREQ=MINUTELY;BYSECOND=0;BYDAY=SU" });
    expect(cronToRule("0 6 * *").ok).toBe(false);
  });
  test("a repeating interval of one unit; a count of repeats or mixed units is refused", () => {
    expect(intervalToRule("R/PT15M")).toEqual({ ok: true, rule: "RRULE:FREQ=MINUTELY;INTERVAL=15" });
    expect(intervalToRule("R/P2W")).toEqual({ ok: true, rule: "RRULE:FREQ=WEEKLY;INTERVAL=2" });
    expect(intervalToRule("R5/PT1H").ok).toBe(false);
    expect(intervalToRule("R/P1DT2H").ok).toBe(false);
  });
});
