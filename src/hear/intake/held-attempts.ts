// A failed attempt heard while the Scheduler still retries its run is held, not announced: the run's outcome will be
// (issue 76, docs/noise.md "Page the outcome"). When that outcome never comes (the Scheduler died, the datagram was
// lost and QRS never shows the run ended), the held failure must not vanish: `intake.retryOutcome.deadlineMinutes`
// after the last attempt held, it is announced as the run's failure, "outcome unknown", and pages as a failure does.
// Held attempts live in the store the Stewards of a cluster share, so a restart keeps them and the deadline is claimed
// by one conditional statement: one Steward announces it, once. The claim is not the announcement: a Steward that dies
// between the two (killed, its machine gone) leaves a claim whose owner is no longer a live member, and the next look of
// any Steward takes it over (one that saw the claim alive looks again a lease later: about a lease after the death).
// It is marked announced only once the event is in the outbox; a Steward dying between the two announces it again
// under the same event id, which the outbox keeps once. The run's final result removes it.
import type { Logger } from "pino";
import type { EventBus } from "../../platform/core/bus";
import { type Clock, every, type Timer } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { MigrationSet } from "../../platform/store/database";
import { causedByDiskFull, type SqlDb } from "../../platform/store/sql";
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
    {
      version: 2,
      name: "held attempts marked announced apart from claimed",
      // fired_at/fired_by are now the claim. A row claimed before this version was announced, or lost with its
      // claimer: nothing tells which, and announcing them all again could page twice.
      sql: `
        ALTER TABLE intake_held_attempts ADD COLUMN announced_at INTEGER;
        UPDATE intake_held_attempts SET announced_at = fired_at WHERE fired_at IS NOT NULL;`,
    },
  ],
};

/** How often held attempts are looked at for a deadline passed: a deadline is minutes to hours. */
const SWEEP_MS = 60_000;
/** Deadlines announced per look; the rest wait for the next. */
const PER_SWEEP = 100;
/** Outcomes whose held row could not be removed (the store refused the write), remembered until a look removes it. */
const MAX_UNREMOVED = 10_000;
/** Looks between two prunes of the attempts announced long ago. */
const PRUNE_EVERY = 60;

export interface HeldAttemptsDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  bus: EventBus<DomainEvents>;
  instanceId: string;
  /** The members of the cluster alive now (PostgreSQL); without it this Steward is alone and any other claimer is gone. */
  liveInstances?: () => Promise<readonly string[]>;
  /** In a cluster, the members' lease: how soon a due attempt another live Steward claimed is looked at again. */
  recheckMs?: number;
  /** The incidents' annotation (history, incident), as for any run (src/tell/incidents). */
  annotate?: (e: TaskEvent) => Promise<TaskEvent[]>;
}

