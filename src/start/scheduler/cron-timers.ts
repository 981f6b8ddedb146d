// One clock timer per started cron schedule, armed for its planned next fire (capped, so a long wait is cut in
// pieces and clock changes are noticed). When it rings the fire is claimed in the store first: the planned next
// fire moves on only for the Steward that wins, so a schedule fires once per occurrence in a cluster.
import type { Timer } from "../../platform/core/clock";
import type { MissedFires } from "./missed-fires";
import { firesBetween, nextFire } from "./next-run";
import type { RunnerContext, SchedulerDuty } from "./runner-context";
import type { ScheduleRow } from "./schedule-repo";
import { fireSchedule } from "./schedule-fire";

/** Longest single timer; a longer wait is re-armed, which also notices clock jumps. */
const MAX_TIMER_MS = 60 * 60 * 1000;

export interface CronTimers {
  /** Arms the timer for the row's planned next fire (the store's next_run_at), if this Steward leads. */
  arm(row: ScheduleRow): void;
  disarm(id: string): void;
  disarmAll(): void;
  /** Ids of the schedules with a timer armed. */
  armedIds(): string[];
  /** True when the timer is armed for this row as it is now (state, next fire, definition). */
  armedFor(row: ScheduleRow): boolean;
  has(id: string): boolean;
}

export interface RunnerState {
  running(): boolean;
  /** This Steward holds the scheduler duty (and has taken over). */
  leading(): boolean;
}

export function createCronTimers(ctx: RunnerContext, missed: MissedFires, duty: SchedulerDuty, state: RunnerState): CronTimers {
  const { deps, timingOf, track } = ctx;
  const { repo, clock } = deps;
  const timers = new Map<string, Timer>();
  /** What each armed timer was armed for (state, next fire, definition): a change re-arms. */
  const armed = new Map<string, string>();

  const fingerprint = (row: ScheduleRow) => `${row.state}|${row.nextRunAt}|${JSON.stringify(row.definition)}`;

  function disarm(id: string): void {
    const t = timers.get(id);
    if (t) clock.clearTimeout(t);
    timers.delete(id);
    armed.delete(id);
  }

  /** Arms the timer for the row's planned next fire (the store's next_run_at), if this Steward leads. */
  function arm(row: ScheduleRow): void {
    disarm(row.id);
    if (!state.leading() || row.state !== "started" || row.definition.cronSchedule === undefined || row.nextRunAt === null) return;
    armed.set(row.id, fingerprint(row));
    const due = row.nextRunAt;
    const timer = clock.setTimeout(() => track(onTimer(row.id, due)), Math.min(Math.max(0, due - clock.now()), MAX_TIMER_MS));
    timer.unref?.();
    timers.set(row.id, timer);
  }

  async function onTimer(id: string, due: number): Promise<void> {
    timers.delete(id);
    armed.delete(id);
    if (!state.running() || !state.leading() || !deps.storeOpen()) return;
    const row = await repo.get(id);
    if (!row) return;
    // Changed meanwhile, or woken early (a long wait is cut in pieces; the clock may have been set back).
    if (row.state !== "started" || row.nextRunAt !== due || clock.now() < due) return arm(row);
    if (!duty.holds()) return;
    const now = clock.now();
    const following = nextFire(timingOf(row), now);
    // Woken so late (a busy or suspended machine) that later occurrences are due too: this one fire stands for
    // them; they are reported as missed (stored with the claim), not silently dropped.
    const overtaken = firesBetween(timingOf(row), due, now, deps.catchUpLimit);
    const report = overtaken.length ? missed.reportOf(overtaken, now, false) : undefined;
    if (!(await repo.claimNextRun(id, due, following, report))) {
      // Another Steward fired this occurrence (it led a moment ago) or the schedule just changed.
      const fresh = await repo.get(id);
      if (fresh) arm(fresh);
      return;
    }
    // Arm the following fire first, so a slow task start never delays the schedule.
    arm({ ...row, nextRunAt: following });
    track(fireSchedule(ctx, row, "cron", undefined, due));
    if (report) missed.announce(row, report, "late");
  }

  return {
    arm,
    disarm,
    disarmAll() {
      for (const id of [...timers.keys()]) disarm(id);
    },
    armedIds: () => [...armed.keys()],
    armedFor: (row) => armed.get(row.id) === fingerprint(row),
    has: (id) => timers.has(id),
  };
}
