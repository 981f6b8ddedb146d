// A plan rebuilt from its kept rows reads again only the rows QRS changed (issue 78: on the ×50 site validating
// every row again was two thirds of each hourly rebuild). What the plan says is the same with or without the rows
// kept from the last build; a changed row is a new object and is validated again; each build has triggers of its own.
import { describe, expect, test } from "bun:test";
import { createDoubleTriggerMemo } from "../../../../src/watch/watchdog/chains";
import { buildPlan, type PlanRows } from "../../../../src/watch/watchdog/qrs-plan";
import { createRowParses } from "../../../../src/watch/watchdog/row-parses";
import { carryQrsTimes, withAppsRead } from "../../../../src/watch/watchdog/plan-update";
import { nextExpectedStart, noteQrsTime } from "../../../../src/watch/watchdog/schedule";

const NOW = Date.parse("2026-03-02T08:00:00Z");
const EXTRACT = "0a000000-0000-4000-8000-000000000001";
const MODEL = "0a000000-0000-4000-8000-000000000002";
const APP = "0b000000-0000-4000-8000-000000000001";

/** A row whose reads of `name` are counted: a row validated or read again reads its name again. */
function counted<T extends { name: string }>(row: T, reads: { n: number }): T {
  const { name, ...rest } = row;
  return Object.defineProperty(rest, "name", {
    enumerable: true,
    get() {
      reads.n++;
      return name;
    },
  }) as T;
}

function siteRows(reads: { n: number }): PlanRows {
  return {
    taskLists: [
      [
        counted({ id: EXTRACT, name: "Extract", enabled: true, app: { id: APP, name: "Sales" }, tags: [{ name: "nightly" }], customProperties: [] }, reads),
        counted({ id: MODEL, name: "Model", enabled: true, app: { id: APP, name: "Sales" }, tags: [], customProperties: [] }, reads),
      ],
      [],
      [],
    ],
    schemaEvents: [
      counted(
        {
          id: "0c000000-0000-4000-8000-000000000001",
          name: "Nightly",
          enabled: true,
          timeZone: "UTC",
          daylightSavingTime: 0,
          startDate: "2026-01-01T02:00:00.000Z",
          expirationDate: "9999-01-01T00:00:00.000",
          schemaFilterDescription: ["* * - * * * * *"],
          incrementDescription: "0 0 1 0",
          incrementOption: 2,
          operational: { nextExecution: "2026-03-03T02:00:00.000Z" },
          reloadTask: { id: EXTRACT },
        },
        reads,
      ),
    ],
    compositeEvents: [
      counted(
        {
          id: "0d000000-0000-4000-8000-000000000001",
          name: "After extract",
          enabled: true,
          reloadTask: { id: MODEL, name: "Model" },
          compositeRules: [{ ruleState: 1, reloadTask: { id: EXTRACT, name: "Extract" } }],
          timeConstraint: { days: 0, hours: 2, minutes: 0, seconds: 0 },
        },
        reads,
      ),
    ],
    appRows: [counted({ id: APP, name: "Sales", stream: { name: "Finance" }, tags: [], customProperties: [], lastReloadTime: "2026-03-02T02:10:00Z" }, reads)],
  };
}

