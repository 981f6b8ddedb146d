// The one path from "a run ended" to a domain event on the bus, shared by datagrams, distribute polling and
// reconciliation: claim (dedupe in memory and in the store) → enrich → emit → remember as seen.
import { type AlertUnconfirmed, judgeUnconfirmed, type UnconfirmedBudget } from "./unconfirmed-budget";
import type { UnconfirmedPages } from "./unconfirmed-pages";
import type { UnconfirmedSources } from "./unconfirmed-sources";
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import type { EventBus } from "../../platform/core/bus";
import { describeError } from "../../platform/core/errors";
import { createFullDiskLines, type FullDiskLines } from "../../platform/store/full-disk-lines";
import { causedByStoreOutage } from "../../platform/store/sql";
import type { Counter } from "../../platform/core/metrics";
import type { DomainEvents, TaskEvent } from "../../platform/events/types";
import { isRetriedAttempt } from "../../platform/events/retried-attempt";
import type { RunReport, TaskEventEnricher } from "../events/enrich-task-event";
import type { IntakeStore } from "./intake-store";
import { runCounts } from "./intake-metrics";
import { createLineBudget, type LineBudget, type ThrottledWarn } from "./log-throttle";
import { createProcessRetries } from "./process-retries";
import { createMatchedRunClaim } from "./matched-run-claim";
import { type HeldAttempts, holdAttempt } from "./held-attempts";
import { CLAIM_LEASE_MS, createRunReservations } from "./run-reservations";
import { ANNOUNCE_WINDOW_MS, createAnnouncedAhead } from "./announce-window";
import { type BackgroundMarks, type Dropped, dropRun, giveUpRun, type HeldRun, markedRun, markInBackground, releaseRun } from "./run-release";

export { CLAIM_LEASE_MS } from "./run-reservations";

export type { AlertUnconfirmed } from "./unconfirmed-budget";

/** `retrying`: the store was unreachable; the run stays claimed here and is announced once it answers. */
export type ProcessResult =
  | { event: TaskEvent; dropped?: undefined }
  | { event?: undefined; dropped: Dropped }
  /** Enriched, and announced in the background (ProcessOptions.announceAhead): `announced` settles when that is over. */
  | { event?: undefined; dropped?: undefined; announced: Promise<ProcessResult> };

export interface RunProcessorDeps {
  enricher: TaskEventEnricher;
  bus: EventBus<DomainEvents>;
  store: IntakeStore;
  clock: Clock;
  log: Logger;
  dedupe: { enabled: boolean; ttlMs: number };
  alertUnconfirmed: AlertUnconfirmed;
  /** How many runs QRS did not confirm may go out per task and per outcome in an hour (intake.confirm.unconfirmedBudget). */
  unconfirmedBudget?: UnconfirmedBudget;
  /** Unconfirmed runs paged per sending address, past which a source's runs are one page (intake.confirm.unconfirmedBudget.perSource). */
  unconfirmedSources?: UnconfirmedSources;
  counters: { enriched: Counter; emitted: Counter; deduplicated: Counter; unconfirmed: Counter };
  /** Datagram-driven warnings share the intake's log budget (a forged run is one datagram away). */
  warnOnce: ThrottledWarn;
  /** This Steward instance, named in its claims. */
  instanceId: string;
  /** Keeps the single pages of unconfirmed failures, ended once QRS says the run did not happen (unconfirmed-pages.ts). */
  unconfirmedPages?: Pick<UnconfirmedPages, "paged">;
  /**
   * Runs between enrichment and the bus (src/tell/incidents/): returns the event with its history, cause and incident,
   * then follow-up events to emit after it. A failure here is logged and the event goes out as it is: a lost history
   * is better than a lost alert.
   */
  annotate?: (e: TaskEvent, heardAtMs?: number) => Promise<TaskEvent[]>;
  /**
   * A datagram's run QRS confirmed: the node QRS says executed it (its name as QRS gives it) sends task events. A
   * datagram alone proves nothing (anyone may send one naming any host); a run QRS denies leaves no node heard.
   */
  confirmedNode?: (host: string) => void;
  /** A datagram's run QRS confirmed, as announced (the Engine's lines check waits for the Engine's lines of a reload). */
  confirmedRun?: (event: TaskEvent) => void;
  /**
   * Runs whose announcement (history and incident, the bus, the seen mark) may go on after their worker took the next
   * run (ProcessOptions.announceAhead); 0 or left out: none. On PostgreSQL the runs announced together share
   * transactions and statements, so more of them at once is fewer round trips per run.
   */
  announceAhead?: number;
  /**
   * How long (ms on the Clock) a run announced ahead may wait for others to be announced with, so that they share
   * commits (announce-window.ts); ANNOUNCE_WINDOW_MS when left out, 0: none.
   */
  announceWindowMs?: number;
  /** Failed attempts held for their run's outcome, announced as "outcome unknown" past their deadline. */
  heldAttempts?: HeldAttempts;
}

