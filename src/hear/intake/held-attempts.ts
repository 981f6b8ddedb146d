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
/** The earliest deadline not announced yet (a lone Steward's next look: alonePace). */
const NEXT_DUE = "SELECT MIN(due_at) AS t FROM intake_held_attempts WHERE announced_at IS NULL";
/** How often the attempts announced long ago are pruned. */
const PRUNE_EVERY_MS = 3_600_000;

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
  /** In a cluster: whether this Steward is alone in it, and the gate of its looks for others' work (alonePace). */
  peers?: { alone(): boolean; gate: (() => boolean) & { missed(): void } };
}

export interface HeldAttempts {
  /** A failed attempt the Scheduler retries: kept, its deadline (re)started. Never throws: logged. */
  held(e: TaskEvent): Promise<void>;
  /**
   * The run's final result was announced: its held attempt, if any, is over. Never throws: logged. Undefined for a
   * run of one attempt, which cannot have had one held (nothing to wait for).
   */
  settled(e: TaskEvent): Promise<void> | undefined;
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
 * Alone in a cluster (src/platform/cluster/peer-poll.ts), or on a store of its own (SQLite: this Steward is the file's
 * only writer), the minute's look is made only when it can find something: an attempt due (the next due is read after
 * each look; this Steward's own holds bring it forward), a change of the peers (one joined, left, or wrote), a write
 * that has not landed yet; the hourly prune is then a statement of its own. With other members, every minute. An
 * idle minute sends nothing (issue 89: 1,440 statements a day before).
 */
function alonePace(peers: HeldAttemptsDeps["peers"], clock: Clock) {
  let nextDueAt = Number.NEGATIVE_INFINITY;
  let pruneAt = clock.now() + PRUNE_EVERY_MS;
  /** The earliest deadline this Steward held since the look in progress read the next due (it may have missed it). */
  let heldDuring = Number.POSITIVE_INFINITY;
  return {
    held(dueAt: number): void {
      nextDueAt = Math.min(nextDueAt, dueAt);
      heldDuring = Math.min(heldDuring, dueAt);
    },
    /** `unremoved`: writes that have not landed yet. "look" for a whole look, "prune" for the hourly prune alone. */
    wanted(now: number, unremoved: boolean): "look" | "prune" | undefined {
      if (unremoved || now >= nextDueAt || peers?.gate()) return "look";
      return now >= pruneAt ? "prune" : undefined;
    },
    /** The attempts announced a week ago go at an hourly look. */
    pruneDue(now: number): boolean {
      if (now < pruneAt) return false;
      pruneAt = now + PRUNE_EVERY_MS;
      return true;
    },
    /** Whether the look should read the next due (alone in the cluster), and what it read. */
    readsNext: (): boolean => {
      heldDuring = Number.POSITIVE_INFINITY;
      return !peers || peers.alone();
    },
    looked(next: number | undefined): void {
      nextDueAt = Math.min(next ?? Number.POSITIVE_INFINITY, heldDuring);
    },
    failed(): void {
      nextDueAt = Number.NEGATIVE_INFINITY;
      peers?.gate.missed();
    },
  };
}

/** Puts the run's failure on the bus, annotated (history, incident) as any run is, with what follows it. */
async function announceOn(deps: Pick<HeldAttemptsDeps, "annotate" | "bus">, e: TaskEvent): Promise<void> {
  const [event = e, ...followUps] = deps.annotate ? await deps.annotate(e) : [e];
  for (const x of [event, ...followUps]) await deps.bus.emit(x.kind, x);
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

export function createHeldAttempts(withinMinutes: number, deps: HeldAttemptsDeps): HeldAttempts {
  const log = deps.log.child({ module: "held-attempts" });
  const withinMs = withinMinutes * 60_000;
  let stopSweep: (() => void) | undefined;
  const pace = alonePace(deps.peers, deps.clock);
  let claimedByLive = false; // the last look left a due attempt to the claim of another Steward alive then
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
      await announceOn(deps, e);
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

  /** A run of several attempts was announced: the row of an attempt held for it, if any, goes. */
  async function endHeld(e: TaskEvent): Promise<void> {
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
        pace.held(now + withinMs);
      } catch (err) {
        logUnlessDiskFull(err, () =>
          log.error({ executionId: e.executionId, err: describeError(err) }, "could not keep a held attempt: its run's outcome pages only if it comes"),
        );
      }
    },
    settled(e) {
      // Only a run of more than one attempt can have had one held: most runs, one attempt long, cost no statement here.
      // When QRS could not say (no attempts read), a row held for it is found ended by the look at its deadline
      // (outcomeCame), so a burst of runs that QRS cannot enrich costs no statement a run either.
      return (e.attempts?.length ?? 0) < 2 ? undefined : endHeld(e);
    },
    async sweep() {
      const now = deps.clock.now();
      claimedByLive = false;
      const readsNext = pace.readsNext();
      if (unremoved.size > 0) await removeEnded();
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
      // look is one query (test/integration/platform/cluster/idle-site-statements.test.ts counts them).
      if (pace.pruneDue(now)) await pruneAnnounced(deps.db, now);
      if (readsNext) pace.looked((await deps.db.get<{ t: number | null }>(NEXT_DUE))?.t ?? undefined);
      return fired;
    },
    start() {
      const look = async () => {
        const now = deps.clock.now();
        const wanted = pace.wanted(now, unremoved.size > 0);
        if (!wanted) return;
        const done = wanted === "look" ? held.sweep() : pace.pruneDue(now) ? pruneAnnounced(deps.db, now) : undefined;
        await done?.catch((err: unknown) => void (pace.failed(), log.warn({ err: describeError(err) }, "looking at held attempts failed")));
      };
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