describe("a plan rebuilt from rows it read before", () => {
  test("says what a plan read afresh says, reading none of its unchanged rows again", () => {
    const reads = { n: 0 };
    const rows = siteRows(reads);
    const afresh = buildPlan(siteRows({ n: 0 }), NOW + 3_600_000);
    const parses = createRowParses();
    const memo = createDoubleTriggerMemo();
    buildPlan(rows, NOW, memo, parses);
    const first = reads.n;
    expect(first).toBeGreaterThan(0);
    const again = buildPlan(rows, NOW + 3_600_000, memo, parses);
    expect(reads.n).toBe(first);
    expect(again).toEqual(afresh);
    expect(again.tasks.get(MODEL.toLowerCase())?.chains[0]?.constraintMs).toBe(7_200_000);
    expect(again.turnOff?.tasks.get(EXTRACT.toLowerCase())?.triggers).toHaveLength(1);
  });

  test("a changed row (a new object in its place) is validated again: a row Steward cannot read is a problem", () => {
    const parses = createRowParses();
    const rows = siteRows({ n: 0 });
    expect(buildPlan(rows, NOW, undefined, parses).problems).toEqual([]);
    const { name: _gone, ...nameless } = rows.taskLists[0]![1] as { name: string };
    const changed: PlanRows = { ...rows, taskLists: [[rows.taskLists[0]![0], nameless], [], []] };
    const p = buildPlan(changed, NOW, undefined, parses);
    expect(p.tasks.has(MODEL.toLowerCase())).toBe(false);
    expect(p.problems.join("\n")).toContain("reloadtask/full: a task Steward cannot read (name:");
  });

  test("each build has triggers of its own: what a look learns of one (QRS's times) does not leak into the next build", () => {
    const parses = createRowParses();
    const rows = siteRows({ n: 0 });
    const a = buildPlan(rows, NOW, undefined, parses).tasks.get(EXTRACT.toLowerCase())!.schedules[0]!;
    noteQrsTime(a, { never: true }, NOW);
    const b = buildPlan(rows, NOW, undefined, parses).tasks.get(EXTRACT.toLowerCase())!.schedules[0]!;
    expect(b).not.toBe(a);
    expect(a.qrsNever).toBe(true);
    expect(b.qrsNever).toBeUndefined();
    expect(b.qrsNextMs).toBe(Date.parse("2026-03-03T02:00:00.000Z"));
  });

  test("an unchanged trigger keeps the next fires Steward's arithmetic found; a changed one works them out again", () => {
    const parses = createRowParses();
    const rows = siteRows({ n: 0 });
    const old = buildPlan(rows, NOW, undefined, parses);
    const before = old.tasks.get(EXTRACT.toLowerCase())!.schedules[0]!;
    expect(nextExpectedStart(before, NOW)).toBe(Date.parse("2026-03-03T02:00:00.000Z"));
    expect(before.nextFires).toEqual([[NOW, Date.parse("2026-03-03T02:00:00.000Z")]]);
    const same = buildPlan(rows, NOW + 3_600_000, undefined, parses);
    carryQrsTimes(old, same);
    const kept = same.tasks.get(EXTRACT.toLowerCase())!.schedules[0]!;
    expect(kept.nextFires).toEqual(before.nextFires!);
    expect(kept.nextFires).not.toBe(before.nextFires);
    // The trigger moved to 03:00: a new row, read afresh, and nothing carried over from the old calendar.
    const moved = { ...(rows.schemaEvents[0] as object), startDate: "2026-01-01T03:00:00.000Z", operational: { nextExecution: "2026-03-03T03:00:00.000Z" } };
    const changed = buildPlan({ ...rows, schemaEvents: [moved] }, NOW + 3_600_000, undefined, parses);
    carryQrsTimes(old, changed);
    const fresh = changed.tasks.get(EXTRACT.toLowerCase())!.schedules[0]!;
    expect(fresh.nextFires).toBeUndefined();
    expect(nextExpectedStart(fresh, NOW)).toBe(Date.parse("2026-03-03T03:00:00.000Z"));
  });

  test("a read in which only apps changed (their last reload) keeps the tasks, and says what a plan built afresh says", () => {
    const parses = createRowParses();
    const rows = siteRows({ n: 0 });
    const plan = buildPlan(rows, NOW, undefined, parses);
    // Nothing changed: every task and app is the same object, the facts for task.disabled are new (judged again).
    const same = withAppsRead(plan, rows, NOW + 3_600_000, parses);
    expect(same.tasks.get(EXTRACT.toLowerCase())).toBe(plan.tasks.get(EXTRACT.toLowerCase())!);
    expect(same.apps.get(APP.toLowerCase())).toBe(plan.apps.get(APP.toLowerCase())!);
    expect(same.turnOff).not.toBe(plan.turnOff);
    expect(same).toEqual(buildPlan(rows, NOW + 3_600_000));
    // The app reloaded and was renamed: its tasks are new objects (settings are remembered per task object).
    const reloaded = { ...(rows.appRows[0] as object), name: "Sales 2", lastReloadTime: "2026-03-02T08:10:00Z" };
    const later: PlanRows = { ...rows, appRows: [reloaded] };
    const next = withAppsRead(plan, later, NOW + 3_600_000, parses);
    expect(next.apps.get(APP.toLowerCase())).toMatchObject({ name: "Sales 2", lastReloadMs: Date.parse("2026-03-02T08:10:00Z") });
    expect(next.tasks.get(MODEL.toLowerCase())).not.toBe(plan.tasks.get(MODEL.toLowerCase())!);
    expect(next.tasks.get(MODEL.toLowerCase())?.schedules).toBe(plan.tasks.get(MODEL.toLowerCase())!.schedules);
    expect(next).toEqual(buildPlan(later, NOW + 3_600_000));
  });
});
