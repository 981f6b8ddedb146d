// Fires that did not happen on time: due while no Steward led (made up once when the schedule asks for it, or
// when the lead just changed hands), overtaken by a timer that woke late, or skipped because a Steward whose
// clock ran ahead planned the next fire too far ahead. Each is reported in the log, the audit log, a counter
// and on the schedule.
import type { MissedReport } from "./schedule-model";
import { firesBetween, nextFire, plannedTooFarAhead, type Timing } from "./next-run";
import type { RunnerContext } from "./runner-context";
import type { ScheduleRow } from "./schedule-repo";
import { fireSchedule } from "./schedule-fire";

/** How closely the (offset-corrected) clocks of a cluster's Stewards agree, for the check of planned next fires. */
const PLAN_TOLERANCE_MS = 1_000;

const MISSED_MESSAGES = {
  takeover: "schedule fell due while the lead changed hands; firing it now",
  "not-running": "schedule missed fires while Steward was not running",
  late: "schedule timer woke after later fires were due; fired once for them",
  ahead: "schedule missed fires while its next fire was planned too far ahead",
} as const;

export type MissedWhy = keyof typeof MISSED_MESSAGES;

export interface MissedFires {
  /** Fires that were due while no Steward led: reported always, made up once when the schedule asks for it. */
  checkMissed(row: ScheduleRow): Promise<ScheduleRow>;
  /** A next fire planned further ahead than the cron allows is planned again from now (in a cluster). */
  replanIfAhead(row: ScheduleRow, t: Timing, now: number): Promise<ScheduleRow>;
  /** The report of fires that did not happen on time, to be stored with the claim that moves the plan past them. */
  reportOf(missed: number[], now: number, caughtUp: boolean): MissedReport;
  /** Tells of stored missed fires: the log, the audit log and the counter. */
  announce(row: ScheduleRow, report: MissedReport, why: MissedWhy): void;
  /** Forgets the plan checks of the schedules `keep` answers false for (deleted ones). */
  forget(keep: (id: string) => boolean): void;
}

export function createMissedFires(ctx: RunnerContext): MissedFires {
  const { deps, timingOf, track, missedCounter } = ctx;
  const { repo, clock, log, audit } = deps;
  /**
   * Next fires found within what their cron allows, and when: as time goes on a plan can only come closer to
   * allowed, so it is checked again only when it changes or the clock went back (the 2-second sync stays cheap).
   */
  const plansChecked = new Map<string, { planned: number; at: number }>();

  /** Fires that were due while no Steward led: reported always, made up once when the schedule asks for it. */
  async function checkMissed(row: ScheduleRow): Promise<ScheduleRow> {
    if (row.state !== "started" || row.definition.cronSchedule === undefined) return row;
    const now = clock.now();
    const t = timingOf(row);
    if (row.nextRunAt === null) {
      // Started but never planned (a store written before next fires were kept): plan it now.
      const next = nextFire(t, now);
      return (await repo.claimNextRun(row.id, null, next)) ? { ...row, nextRunAt: next } : ((await repo.get(row.id)) ?? row);
    }
    if (row.nextRunAt > now) return replanIfAhead(row, t, now);
    const next = nextFire(t, now);
    const missed = [row.nextRunAt, ...firesBetween(t, row.nextRunAt, now, deps.catchUpLimit - 1)];
    const takeover = withinTakeoverGrace(missed[0]!, now);
    const report = reportOf(missed, now, row.definition.catchUp || takeover);
    if (!(await repo.claimNextRun(row.id, row.nextRunAt, next, report))) return (await repo.get(row.id)) ?? row;
    announce(row, report, takeover ? "takeover" : "not-running");
    if (report.caughtUp) track(fireSchedule(ctx, row, "catch-up", undefined, missed[0]));
    return { ...row, nextRunAt: next, missed: report };
  }

  /**
   * In a cluster: a next fire planned further ahead than the cron allows from the cluster's time (by a Steward whose
   * clock ran ahead, e.g. stepped forward between two heartbeats) is planned again from now, and the occurrences
   * that fell due since it was planned (the database's time of that write) are reported missed, as after a takeover.
   */
  async function replanIfAhead(row: ScheduleRow, t: Timing, now: number): Promise<ScheduleRow> {
    if (!deps.duty) return row;
    const checked = plansChecked.get(row.id);
    if (checked && checked.planned === row.nextRunAt && checked.at <= now) return row;
    if (!plannedTooFarAhead(t, row.nextRunAt, now, PLAN_TOLERANCE_MS)) {
      if (row.nextRunAt !== null) plansChecked.set(row.id, { planned: row.nextRunAt, at: now });
      return row;
    }
    const next = nextFire(t, now);
    // Since when nothing could fire: the write of the far plan, by the database's clock. Unknown for a row last
    // written before that time was kept: then no occurrence is known to be missed.
    const since = row.plannedAt !== undefined && row.plannedAt < now ? row.plannedAt : now;
    const missed = firesBetween(t, since, now, deps.catchUpLimit);
    const takeover = missed.length > 0 && withinTakeoverGrace(missed[0]!, now);
    const report = missed.length > 0 ? reportOf(missed, now, row.definition.catchUp || takeover) : undefined;
    if (!(await repo.claimNextRun(row.id, row.nextRunAt, next, report))) return (await repo.get(row.id)) ?? row;
    const details = {
      planned: new Date(row.nextRunAt!).toISOString(),
      replanned: next === null ? null : new Date(next).toISOString(),
      ...(row.plannedAt !== undefined ? { plannedAt: new Date(row.plannedAt).toISOString() } : {}),
    };
    log.warn(
      { scheduleId: row.id, schedule: row.definition.name, ...details },
      "the schedule's next fire was planned further ahead than its cron allows (by a Steward whose clock ran ahead): planned again from the cluster's time",
    );
    audit.record({ actor: { kind: "system", name: "scheduler" }, action: "schedule.replanned", target: row.id, result: "ok", details });
    if (!report) return { ...row, nextRunAt: next };
    announce(row, report, "ahead");
    if (report.caughtUp) track(fireSchedule(ctx, row, "catch-up", undefined, missed[0]));
    return { ...row, nextRunAt: next, missed: report };
  }

  function withinTakeoverGrace(firstMissed: number, now: number): boolean {
    return (deps.takeoverGraceMs ?? 0) > 0 && now - firstMissed <= deps.takeoverGraceMs!;
  }

  function reportOf(missed: number[], now: number, caughtUp: boolean): MissedReport {
    return {
      count: missed.length,
      capped: missed.length >= deps.catchUpLimit,
      first: new Date(missed[0]!).toISOString(),
      last: new Date(missed[missed.length - 1]!).toISOString(),
      detectedAt: new Date(now).toISOString(),
      caughtUp,
    };
  }

  function announce(row: ScheduleRow, report: MissedReport, why: MissedWhy): void {
    missedCounter.inc({}, report.count);
    log.warn({ scheduleId: row.id, schedule: row.definition.name, ...report }, MISSED_MESSAGES[why]);
    audit.record({ actor: { kind: "system", name: "scheduler" }, action: "schedule.missed", target: row.id, result: "ok", details: { ...report } });
  }

  return {
    checkMissed,
    replanIfAhead,
    reportOf,
    announce,
    forget(keep) {
      for (const id of [...plansChecked.keys()]) if (!keep(id)) plansChecked.delete(id);
    },
  };
}
