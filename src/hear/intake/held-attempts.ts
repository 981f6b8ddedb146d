// A failed attempt heard while the Scheduler still retries its run is held, not announced: the run's outcome will be
// (issue 76, docs/noise.md "Page the outcome"). When that outcome never comes (the Scheduler died, the datagram was
// lost and QRS never shows the run ended), the held failure must not vanish: `intake.retryOutcome.deadlineMinutes`
// after the last attempt held, it is announced as the run's failure, "outcome unknown", and pages as a failure does.
// Held attempts live in the store the Stewards of a cluster share, so a restart keeps them and the deadline is claimed
// by one conditional statement: one Steward announces it, once. The run's final result, when it comes, removes it.
import type { Logger } from "pino";
import type { EventBus } from "../../platform/core/bus";
import { type Clock, every } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { MigrationSet } from "../../platform/store/database";
import type { SqlDb } from "../../platform/store/sql";
import type { DomainEvents, TaskEvent } from "../../platform/events/types";
import type { RunReport } from "../events/enrich-task-event";

export const heldAttemptMigrations: MigrationSet = {
  module: "intake-held",
  migrations: [
    {
      version: 1,
      name: "failed attempts held for their run's outcome",
      sql: `
        CREATE TABLE intake_held_attempts (
          execution_id TEXT PRIMARY KEY,
          task_id TEXT NOT NULL,
          event TEXT NOT NULL,
          held_at INTEGER NOT NULL,
          due_at INTEGER NOT NULL,
          fired_at INTEGER,
          fired_by TEXT
        );
        CREATE INDEX intake_held_attempts_due ON intake_held_attempts (due_at);`,
    },
  ],
};

/** How often held attempts are looked at for a deadline passed: a deadline is minutes to hours. */
const SWEEP_MS = 60_000;
/** Deadlines announced per look; the rest wait for the next. */
const PER_SWEEP = 100;
/** Looks between two prunes of the attempts announced long ago. */
const PRUNE_EVERY = 60;

export interface HeldAttemptsDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  bus: EventBus<DomainEvents>;
  instanceId: string;
  /** The incidents' annotation (history, incident), as for any run (src/tell/incidents). */
  annotate?: (e: TaskEvent) => Promise<TaskEvent[]>;
}

export interface HeldAttempts {
  /** A failed attempt the Scheduler retries: kept, its deadline (re)started. Never throws: logged. */
  held(e: TaskEvent): Promise<void>;
  /** The run's final result was announced: its held attempt, if any, is over. Never throws: logged. */
  settled(e: TaskEvent): Promise<void>;
  /** Announces the held attempts whose deadline passed (claimed in the store: once per cluster). */
  sweep(): Promise<number>;
  start(): void;
  stop(): void;
}

/** The run's failure with its outcome unknown, built from the last attempt held. */
export function outcomeUnknown(e: TaskEvent, heldAt: number, withinMs: number, now: number): TaskEvent {
  return {
    ...e,
    id: `${e.executionId}:outcome-unknown`,
    kind: "task.failed",
    outcome: "failed",
    receivedAt: new Date(now).toISOString(),
    outcomeUnknown: { heldAt: new Date(heldAt).toISOString(), withinMs },
  };
}

export function createHeldAttempts(withinMinutes: number, deps: HeldAttemptsDeps): HeldAttempts {
  const log = deps.log.child({ module: "held-attempts" });
  const withinMs = withinMinutes * 60_000;
  let stopSweep: (() => void) | undefined;
  let looks = 0;

  async function announce(e: TaskEvent): Promise<void> {
    const [event = e, ...followUps] = deps.annotate ? await deps.annotate(e) : [e];
    for (const x of [event, ...followUps]) await deps.bus.emit(x.kind, x);
  }

  async function fire(row: { execution_id: string; event: string; held_at: number }, now: number): Promise<boolean> {
    const took = await deps.db.run("UPDATE intake_held_attempts SET fired_at = ?, fired_by = ? WHERE execution_id = ? AND fired_at IS NULL", [
      now,
      deps.instanceId,
      row.execution_id,
    ]);
    if (took.changes !== 1) return false; // another Steward announced it, or the outcome came meanwhile
    const e = outcomeUnknown(JSON.parse(row.event) as TaskEvent, Number(row.held_at), withinMs, now);
    try {
      await announce(e);
    } catch (err) {
      // Not announced: the next look tries again.
      await deps.db.run("UPDATE intake_held_attempts SET fired_at = NULL, fired_by = NULL WHERE execution_id = ?", [row.execution_id]);
      throw err;
    }
    log.warn(
      { executionId: e.executionId, taskId: e.task.id, heldAt: e.outcomeUnknown?.heldAt },
      "no final result of a retried run: announced as failed, outcome unknown",
    );
    return true;
  }

  const held: HeldAttempts = {
    async held(e) {
      const now = deps.clock.now();
      try {
        await deps.db.run(
          `INSERT INTO intake_held_attempts (execution_id, task_id, event, held_at, due_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (execution_id) DO UPDATE SET event = excluded.event, held_at = excluded.held_at, due_at = excluded.due_at
           WHERE intake_held_attempts.fired_at IS NULL`,
          [e.executionId.toLowerCase(), e.task.id.toLowerCase(), JSON.stringify(e), now, now + withinMs],
        );
      } catch (err) {
        log.error({ executionId: e.executionId, err: describeError(err) }, "could not keep a held attempt: its run's outcome pages only if it comes");
      }
    },
    async settled(e) {
      // Only a run of more than one attempt can have had one held (unknown when QRS could not be read): most runs, one
      // attempt long, cost no statement here.
      if ((e.attempts?.length ?? 0) < 2 && e.task.maxRetries !== undefined) return;
      try {
        await deps.db.run("DELETE FROM intake_held_attempts WHERE execution_id = ?", [e.executionId.toLowerCase()]);
      } catch (err) {
        log.warn({ executionId: e.executionId, err: describeError(err) }, "could not end a held attempt");
      }
    },
    async sweep() {
      const now = deps.clock.now();
      const due = await deps.db.all<{ execution_id: string; event: string; held_at: number }>(
        "SELECT execution_id, event, held_at FROM intake_held_attempts WHERE due_at <= ? AND fired_at IS NULL ORDER BY due_at LIMIT ?",
        [now, PER_SWEEP],
      );
      let fired = 0;
      for (const row of due) if (await fire(row, now)) fired++;
      // An announced one is kept a week (a restart does not announce it again), forgotten at an hourly look: an idle
      // look is one query (test/integration/platform/cluster/alone-statements.test.ts counts them).
      if (++looks % PRUNE_EVERY === 0)
        await deps.db.run("DELETE FROM intake_held_attempts WHERE fired_at IS NOT NULL AND fired_at < ?", [now - 7 * 86_400_000]);
      return fired;
    },
    start() {
      const look = () => held.sweep().catch((err: unknown) => log.warn({ err: describeError(err) }, "looking at held attempts failed"));
      void look();
      stopSweep = every(deps.clock, SWEEP_MS, () => void look());
    },
    stop() {
      stopSweep?.();
      stopSweep = undefined;
    },
  };
  return held;
}

/** The run processor's side: logs the held attempt and keeps it for its deadline. */
export async function holdAttempt(log: Logger, report: RunReport, e: TaskEvent, held: HeldAttempts | undefined): Promise<"attempt"> {
  log.info(
    { executionId: report.executionId, taskId: report.taskId, source: report.source },
    "a failed attempt the Scheduler retries: not announced; the run's outcome will be",
  );
  await held?.held(e);
  return "attempt";
}
