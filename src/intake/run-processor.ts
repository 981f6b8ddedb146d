// The one path from "a run ended" to a domain event on the bus, shared by datagrams, distribute polling and
// reconciliation: claim (dedupe in memory and in the store) → enrich → emit → remember as seen.
import type { Logger } from "pino";
import type { Clock } from "../core/clock";
import type { EventBus } from "../core/bus";
import { describeError } from "../core/errors";
import type { Counter } from "../core/metrics";
import type { DomainEvents, TaskEvent } from "../events/types";
import type { RunReport, TaskEventEnricher } from "../events/enrich-task-event";
import type { IntakeStore } from "./intake-store";
import { createLineBudget, type ThrottledWarn } from "./log-throttle";

/** Which runs QRS did not confirm still reach the bus (marked `unconfirmed`): see `intake.confirm`. */
export type AlertUnconfirmed = "never" | "qrsUnavailable" | "always";

export type ProcessResult = { event: TaskEvent; dropped?: undefined } | { event?: undefined; dropped: "unconfirmed" | "error" | "closed" };

export interface RunProcessorDeps {
  enricher: TaskEventEnricher;
  bus: EventBus<DomainEvents>;
  store: IntakeStore;
  clock: Clock;
  log: Logger;
  dedupe: { enabled: boolean; ttlMs: number };
  alertUnconfirmed: AlertUnconfirmed;
  counters: { enriched: Counter; emitted: Counter; deduplicated: Counter; unconfirmed: Counter };
  /** Datagram-driven warnings share the intake's log budget (a forged run is one datagram away). */
  warnOnce: ThrottledWarn;
  /** This Steward instance, named in its claims. */
  instanceId: string;
  /**
   * Runs between enrichment and the bus (src/incidents/): returns the event with its history, cause and incident,
   * then follow-up events to emit after it. A failure here is logged and the event goes out as it is: a lost history
   * is better than a lost alert.
   */
  annotate?: (e: TaskEvent) => Promise<TaskEvent[]>;
}

/**
 * How long a claim protects a run a Steward works on. Enrichment takes seconds. The claims of a Steward that
 * died are dropped when it (on its own store) or the reconciling Steward of a cluster starts; at the latest they
 * run out after this.
 */
export const CLAIM_LEASE_MS = 5 * 60_000;

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
  /** Resolves when every seen mark written in the background (ProcessOptions.markInBackground) has settled. */
  marksSettled(): Promise<void>;
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

