// A Qlik Cloud task's RRULE budget per look (src/watch/watchdog/cloud-judge-task.ts) tells a rule too costly to follow
// from a look with many due times to check: an ordinary rule (every minute) whose runs all came, judged after
// Steward was away for hours, spends the look's share on the many searches of the catch-up. That is not the rule's
// fault: the task stays watched and the next look judges it again (it was remembered as "too costly" until the
// task changed, so one restart left an every-minute task unwatched for good). A rule over one search's budget is
// still remembered and named.
import { describe, expect, test } from "bun:test";
import { WatchdogSchema } from "../../../../src/watch/watchdog/config";
import { readSchedule } from "../../../../src/platform/core/rrule";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { createCostlySchedules } from "../../../../src/watch/watchdog/cloud-costly";
import { judgeTask } from "../../../../src/watch/watchdog/cloud-judge-task";
import type { CloudPlanTask } from "../../../../src/watch/watchdog/cloud-plan";
import type { CloudWatchTenant } from "../../../../src/watch/watchdog/cloud-task-list";
import type { CloudJudgeDeps, TenantLook } from "../../../../src/watch/watchdog/cloud-tenant-look";

const MIN = 60_000;
const NOW = Date.parse("2026-11-23T12:00:30Z");
const PREFIX = "cloud:t:";
const tenant = { name: "t", url: "https://t.example", client: {} } as unknown as CloudWatchTenant;

function taskWith(rule: string): CloudPlanTask {
  const s = readSchedule({ recurrence: [rule], timeZone: "UTC", startDateTime: "2026-11-01T00:00:00", fallbackStartMs: 0 });
  if (!s.ok) throw new Error(s.error);
  return { id: "every", name: "Every minute", enabled: true, updatedAt: "2026-11-01T00:00:00Z", createdMs: 0, schedule: s.schedule, scheduleText: rule };
}

function deps(): CloudJudgeDeps {
  return {
    cfg: WatchdogSchema.parse({}),
    sink: { open: async () => {}, close: async () => {} },
    event: async () => ({}) as WatchdogEvent,
    settingsOf: () => ({ watch: true, reportDisabled: true }),
    costly: createCostlySchedules(),
  };
}

/** A look at NOW that last checked `checkedUntil`; the task started at every minute since 6 hours ago. */
function look(task: CloudPlanTask, checkedUntil: number): TenantLook {
  const starts = Array.from({ length: 360 }, (_, i) => NOW - 30_000 - (359 - i) * MIN);
  return {
    t: tenant,
    prefix: PREFIX,
    now: NOW,
    checkedUntil,
    watchingSince: NOW - 30 * 86_400_000,
    tasks: [task],
    runs: { starts: new Map([[task.id, starts]]), ends: new Map(), fetched: new Set(), fetchRuns: async () => {}, running: () => undefined },
    open: [],
    openKeys: new Set(),
    view: [],
    costly: [],
    judged: new Map(),
  };
}

describe("the per-look RRULE budget of a Qlik Cloud task", () => {
  test("a catch-up after hours away spends the look's share, but an every-minute task stays watched", async () => {
    const d = deps();
    const task = taskWith("RRULE:FREQ=MINUTELY");
    const first = look(task, NOW - 5 * 3_600_000);
    await judgeTask(d, first, task);
    expect(d.costly.has(`${PREFIX}${task.id}@${task.updatedAt}`)).toBe(false);
    // Said for this look: the due times it had no budget left for.
    expect(first.costly).toHaveLength(1);
    expect(first.costly[0]).toContain("were not checked in this look (its share of the look was spent)");
    // The next look, five minutes on: watched and judged as before.
    const next = look(task, NOW - 5 * MIN);
    await judgeTask(d, next, task);
    expect(next.view.map((v) => v.watched)).toEqual([true]);
    expect(next.judged.has(task.id)).toBe(true);
    expect(next.costly).toEqual([]);
  });

  test("a rule over one search's budget is remembered and named until the task changes", async () => {
    const d = deps();
    const all = (n: number) => Array.from({ length: n }, (_, i) => i).join(",");
    const task = taskWith(`RRULE:FREQ=MINUTELY;BYSECOND=${all(60)}`);
    const first = look(task, NOW - 5 * MIN);
    await judgeTask(d, first, task);
    expect(first.costly).toHaveLength(1);
    expect(first.costly[0]).toContain('task "Every minute" (Qlik Cloud, t): its schedule RRULE:FREQ=MINUTELY;BYSECOND=0,1');
    expect(d.costly.has(`${PREFIX}${task.id}@${task.updatedAt}`)).toBe(true);
    const next = look(task, NOW - 5 * MIN);
    await judgeTask(d, next, task);
    expect(next.view.map((v) => v.watched)).toEqual([false]);
  });
});
