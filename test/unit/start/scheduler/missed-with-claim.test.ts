// The fires a schedule missed are stored by the very statement that moves its plan past them. Two writes (the
// plan, then the report) let a reader in between see the new plan without the report (a cluster test once read
// exactly that), and a crash between them lost the report on the schedule. Each claim that moves the plan is
// followed here by a read of what is on disk at that instant.
import { afterEach, expect, test } from "bun:test";
import { auditMigrations, createAuditLog } from "../../../../src/platform/audit/audit-log";
import { createEventBus } from "../../../../src/platform/core/bus";
import { createManualClock, type ManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import type { TaskStarter } from "../../../../src/start/control/types";
import { schedulerMigrations } from "../../../../src/start/scheduler";
import { createScheduler, type Scheduler } from "../../../../src/start/scheduler/scheduler";
import { SchedulerSchema } from "../../../../src/start/scheduler/config";
import { openStore } from "../../../../src/platform/store/database";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { createTempDir } from "../../../helpers/temp-dir";

const TASK = "11111111-2222-3333-4444-555555555555";
const actor = { kind: "api", name: "test" } as const;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface OnDisk {
  nextRunAt: number | null;
  missed: { count: number; first: string; last: string } | null;
}

/** The store, with what the schedule's row holds right after each statement that claims a next fire. */
function storeWatchingClaims(): { db: SqlDb; afterClaims: OnDisk[] } {
  const dir = createTempDir("steward-missed-claim-");
  const store = openStore(dir.path, [auditMigrations, schedulerMigrations]);
  cleanups.push(dir.remove, () => store.close());
  const inner = store.sql;
  const afterClaims: OnDisk[] = [];
  const db: SqlDb = Object.create(inner, {
    run: {
      value: async (sql: string, params?: readonly unknown[]) => {
        const result = await inner.run(sql, params as never);
        if (/^UPDATE schedules SET next_run_at = \?/.test(sql) && result.changes > 0) {
          const row = await inner.get<{ next_run_at: number | null; missed: string | null }>("SELECT next_run_at, missed FROM schedules");
          afterClaims.push({ nextRunAt: row!.next_run_at === null ? null : Number(row!.next_run_at), missed: row!.missed ? JSON.parse(row!.missed) : null });
        }
        return result;
      },
    },
  });
  return { db, afterClaims };
}

/** Starts tasks nowhere: each start reports the task as not found (the fire is recorded as failed, which is fine here). */
const starter: TaskStarter = {
  start: async () => ({ started: [], notFound: [TASK], invalid: [], denied: [], byTag: [], byCustomProperty: [] }),
};

function schedulerOn(db: SqlDb, clock: ManualClock): Scheduler {
  const log = createSilentLogger();
  const audit = createAuditLog(db, clock);
  const cfg = SchedulerSchema.parse({ defaultTimezone: "UTC" });
  return createScheduler(cfg, { db, clock, log, audit, metrics: createMetricsRegistry(), bus: createEventBus(log), taskStarter: starter });
}

test("fires missed while Steward was stopped are on disk with the claim that plans past them", async () => {
  const clock = createManualClock(Date.parse("2025-02-03T10:00:30Z"));
  const { db, afterClaims } = storeWatchingClaims();
  const first = schedulerOn(db, clock);
  await first.start();
  await first.create({ name: "every minute", cronSchedule: "* * * * *", timezone: "UTC", qlikSenseTaskId: TASK, startupState: "started" }, actor);
  await first.stop(1_000);

  await clock.set(Date.parse("2025-02-03T10:05:30Z"));
  const second = schedulerOn(db, clock);
  await second.start();
  await second.stop(1_000);

  expect(afterClaims).toEqual([
    {
      nextRunAt: Date.parse("2025-02-03T10:06:00Z"),
      missed: expect.objectContaining({ count: 5, first: "2025-02-03T10:01:00.000Z", last: "2025-02-03T10:05:00.000Z" }),
    },
  ]);
});

test("fires overtaken by a timer that woke late are on disk with the claim of the late fire", async () => {
  const inner = createManualClock(Date.parse("2025-02-03T10:00:30Z"));
  let lagMs = 0;
  const clock: ManualClock = { ...inner, now: () => inner.now() + lagMs };
  const { db, afterClaims } = storeWatchingClaims();
  const scheduler = schedulerOn(db, clock);
  await scheduler.start();
  cleanups.push(() => scheduler.stop(1_000));
  await scheduler.create({ name: "every minute", cronSchedule: "* * * * *", timezone: "UTC", qlikSenseTaskId: TASK, startupState: "started" }, actor);
  await inner.advance(30_000);
  expect(afterClaims).toEqual([{ nextRunAt: Date.parse("2025-02-03T10:02:00Z"), missed: null }]);
  lagMs = 150_000;
  await inner.advance(60_000); // the 10:02 timer runs when the clock says 10:04:30: 10:03 and 10:04 are overtaken
  expect(afterClaims[1]).toEqual({
    nextRunAt: Date.parse("2025-02-03T10:05:00Z"),
    missed: expect.objectContaining({ count: 2, first: "2025-02-03T10:03:00.000Z", last: "2025-02-03T10:04:00.000Z" }),
  });
});