export function createRunProcessor(deps: RunProcessorDeps): RunProcessor {
  const claims = new Map<string, string>(); // key → executionId
  const executions = new Map<string, number>(); // executionId → number of claims
  /** Keys this Steward claimed in the store (and must mark seen or give up). */
  const stored = new Set<string>();
  const log = deps.log.child({ module: "intake" });
  const eventLines = createLineBudget(EVENT_LINES_PER_SECOND, 1_000, () => deps.clock.now());
  let closed = false;
  /** Seen marks written in the background, until they settle. */
  const marking = new Set<Promise<void>>();

  function release(key: string) {
    const exec = claims.get(key);
    if (exec === undefined) return;
    claims.delete(key);
    const n = (executions.get(exec) ?? 1) - 1;
    if (n <= 0) executions.delete(exec);
    else executions.set(exec, n);
  }

  async function giveUp(key: string): Promise<void> {
    if (!stored.delete(key)) return;
    try {
      await deps.store.unclaim(key);
    } catch (err) {
      log.warn({ key, err: describeError(err) }, "could not give up a run claim; it runs out on its own");
    }
  }

  const reserve = (key: string, executionId: string, anyOutcome = false): boolean => {
    if (claims.has(key)) return false;
    if (anyOutcome && executions.has(executionId)) return false;
    claims.set(key, executionId);
    executions.set(executionId, (executions.get(executionId) ?? 0) + 1);
    return true;
  };

  const claimStored = async (key: string, executionId: string, source: string, anyOutcome = false): Promise<boolean> => {
    const now = deps.clock.now();
    try {
      // Reconciliation always checks what was handled (turning dedupe off must not replay every run from QRS).
      if (anyOutcome && ((await deps.store.isExecutionSeen(executionId, now)) || (await deps.store.isPending(executionId)))) {
        release(key);
        return false;
      }
      if (!deps.dedupe.enabled && !anyOutcome) return true;
      if (!(await deps.store.claim(key, executionId, source, now, CLAIM_LEASE_MS, deps.instanceId))) {
        release(key);
        return false;
      }
    } catch (err) {
      release(key);
      throw err;
    }
    stored.add(key);
    return true;
  };

  function allowed(u: NonNullable<TaskEvent["unconfirmed"]>): boolean {
    return deps.alertUnconfirmed === "always" || (deps.alertUnconfirmed === "qrsUnavailable" && u.qrs === "unavailable");
  }

  async function annotate(event: TaskEvent): Promise<TaskEvent[]> {
    if (!deps.annotate) return [event];
    try {
      return await deps.annotate(event);
    } catch (err) {
      log.warn({ executionId: event.executionId, err: describeError(err) }, "could not add the run's history and incident; the event goes out without them");
      return [event];
    }
  }

  async function processRun(report: RunReport, key: string, options: ProcessOptions = {}): Promise<ProcessResult> {
    // False once a background mark took over releasing the claim.
    let releaseNow = true;
    try {
      let event = await deps.enricher.enrich(report);
      if (closed) {
        log.warn(
          { executionId: report.executionId, source: report.source },
          "a run finished enrichment after the intake stopped; it is left for the next start",
        );
        await giveUp(key);
        return { dropped: "closed" };
      }
      deps.counters.enriched.inc({ complete: String(event.complete) });
      if (event.unconfirmed) {
        const pass = allowed(event.unconfirmed);
        deps.counters.unconfirmed.inc({ qrs: event.unconfirmed.qrs, action: pass ? "emitted" : "dropped" });
        deps.warnOnce(
          `unconfirmed|${event.unconfirmed.qrs}`,
          { executionId: report.executionId, taskId: report.taskId, outcome: report.outcome, host: report.host, why: event.unconfirmed.reason },
          pass
            ? "QRS did not confirm a run a datagram reported; it is announced marked unconfirmed and starts no task"
            : "QRS did not confirm a run a datagram reported (forged, or QRS lost it); it is not announced",
        );
        if (!pass) {
          await giveUp(key);
          return { dropped: "unconfirmed" };
        }
      }
      const [withHistory = event, ...followUps] = await annotate(event);
      event = withHistory;
      await deps.bus.emit(event.kind, event);
      deps.counters.emitted.inc({ kind: event.kind, source: event.source });
      // After the run's own event: a failure to hand one over leaves the run unmarked, so it is handled again and
      // the same (idempotent) events go out again.
      for (const f of followUps) {
        await deps.bus.emit(f.kind, f);
        deps.counters.emitted.inc({ kind: f.kind, source: f.source });
      }
      // The event id is usually the claim key itself (ExecutionId:outcome): then one row, not the same row twice.
      const marked = deps.store
        .markSeen(
          event.id === key
            ? [{ key, executionId: report.executionId }]
            : [
                { key, executionId: report.executionId },
                { key: event.id, executionId: report.executionId },
              ],
          report.source,
          deps.clock.now(),
          deps.dedupe.ttlMs,
        )
        .then(() => void stored.delete(key));
      if (options.markInBackground) {
        releaseNow = false;
        const tracked: Promise<void> = marked
          .catch(async (err: unknown) => {
            log.error(
              { executionId: report.executionId, err: describeError(err) },
              "could not remember a task run as handled; reconciliation may announce it again",
            );
            await giveUp(key);
          })
          .finally(() => {
            release(key);
            marking.delete(tracked);
          });
        marking.add(tracked);
      } else await marked;
      // One line per event, up to EVENT_LINES_PER_SECOND: a site sends a few a second, so normally every one; in a
      // burst the rest of that second is counted and the count rides on the next line (every event is still on
      // /metrics and on the bus). Formatting a line costs about as much as the event's own store writes.
      const notLogged = eventLines.take();
      if (notLogged !== undefined) {
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
      return { event };
    } catch (err) {
      // Enrichment never throws by design; this is a bug or a store failure. Give the claim up so
      // reconciliation can pick the run up again.
      log.error({ executionId: report.executionId, err: describeError(err) }, "could not process a task run");
      await giveUp(key);
      return { dropped: "error" };
    } finally {
      if (releaseNow) release(key);
    }
  }

  return {
    reserve,
    claimStored,
    async claim(key, executionId, anyOutcome = false, source = anyOutcome ? "reconcile" : "udp") {
      if (!reserve(key, executionId, anyOutcome)) return false;
      return claimStored(key, executionId, source, anyOutcome);
    },
    release,
    giveUp,
    inFlight: (executionId) => executions.has(executionId),
    claimedElsewhere: (executionId) => deps.store.isExecutionClaimed(executionId, deps.clock.now()),
    close: () => void (closed = true),
    open: () => void (closed = false),
    processRun,
    process: async (report, key, options) => (await processRun(report, key, options)).event,
    async marksSettled() {
      while (marking.size > 0) await Promise.allSettled([...marking]);
    },
  };
}