export interface HeldAttempts {
  /** A failed attempt the Scheduler retries: kept, its deadline (re)started. Never throws: logged. */
  held(e: TaskEvent): Promise<void>;
  /** The run's final result was announced: its held attempt, if any, is over. Never throws: logged. */
  settled(e: TaskEvent): Promise<void>;
  /** Announces the held attempts whose deadline passed (claimed in the store: once per cluster, a dead claimer's taken over). */
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

interface DueRow {
  execution_id: string;
  event: string;
  held_at: number;
  fired_at: number | null;
  fired_by: string | null;
}

/**
 * Looks every SWEEP_MS; after a look that left a due attempt to another Steward alive then, again `recheckMs` later:
 * a claimer killed before its announcement is taken over about a lease after its death, not at a look a minute on.
 * Returns the stop.
 */
function lookEvery(clock: Clock, look: () => Promise<boolean>, recheckMs: number | undefined): () => void {
  let stopped = false;
  let recheck: Timer | undefined;
  const run = async (): Promise<void> => {
    if (!(await look()) || recheckMs === undefined || stopped || recheck) return;
    recheck = clock.setTimeout(() => {
      recheck = undefined;
      return run();
    }, recheckMs);
  };
  const stopEvery = every(clock, SWEEP_MS, () => void run());
  void run();
  return () => {
    stopped = true;
    stopEvery();
    clock.clearTimeout(recheck);
  };
}

/**
 * Whether the run's final result was announced after all (its outcome is remembered among the runs seen; an attempt
 * never is): its row then goes without a page. Asked only of a row past its deadline, which is rare.
 */
async function outcomeCame(db: SqlDb, row: DueRow): Promise<boolean> {
  const asSent = (JSON.parse(row.event) as TaskEvent).executionId;
  const seen = await db.get<{ n: number }>("SELECT 1 AS n FROM intake_seen WHERE execution_id IN (?, ?) LIMIT 1", [asSent, row.execution_id]);
  if (!seen) return false;
  await db.run("DELETE FROM intake_held_attempts WHERE execution_id = ? AND announced_at IS NULL", [row.execution_id]);
  return true;
}

/** Announced attempts are kept a week (a restart does not announce them again), then forgotten. */
async function pruneAnnounced(db: SqlDb, now: number): Promise<void> {
  await db.run("DELETE FROM intake_held_attempts WHERE announced_at IS NOT NULL AND announced_at < ?", [now - 7 * 86_400_000]);
}

/**
 * On SQLite, where this Steward is the file's only writer: after a look, when the next held attempt falls due, so the
 * looks before then send nothing (the minute's query found nothing on almost every look, 1,440 statements a day:
 * issue 89). A hold makes the next look ask again; so does a hold begun while a look asked. Elsewhere every look asks.
 */
function nextDueGate(db: SqlDb) {
  let nothingDueBefore: number | undefined;
  let holds = 0;
  return {
    quiet: (now: number) => nothingDueBefore !== undefined && now < nothingDueBefore,
    holding() {
      holds++;
      nothingDueBefore = undefined;
    },
    async learn(now: number): Promise<void> {
      if (db.dialect !== "sqlite") return;
      const before = holds;
      const next = await db.get<{ due: number | null }>("SELECT MIN(due_at) AS due FROM intake_held_attempts WHERE announced_at IS NULL");
      const due = next?.due === null || next?.due === undefined ? Number.POSITIVE_INFINITY : Number(next.due);
      // Still due now (not taken this look): every look asks until it is announced.
      nothingDueBefore = holds === before && due > now ? due : undefined;
    },
  };
}

export function createHeldAttempts(withinMinutes: number, deps: HeldAttemptsDeps): HeldAttempts {
  const log = deps.log.child({ module: "held-attempts" });
  const withinMs = withinMinutes * 60_000;
  let stopSweep: (() => void) | undefined;
  let looks = 0;
  let claimedByLive = false; // the last look left a due attempt to the claim of another Steward alive then
  const gate = nextDueGate(deps.db);
  /** Rows this Steward is announcing now: its own claim on them is not a leftover. */
  const inFlight = new Set<string>();
  /**
   * Runs whose outcome came while their held row could not be deleted (a full disk): their row must not be announced
   * as "outcome unknown" when its deadline passes. Each look deletes them again; bounded, oldest forgotten first.
   */
  const unremoved = new Set<string>();
  /** A full disk is said by the store once a minute; each run's failed write saying it again would flood the log. */
  const logUnlessDiskFull = (err: unknown, say: () => void) => void (causedByDiskFull(err) || say());

  async function removeEnded(): Promise<void> {
    for (const id of [...unremoved]) {
      await deps.db.run("DELETE FROM intake_held_attempts WHERE execution_id = ?", [id]);
      unremoved.delete(id);
    }
  }

  async function announce(e: TaskEvent): Promise<void> {
    const [event = e, ...followUps] = deps.annotate ? await deps.annotate(e) : [e];
    for (const x of [event, ...followUps]) await deps.bus.emit(x.kind, x);
  }

  /** Claims the row: free, or claimed by a Steward that is gone (compared on the claim read, so one taker wins). */
  async function claim(row: DueRow, now: number): Promise<boolean> {
    const free = row.fired_at === null;
    const took = await deps.db.run(
      `UPDATE intake_held_attempts SET fired_at = ?, fired_by = ? WHERE execution_id = ? AND announced_at IS NULL AND ${
        free ? "fired_at IS NULL" : "fired_at = ? AND fired_by = ?"
      }`,
      [now, deps.instanceId, row.execution_id, ...(free ? [] : [Number(row.fired_at), row.fired_by])],
    );
    if (took.changes === 1 && !free && row.fired_by !== deps.instanceId)
      log.warn(
        { executionId: row.execution_id, claimedBy: row.fired_by },
        "a held attempt claimed by a Steward that stopped before announcing it is taken over",
      );
    return took.changes === 1; // another Steward took it, or the outcome came meanwhile
  }

  async function fire(row: DueRow, now: number): Promise<boolean> {
    if (await outcomeCame(deps.db, row)) return false;
    if (!(await claim(row, now))) return false;
    const e = outcomeUnknown(JSON.parse(row.event) as TaskEvent, Number(row.held_at), withinMs, now);
    try {
      await announce(e);
    } catch (err) {
      // Not announced: the next look tries again.
      await deps.db.run("UPDATE intake_held_attempts SET fired_at = NULL, fired_by = NULL WHERE execution_id = ?", [row.execution_id]);
      throw err;
    }
    // In the outbox now: a crash before this mark announces it again under the same event id, kept once there.
    await deps.db.run("UPDATE intake_held_attempts SET announced_at = ? WHERE execution_id = ?", [now, row.execution_id]);
    log.warn(
      { executionId: e.executionId, taskId: e.task.id, heldAt: e.outcomeUnknown?.heldAt },
      "no final result of a retried run: announced as failed, outcome unknown",
    );
    return true;
  }

  /** Due rows this look may announce: unclaimed, claimed by a Steward no longer alive, or this one's own left over. */
  async function takeable(due: DueRow[]): Promise<DueRow[]> {
    const others = due.filter((r) => r.fired_by !== null && r.fired_by !== deps.instanceId);
    // The members are read only when another Steward's claim is due: an idle look stays one query.
    const live = others.length > 0 && deps.liveInstances ? new Set(await deps.liveInstances()) : new Set<string>();
    claimedByLive = others.some((r) => live.has(r.fired_by!));
    return due.filter((r) => {
      if (r.fired_by === null || r.fired_at === null) return true;
      if (r.fired_by === deps.instanceId) return !inFlight.has(r.execution_id);
      return !live.has(r.fired_by);
    });
  }

  const held: HeldAttempts = {
    async held(e) {
      const now = deps.clock.now();
      gate.holding();
      try {
        await deps.db.run(
          `INSERT INTO intake_held_attempts (execution_id, task_id, event, held_at, due_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (execution_id) DO UPDATE SET event = excluded.event, held_at = excluded.held_at, due_at = excluded.due_at
           WHERE intake_held_attempts.fired_at IS NULL`,
          [e.executionId.toLowerCase(), e.task.id.toLowerCase(), JSON.stringify(e), now, now + withinMs],
        );
      } catch (err) {
        logUnlessDiskFull(err, () =>
          log.error({ executionId: e.executionId, err: describeError(err) }, "could not keep a held attempt: its run's outcome pages only if it comes"),
        );
      }
    },
    async settled(e) {
      // Only a run of more than one attempt can have had one held: most runs, one attempt long, cost no statement here.
      // When QRS could not say (no attempts read), a row held for it is found ended by the look at its deadline
      // (outcomeCame), so a burst of runs that QRS cannot enrich costs no statement a run either.
      if ((e.attempts?.length ?? 0) < 2) return;
      const id = e.executionId.toLowerCase();
      try {
        await deps.db.run("DELETE FROM intake_held_attempts WHERE execution_id = ?", [id]);
      } catch (err) {
        if (unremoved.size >= MAX_UNREMOVED) unremoved.delete(unremoved.values().next().value as string);
        unremoved.add(id);
        logUnlessDiskFull(err, () =>
          log.warn({ executionId: e.executionId, err: describeError(err) }, "could not end a held attempt: the next look tries again"),
        );
      }
    },
    async sweep() {
      const now = deps.clock.now();
      claimedByLive = false;
      if (unremoved.size > 0) await removeEnded();
      if (gate.quiet(now)) {
        if (++looks % PRUNE_EVERY === 0) await pruneAnnounced(deps.db, now);
        return 0;
      }
      const due = await deps.db.all<DueRow>(
        `SELECT execution_id, event, held_at, fired_at, fired_by FROM intake_held_attempts
         WHERE due_at <= ? AND announced_at IS NULL ORDER BY due_at LIMIT ?`,
        [now, PER_SWEEP],
      );
      let fired = 0;
      for (const row of await takeable(due)) {
        inFlight.add(row.execution_id);
        try {
          if (await fire(row, now)) fired++;
        } finally {
          inFlight.delete(row.execution_id);
        }
      }
      // An announced one is kept a week (a restart does not announce it again), forgotten at an hourly look: an idle
      // look is one query (test/integration/platform/cluster/alone-statements.test.ts counts them).
      if (++looks % PRUNE_EVERY === 0) await pruneAnnounced(deps.db, now);
      await gate.learn(now);
      return fired;
    },
    start() {
      const look = () => held.sweep().catch((err: unknown) => void log.warn({ err: describeError(err) }, "looking at held attempts failed"));
      stopSweep = lookEvery(deps.clock, async () => (await look(), claimedByLive), deps.recheckMs);
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
