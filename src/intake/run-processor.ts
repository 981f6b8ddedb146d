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
import type { ThrottledWarn } from "./log-throttle";

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
}

export interface RunProcessor {
  /**
   * Reserves a dedupe key while the run is queued or enriched. False when the key (or, with `anyOutcome`, any
   * outcome of the execution) was already handled or is in flight.
   */
  claim(key: string, executionId: string, anyOutcome?: boolean): boolean;
  release(key: string): void;
  /** Enriches and emits; marks `key` (and the event id) as seen; releases the claim. Never throws. */
  process(report: RunReport, key: string): Promise<TaskEvent | undefined>;
  /**
   * As `process`, saying why a run was not emitted. A run QRS does not confirm and `alertUnconfirmed` keeps off
   * the bus is `dropped: "unconfirmed"`: not remembered either, so reconciliation still finds it if QRS shows it
   * later.
   */
  processRun(report: RunReport, key: string): Promise<ProcessResult>;
  /**
   * As `processRun`, but resolves once the event is on the bus; `remembered` resolves once the run is marked
   * seen (true) or that failed (false, logged). The marks of many runs share one commit (group commit), and
   * the claim is held until then, so a repeated datagram is still recognised. For the intake's workers: a
   * worker is free for the next run while the marks wait for their commit.
   */
  emitRun(report: RunReport, key: string): Promise<{ result: ProcessResult; remembered: Promise<boolean> }>;
  inFlight(executionId: string): boolean;
  /**
   * After the intake stopped: runs whose enrichment ends later are neither emitted nor remembered (the notifier
   * may already be gone, so an emitted event could reach nobody and still count as handled). Reconciliation or
   * the pending distribute poll picks them up at the next start. `open()` undoes it at start.
   */
  close(): void;
  open(): void;
}

export function createRunProcessor(deps: RunProcessorDeps): RunProcessor {
  const claims = new Map<string, string>(); // key → executionId
  const executions = new Map<string, number>(); // executionId → number of claims
  const log = deps.log.child({ module: "intake" });
  let closed = false;

  function release(key: string) {
    const exec = claims.get(key);
    if (exec === undefined) return;
    claims.delete(key);
    const n = (executions.get(exec) ?? 1) - 1;
    if (n <= 0) executions.delete(exec);
    else executions.set(exec, n);
  }

  function allowed(u: NonNullable<TaskEvent["unconfirmed"]>): boolean {
    return deps.alertUnconfirmed === "always" || (deps.alertUnconfirmed === "qrsUnavailable" && u.qrs === "unavailable");
  }

  async function processRun(report: RunReport, key: string): Promise<ProcessResult> {
    const { result, remembered } = await emitRun(report, key);
    // Not remembered: the caller treats it as not done (a distribute poll keeps its row and polls again).
    return (await remembered) ? result : { dropped: "error" };
  }

  async function emitRun(report: RunReport, key: string): Promise<{ result: ProcessResult; remembered: Promise<boolean> }> {
    let remembered: Promise<boolean> = Promise.resolve(true);
    const done = (result: ProcessResult) => ({ result, remembered });
    try {
      const event = await deps.enricher.enrich(report);
      if (closed) {
        log.warn({ executionId: report.executionId, source: report.source }, "a run finished enrichment after the intake stopped; it is left for the next start");
        return done({ dropped: "closed" });
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
        if (!pass) return done({ dropped: "unconfirmed" });
      }
      await deps.bus.emit(event.kind, event);
      deps.counters.emitted.inc({ kind: event.kind, source: event.source });
      remembered = deps.store
        .markSeenShared(
          // A datagram's key is usually the event id itself: one row then, not the same row written twice.
          key === event.id ? [{ key, executionId: report.executionId }] : [
            { key, executionId: report.executionId },
            { key: event.id, executionId: report.executionId },
          ],
          report.source,
          deps.clock.now(),
          deps.dedupe.ttlMs,
        )
        .then(
          () => true,
          (err: unknown) => {
            // The event went out; reconciliation may offer the run again (the outbox folds a repeated delivery).
            log.error({ executionId: report.executionId, err: describeError(err) }, "could not remember a processed run");
            return false;
          },
        );
      log.info(
        { eventId: event.id, kind: event.kind, taskType: event.taskType, task: event.task.name, source: event.source, complete: event.complete, unconfirmed: event.unconfirmed?.qrs },
        "task event",
      );
      return done({ event });
    } catch (err) {
      // Enrichment never throws by design; this is a bug or a store failure. Keep the key unclaimed so
      // reconciliation can pick the run up again.
      log.error({ executionId: report.executionId, err: describeError(err) }, "could not process a task run");
      return done({ dropped: "error" });
    } finally {
      // The claim holds until the run is remembered (or that failed), so a repeat in between is still a duplicate.
      void remembered.finally(() => release(key));
    }
  }

  return {
    claim(key, executionId, anyOutcome = false) {
      const now = deps.clock.now();
      if (claims.has(key)) return false;
      // Reconciliation always checks what was handled (turning dedupe off must not replay every run from QRS).
      if (anyOutcome) {
        if (executions.has(executionId) || deps.store.isExecutionSeen(executionId, now) || deps.store.isPending(executionId)) return false;
      } else if (deps.dedupe.enabled && deps.store.isSeen(key, now)) return false;
      claims.set(key, executionId);
      executions.set(executionId, (executions.get(executionId) ?? 0) + 1);
      return true;
    },
    release,
    inFlight: (executionId) => executions.has(executionId),
    close: () => void (closed = true),
    open: () => void (closed = false),
    processRun,
    emitRun,
    process: async (report, key) => (await processRun(report, key)).event,
  };
}
