// Runs schedules: one clock timer per started cron schedule (armed for its next fire, capped so clock changes
// are noticed), event triggers fed by task events on the bus, missed-fire detection when this Steward takes the
// lead, and the fire itself — a task start through the shared TaskStarter, logged, audited and recorded on the
// schedule. With several Stewards on one store only the holder of the scheduler duty arms timers, and every fire
// is claimed in the store first (the planned next fire moves on only for the one that wins), so a schedule fires
// once per occurrence even while the lead changes hands.
import { type Timer, wallClock } from "../../platform/core/clock";
import { pollMsOf } from "../../platform/core/poll-interval";
import { createCronTimers } from "./cron-timers";
import { createEventTriggers, EVENT_CLAIM_TTL_MS } from "./event-triggers";
import { createMissedFires } from "./missed-fires";
import { compileTiming, nextFire } from "./next-run";
import { createRunnerContext, type RunnerDeps, type SchedulerDuty } from "./runner-context";
import type { ScheduleRow } from "./schedule-repo";

export type { RunnerDeps, SchedulerDuty } from "./runner-context";

export interface ScheduleRunner {
  start(): Promise<void>;
  stop(budgetMs: number): Promise<void>;
  /** Re-reads a schedule and (re)arms or disarms it. */
  refresh(id: string): Promise<void>;
  forget(id: string): void;
}

const ALWAYS_LEADING: SchedulerDuty = { holds: () => true, onChange: () => () => {} };

/** The next fire a schedule plans from `now`: none while stopped or for a schedule without cron. */
export function plannedNextRun(def: ScheduleRow["definition"], state: ScheduleRow["state"], now: number): number | null {
  if (state !== "started" || def.cronSchedule === undefined) return null;
  return nextFire(compileTiming(def), now);
}

export function createScheduleRunner(deps: RunnerDeps): ScheduleRunner {
  const ctx = createRunnerContext(deps);
  const { repo, clock } = deps;
  const { timingOf, track } = ctx;
  const missed = createMissedFires(ctx);
  const triggers = createEventTriggers(ctx, () => running);
  const duty = deps.duty ?? ALWAYS_LEADING;
  const cron = createCronTimers(ctx, missed, duty, { running: () => running, leading: () => leading });
  const { arm, disarm } = cron;
  const unsubscribe: Array<() => void> = [];
  let running = false;
  let leading = false;
  let syncTimer: Timer | undefined;

  async function takeOver(): Promise<void> {
    leading = true;
    const now = clock.now();
    for (const row of await repo.all()) {
      if (!leading) return;
      arm(await missed.checkMissed(row));
    }
    if (deps.storeOpen()) await repo.pruneEventFires(now - EVENT_CLAIM_TTL_MS);
    scheduleSync();
  }

  function giveUp(): void {
    leading = false;
    if (syncTimer) clock.clearTimeout(syncTimer);
    syncTimer = undefined;
    cron.disarmAll();
  }

  /** The leader picks up schedules changed through another Steward's API (created, edited, started, stopped, deleted). */
  async function sync(): Promise<void> {
    if (deps.syncGate && !deps.syncGate()) return;
    const rows = await repo.all().catch((err: unknown) => {
      deps.syncGate?.missed();
      throw err;
    });
    if (!leading) return;
    const ids = new Set(rows.map((r) => r.id));
    for (const id of cron.armedIds()) if (!ids.has(id)) disarm(id);
    missed.forget((id) => ids.has(id));
    const now = clock.now();
    for (let row of rows) {
      const should = row.state === "started" && row.definition.cronSchedule !== undefined && row.nextRunAt !== null;
      // A far plan written meanwhile (by this Steward before its clock was corrected, or by another one).
      if (should && row.nextRunAt! > now) {
        const replanned = await missed.replanIfAhead(row, timingOf(row), now);
        if (!leading) return;
        row = replanned;
      }
      if (should ? !cron.armedFor(row) : cron.has(row.id)) arm(row);
    }
  }

  function scheduleSync(): void {
    const every = pollMsOf(deps.syncIntervalMs ?? 0);
    if (every <= 0 || !leading || !running) return;
    syncTimer = clock.setTimeout(() => {
      void track(sync()).finally(scheduleSync);
    }, every);
    syncTimer.unref?.();
  }

  return {
    async start() {
      running = true;
      for (const kind of ["task.succeeded", "task.failed", "task.aborted"] as const) {
        unsubscribe.push(deps.bus.on(kind, (e) => void track(triggers.onTaskEvent(e))));
      }
      unsubscribe.push(
        duty.onChange((held) => {
          if (!running) return;
          if (held && !leading) void track(takeOver());
          else if (!held && leading) giveUp();
        }),
      );
      if (duty.holds()) await takeOver();
    },
    async stop(budgetMs) {
      running = false;
      for (const u of unsubscribe.splice(0)) u();
      giveUp();
      // Let fires in flight record their result, within the budget.
      let timer: Timer | undefined;
      await Promise.race([ctx.settled(), new Promise<void>((r) => (timer = wallClock.setTimeout(r, Math.max(0, budgetMs - 100))))]);
      wallClock.clearTimeout(timer);
    },
    async refresh(id) {
      triggers.invalidate();
      const row = await repo.get(id);
      if (row) arm(row);
      else disarm(id);
    },
    forget(id) {
      triggers.invalidate();
      disarm(id);
      ctx.forgetTiming(id);
      missed.forget((other) => other !== id);
    },
  };
}