/** "task event" lines per second at most; beyond it they are counted (see processRun). */
export const EVENT_LINES_PER_SECOND = 50;

export interface ProcessOptions {
  /**
   * Answer once the event is on the bus, while its seen mark waits for its commit (the intake's workers then take
   * the next run instead of waiting a turn of the event loop for each mark). The run stays claimed in memory
   * until the mark is committed, so a repeat in between is still recognised; a crash in between is the same as a
   * crash just before the mark (reconciliation finds the run again).
   */
  markInBackground?: boolean;
  /**
   * Answer once the run is enriched while it is announced in the background, when fewer than `announceAhead` runs are
   * (else wait for room first). Stop waits for them (marksSettled).
   */
  announceAhead?: boolean;
}

export interface RunProcessor {
  /**
   * Reserves a dedupe key in this Steward while the run is queued or enriched (no store access, so the datagram
   * path stays synchronous and bounded by the queue). False when the key (or, with `anyOutcome`, any outcome of
   * the execution) is in flight here.
   */
  reserve(key: string, executionId: string, anyOutcome?: boolean): boolean;
  /**
   * Claims a reserved key in the store, shared by every Steward of a cluster. False (and the reservation released)
   * when the run was already handled or another Steward claimed it; with `anyOutcome` also when any outcome of the
   * execution was, or when it waits for a distribute poll.
   */
  claimStored(key: string, executionId: string, source: string, anyOutcome?: boolean): Promise<boolean>;
  /** reserve, then claimStored. */
  claim(key: string, executionId: string, anyOutcome?: boolean, source?: string): Promise<boolean>;
  release(key: string): void;
  /** Gives up this Steward's store claim on the key (a queued run that will not be processed); keeps the reservation. */
  giveUp(key: string): Promise<void>;
  /** Enriches and emits; marks `key` (and the event id) as seen; releases the claim. Never throws. */
  process(report: RunReport, key: string, options?: ProcessOptions): Promise<TaskEvent | undefined>;
  /**
   * As `process`, saying why a run was not emitted. A run QRS does not confirm and `alertUnconfirmed` keeps off
   * the bus is `dropped: "unconfirmed"`: not remembered either, so reconciliation still finds it if QRS shows it
   * later.
   */
  processRun(report: RunReport, key: string, options?: ProcessOptions): Promise<ProcessResult>;
  /** Resolves when every run announced and every seen mark written in the background has settled. */
  marksSettled(): Promise<void>;
  /** Runs being announced in the background (ProcessOptions.announceAhead). */
  announcing(): number;
  inFlight(executionId: string): boolean;
  /** True while this or another Steward holds a claim on the run and has not finished it. */
  claimedElsewhere(executionId: string): Promise<boolean>;
  /**
   * After the intake stopped: runs whose enrichment ends later are neither emitted nor remembered (the notifier
   * may already be gone, so an emitted event could reach nobody and still count as handled). Their claims are
   * given up, so reconciliation or the pending distribute poll picks them up. `open()` undoes it at start.
   */
  close(): void;
  open(): void;
}

