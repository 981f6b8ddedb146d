// Where Qlik documents nothing, Steward's trigger arithmetic and the simulator's make the same choices (issue 66 item 7;
// docs/watchdog.md, "Where Qlik is silent"): minute and hour steps on a real-time grid across a clock change, a day of
// month a month does not have skipped, a custom "1 2 3 4" increment added up into one step, daylight-saving value 3
// read as 0. If the Scheduler reads one of them otherwise, QRS's stated next time shows it: the disagreement is a
// listed problem (/ui/watchdog, GET /v4/watchdog problems), the trigger is judged by QRS's time, and a run at QRS's
// time raises nothing, however far past Steward's own time the look is. Sources for what Qlik does document:
// SchemaEvent daylightSavingTime 0–2 only and incrementDescription as a string
// (https://help.qlik.com/en-US/sense-developer/APIs/RepositoryServiceAPI/index.html?page=1862); the QMC's trigger
// dialog (Observe / Permanent standard / Permanent daylight saving time;
// https://help.qlik.com/en-US/sense-admin/February2023/Subsystems/DeployAdministerQSE/Content/Sense_DeployAdminister/QSEoW/Administer_QSEoW/Managing_QSEoW/edit-triggers-for-user-sync-tasks.htm).
import { describe, expect, test } from "bun:test";
import { WatchdogSchema } from "../../../../src/watch/watchdog/config";
import { evaluate } from "../../../../src/watch/watchdog/evaluate";
import { buildPlan } from "../../../../src/watch/watchdog/qrs-plan";
import { nextExpectedStart, watchOf } from "../../../../src/watch/watchdog/schedule";

const TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const HOUR = 3_600_000;
const cfg = WatchdogSchema.parse({});

interface Case {
  what: string;
  trigger: Record<string, unknown>;
  readAt: string;
  /** Steward's own next fire after readAt (worked out by hand in the comment). */
  steward: string;
  /** What the Scheduler would state if it read the trigger the other way. */
  qrs: string;
}

const CASES: Case[] = [
  {
    // Every 2 hours from 00:00 CET on 28 March 2026 (23:00Z): a real-time grid, 01:00Z, 03:00Z on the 29th (the
    // change is at 01:00Z). On the wall clock instead: 04:00 CEST = 02:00Z.
    what: "an hour step across the spring clock change",
    trigger: { incrementOption: 1, incrementDescription: "0 2 0 0", startDate: "2026-03-28T00:00:00.000", timeZone: "Europe/Stockholm" },
    readAt: "2026-03-29T01:30:00Z",
    steward: "2026-03-29T03:00:00.000Z",
    qrs: "2026-03-29T02:00:00.000Z",
  },
  {
    // Monthly on the 31st: April has none, so the next is 31 May; the Scheduler might take 30 April (the last day).
    what: "the 31st in a 30-day month",
    trigger: {
      incrementOption: 4,
      incrementDescription: "0 0 1 0",
      schemaFilterDescription: ["* * - * * 31 * *"],
      startDate: "2026-01-31T06:00:00.000",
      timeZone: "UTC",
    },
    readAt: "2026-04-01T00:00:00Z",
    steward: "2026-05-31T06:00:00.000Z",
    qrs: "2026-04-30T06:00:00.000Z",
  },
  {
    // Custom "1 2 3 4": one step of 1 minute + 2 hours + 3 days + 4 weeks = 31 d 02:01 after 1 January 00:00 UTC; the
    // Scheduler might step by the minutes alone.
    what: "a custom increment of minutes, hours, days and weeks",
    trigger: { incrementOption: 5, incrementDescription: "1 2 3 4", startDate: "2026-01-01T00:00:00.000", timeZone: "UTC" },
    readAt: "2026-01-01T00:00:30Z",
    steward: "2026-02-01T02:01:00.000Z",
    qrs: "2026-01-01T00:01:00.000Z",
  },
  {
    // daylightSavingTime 3, not documented: read as 0 (observe), 06:00 CEST = 04:00Z; as permanent standard time it
    // would be 06:00 CET = 05:00Z.
    what: "daylight-saving value 3",
    trigger: { incrementOption: 2, incrementDescription: "0 0 1 0", startDate: "2026-06-01T06:00:00.000", timeZone: "Europe/Stockholm", daylightSavingTime: 3 },
    readAt: "2026-06-10T00:00:00Z",
    steward: "2026-06-10T04:00:00.000Z",
    qrs: "2026-06-10T05:00:00.000Z",
  },
];

function planOf(c: Case) {
  const row = {
    id: "5e1d9c1e-0000-4000-8000-00000000000a",
    name: "Trigger",
    enabled: true,
    ...c.trigger,
    operational: { nextExecution: c.qrs },
    reloadTask: { id: TASK },
  };
  const task = { id: TASK, name: "Reload Sales", enabled: true, customProperties: [] };
  return buildPlan({ taskLists: [[task], [], []], schemaEvents: [row], compositeEvents: [], appRows: [] }, Date.parse(c.readAt));
}

describe("a choice where Qlik is silent, against QRS's stated time", () => {
  for (const c of CASES) {
    test(`${c.what}: the difference is listed, QRS is followed, a run at QRS's time raises nothing`, () => {
      const plan = planOf(c);
      expect(plan.problems).toEqual([
        `task "Reload Sales": trigger "Trigger": Steward computes the next start ${c.steward}, QRS states ${c.qrs}; QRS is followed: its starts are expected at the times QRS states`,
      ]);
      const tr = plan.tasks.get(TASK)!.schedules[0]!;
      expect(watchOf(tr)).toBe("qrs");
      expect(nextExpectedStart(tr, Date.parse(c.readAt))).toBe(Date.parse(c.qrs));
      // The first look after the read, an hour past both times: the run came at QRS's time; nothing is missed, late or
      // otherwise raised (without the run, QRS's time is missed: tested below).
      const ranAt = Date.parse(c.qrs);
      const nowMs = Math.max(ranAt, Date.parse(c.steward)) + HOUR;
      const look = (runs: Array<{ resultId: string; taskId: string; status: number; createdMs: number; startMs: number; stopMs: number }>) =>
        evaluate({
          cfg,
          plan,
          nowMs,
          checkedUntilMs: Date.parse(c.readAt),
          watchingSinceMs: Date.parse(c.readAt),
          runs,
          running: [],
          changed: [],
          open: [],
          startLatencyMs: 0,
        }).opens;
      expect(look([{ resultId: "r1", taskId: TASK, status: 7, createdMs: ranAt, startMs: ranAt, stopMs: ranAt + 60_000 }])).toEqual([]);
      // No run at all: QRS's time, not Steward's, is the one missed.
      expect(look([]).map((o) => [o.type, o.details.expectedAtMs])).toEqual([["missed", ranAt]]);
    });
  }
});