/**
 * One line per event, up to EVENT_LINES_PER_SECOND: a site sends a few a second, so normally every one; in a
 * burst the rest of that second is counted and the count rides on the next line (every event is still on
 * /metrics and on the bus). Formatting a line costs about as much as the event's own store writes.
 */
function logTaskEvent(log: Logger, eventLines: LineBudget, event: TaskEvent): void {
  const notLogged = eventLines.take();
  if (notLogged === undefined) return;
  log.info(
    {
      eventId: event.id,
      kind: event.kind,
      taskType: event.taskType,
      task: event.task.name,
      source: event.source,
      complete: event.complete,
      unconfirmed: event.unconfirmed?.qrs,
      ...(notLogged > 0 ? { eventsNotLoggedBefore: notLogged } : {}),
    },
    "task event",
  );
}

/**
 * Remembers the run as handled. The event id is usually the claim key itself (ExecutionId:outcome): then one row, not
 * the same row twice. The event's own execution is QRS's when a datagram that named none was matched to it by time.
 */
async function markSeen(deps: Pick<RunProcessorDeps, "store" | "clock" | "dedupe">, report: RunReport, key: string, event: TaskEvent): Promise<void> {
  await deps.store.markSeen(
    event.id === key
      ? [{ key, executionId: report.executionId }]
      : [
          { key, executionId: report.executionId },
          { key: event.id, executionId: event.executionId },
        ],
    report.source,
    deps.clock.now(),
    deps.dedupe.ttlMs,
  );
}

/**
 * A datagram that named no execution, whose run QRS shows as one already announced (reconciliation, or another
 * Steward's datagram, got there first): remembered under the datagram's key too, and not announced again.
 */
async function announcedAlready(deps: Pick<RunProcessorDeps, "store" | "clock" | "dedupe" | "counters">, report: RunReport, key: string, event: TaskEvent) {
  if (report.executionIdAsSent === undefined || event.id === key || !(await deps.store.isSeen(event.id, deps.clock.now()))) return false;
  await deps.store.markSeen([{ key, executionId: report.executionId }], report.source, deps.clock.now(), deps.dedupe.ttlMs);
  deps.counters.deduplicated.inc({ source: report.source });
  return true;
}

/** The event with its history and incident, and its follow-ups; the event alone when that fails (a lost history beats a lost alert). */
async function annotateSafely(
  annotate: RunProcessorDeps["annotate"],
  log: Logger,
  fullDisk: FullDiskLines,
  event: TaskEvent,
  heardAtMs?: number,
): Promise<TaskEvent[]> {
  if (!annotate) return [event];
  try {
    return await annotate(event, heardAtMs);
  } catch (err) {
    // The store is away: held, and announced with its incident once it answers. Sent without it, a page the outbox took a
    // moment later (a pooled connection dead) was keyed to no incident, which no recovery or sweep ever ends.
    if (causedByStoreOutage(err)) throw err;
    fullDisk("annotate", err, (said) =>
      log.warn(
        { executionId: event.executionId, err: describeError(err), ...said },
        "could not add the run's history and incident; the event goes out without them",
      ),
    );
    return [event];
  }
}

const HELD_FOR_THE_STORE = "the store is unreachable; the task run stays claimed here and is announced as soon as the store answers";

/** A node is heard only through a run QRS confirmed, under QRS's name for it (a forged datagram names none). */
function confirmNode(deps: RunProcessorDeps, event: TaskEvent): void {
  const node = event.source === "udp" && !event.unconfirmed ? event.execution?.executingNode : undefined;
  if (node) deps.confirmedNode?.(node);
  if (node) deps.confirmedRun?.(event);
}

/**
 * A failed attempt the Scheduler retries (QRS: Retry) is not the run's outcome (issue 76): its claim is given up, so
 * the run stays unhandled in the store for every Steward of the cluster until its final result, which the
 * Scheduler's datagram or reconciliation reports (a run that never ends is the watchdog's running-long).
 */
export function createRunProcessor(deps: RunProcessorDeps): RunProcessor {
  const log = deps.log.child({ module: "intake" });
  const reservations = createRunReservations({ ...deps, log });
  const { reserve, claimStored, release, giveUp } = reservations;
  const eventLines = createLineBudget(EVENT_LINES_PER_SECOND, 1_000, () => deps.clock.now());
  const fullDisk = createFullDiskLines(() => deps.clock.now());
  let closed = false;
  const marking = new Set<Promise<void>>(); // the seen marks written in the background, until they settle
  const ahead = deps.announceAhead ?? 0; // at most this many runs announced in the background (`announcing`) at once
  const announcing = createAnnouncedAhead<ProcessResult>(deps.clock, deps.announceWindowMs ?? ANNOUNCE_WINDOW_MS, ahead);
  const claimMatched = createMatchedRunClaim({ ...deps, log, reservations });
  const background: BackgroundMarks = { mark: (run, event) => markSeen(deps, run.report, run.key, event), log, fullDisk, reservations, marking };
  const count = runCounts(deps.counters);

  const drop = (key: string, why: Dropped, matchedKey?: string): Promise<ProcessResult> => dropRun(reservations, key, why, matchedKey);

  // The path every run takes is kept in small functions with few awaits (issue 89: the JIT compiled the large async
  // ones, with their rare branches, over and over during a burst's first seconds); the rare branches are their own.
  async function processRun(report: RunReport, key: string, options: ProcessOptions = {}): Promise<ProcessResult> {
    let event: TaskEvent;
    try {
      event = await deps.enricher.enrich(report);
    } catch (err) {
      enrichFailed(log, report, err);
      return drop(key, "error");
    }
    if (closed) {
      enrichedAfterClose(log, report);
      return drop(key, "closed");
    }
    count.enriched(event.complete);
    confirmNode(deps, event);
    const judged = judgeUnconfirmed(deps, report, event);
    return judged instanceof Promise ? judged.then((j) => judgedRun(report, key, j, options)) : judgedRun(report, key, judged, options);
  }

  /** A run past the unconfirmed budgets (undefined: held back by them), to be held, matched or announced. */
  function judgedRun(report: RunReport, key: string, event: TaskEvent | undefined, options: ProcessOptions): Promise<ProcessResult> {
    if (event === undefined) return drop(key, "unconfirmed");
    if (isRetriedAttempt(event)) return holdAttempt(log, report, event, deps.heldAttempts).then((why) => drop(key, why));
    // Only a datagram that named no execution was matched to QRS's run, and has that run's key to check and claim.
    if (report.executionIdAsSent !== undefined && event.id !== key) return matchedThenAnnounced(report, key, event, options);
    return handOn({ report, key, event }, options);
  }

  async function matchedThenAnnounced(report: RunReport, key: string, event: TaskEvent, options: ProcessOptions): Promise<ProcessResult> {
    const matched = (await announcedAlready(deps, report, key, event)) ? "duplicate" : await claimMatched(report, key, event);
    if (matched === "duplicate") {
      release(key);
      return { dropped: "duplicate" };
    }
    if (matched === "error") return drop(key, "error");
    return handOn({ report, key, event, ...(matched !== undefined ? { matchedKey: matched } : {}) }, options);
  }

  // Announced ahead: the worker waits only for room among the runs announced in the background, then takes its next run.
  const handOn = (run: HeldRun, options: ProcessOptions): Promise<ProcessResult> =>
    options.announceAhead && ahead > 0 ? announcing.add(() => announce(run, options)) : announce(run, options);

  /**
   * The part of processing that needs the store: history and incident, the bus (the outbox writes there), the seen
   * mark. When the store is unreachable the run stays claimed and reserved here and is announced again as soon as
   * it answers (process-retries.ts): giving the claim up would fail too, leaving the run claimed by this live
   * Steward and unannounced until the claim ran out.
   */
  async function announce(run: HeldRun, options: ProcessOptions): Promise<ProcessResult> {
    if (closed) return drop(run.key, "closed", run.matchedKey);
    let event: TaskEvent;
    try {
      const annotated = await annotateSafely(deps.annotate, log, fullDisk, run.event, run.report.heardAtMs);
      const events = annotated.length > 0 ? annotated : [run.event];
      event = events[0]!;
      // After the run's own event: a failure to hand one over leaves the run unmarked, so it is handled again and
      // the same (idempotent) events go out again.
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        await deps.bus.emit(e.kind, e);
        count.emitted(e);
      }
      const held = deps.heldAttempts?.settled(event);
      if (held) await held;
      if (event.unconfirmed) await keepPage(deps, log, event, run.report);
      if (options.markInBackground) markInBackground(background, run, event);
      else {
        await markSeen(deps, run.report, run.key, event);
        markedRun(reservations, run);
        releaseRun(reservations, run);
      }
    } catch (err) {
      return notAnnounced(run, err);
    }
    logTaskEvent(log, eventLines, event);
    return { event };
  }

  /** Announcing failed: held for the store when it is unreachable, else given up for reconciliation to find again. */
  async function notAnnounced(run: HeldRun, err: unknown): Promise<ProcessResult> {
    if (causedByStoreOutage(err) && !closed && retries.hold(run.key, run)) {
      fullDisk("hold", err, (f) => log.warn({ executionId: run.report.executionId, err: describeError(err), ...f }, HELD_FOR_THE_STORE));
      return { dropped: "retrying" };
    }
    log.error({ executionId: run.report.executionId, err: describeError(err) }, "could not process a task run");
    try {
      await giveUpRun(reservations, run);
    } finally {
      releaseRun(reservations, run);
    }
    return { dropped: "error" };
  }

  const retries = createProcessRetries<HeldRun>({
    clock: deps.clock,
    log,
    maxAgeMs: CLAIM_LEASE_MS - 60_000,
    attempt: async (run) => (await announce(run, {})).dropped !== "retrying",
    abandon: (run) => void drop(run.key, "error", run.matchedKey),
  });

  return {
    reserve,
    claimStored,
    async claim(key, executionId, anyOutcome = false, source = anyOutcome ? "reconcile" : "udp") {
      if (!reserve(key, executionId, anyOutcome)) return false;
      return claimStored(key, executionId, source, anyOutcome);
    },
    release,
    giveUp,
    inFlight: reservations.inFlight,
    claimedElsewhere: (executionId) => deps.store.isExecutionClaimed(executionId, deps.clock.now()),
    close() {
      // Runs waiting in the window go on as the ones already being announced do.
      announcing.flush();
      closed = true;
      retries.stop();
    },
    open() {
      closed = false;
      retries.start();
    },
    processRun,
    process: async (report, key, options) => (await processRun(report, key, options)).event,
    async marksSettled() {
      await announcing.settled();
      while (marking.size > 0) await Promise.allSettled([...marking]);
    },
    announcing: () => announcing.size,
  };
}

function enrichFailed(log: Logger, report: RunReport, err: unknown): void {
  // Enrichment never throws by design: this is a bug. Reconciliation can pick the run up again.
  log.error({ executionId: report.executionId, err: describeError(err) }, "could not process a task run");
}

function enrichedAfterClose(log: Logger, report: RunReport): void {
  log.warn({ executionId: report.executionId, source: report.source }, "a run finished enrichment after the intake stopped; it is left for the next start");
}

/** A page of an unconfirmed failure, kept to be ended if QRS later says the run did not happen; a failure is logged, not fatal. */
async function keepPage(deps: RunProcessorDeps, log: Logger, event: TaskEvent, report: RunReport): Promise<void> {
  try {
    await deps.unconfirmedPages?.paged(event, report);
  } catch (err) {
    log.warn({ executionId: report.executionId, err: describeError(err) }, "could not keep an unconfirmed run's page to check it once QRS answers");
  }
}
