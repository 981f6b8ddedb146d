// Distribution tasks announce "finished executing" without the outcome; it is read from QRS, polling until the
// run is final (bounded). Pending polls live in the store, so a restart resumes them instead of losing them.
// Announcements are datagrams anyone on the network can forge: the list is capped (overall and per source), a
// run QRS does not show within `confirmWithinMs` (or whose task QRS does not know) is given up at once, and each
// tick reads only due rows, so one datagram costs a bounded amount of work and QRS calls.
import { type PollInterval, pollMsOf } from "../../platform/core/poll-interval";
import type { Logger } from "pino";
import { runKey } from "../events/run-key";
import type { Clock, Timer } from "../../platform/core/clock";
import { describeError, isAppError } from "../../platform/core/errors";
import { eq } from "../../platform/qlik/qrs-filter";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { FINAL_EXECUTION_STATUSES, executionStatusName, type QrsExecutionResult } from "../../platform/qlik/qrs-schemas";
import { outcomeOfStatus } from "../events/enrich-mappers";
import type { RunReport } from "../events/enrich-task-event";
import type { IntakeStore, PendingPoll } from "./intake-store";
import type { RunProcessor } from "./run-processor";

export type DistributeReport = Omit<RunReport, "outcome" | "execution">;

export interface DistributePollerOptions {
  pollIntervalMs: number;
  maxWaitMs: number;
  lookupTimeoutMs: number;
  maxPending: number;
  maxPendingPerSource: number;
  confirmWithinMs: number;
  /** In a cluster: also look at the store this often for polls other Stewards added. Unset: only when told (add). */
  rescanMs?: PollInterval;
  /** In a cluster: called when another Steward may have added polls (the peer epoch moved); returns an unsubscribe. */
  onPeerEpoch?: (fn: () => void) => () => void;
}

/** Rows polled per tick; the rest wait for the next one (a long list must not block the event loop). */
const BATCH = 25;

/** "duplicate": the run already waits for its poll (a second datagram, or another Steward, added it). */
export type AddResult = "added" | "full" | "source_full" | "duplicate";

export interface DistributePoller {
  /** Starts polling a run announced by a datagram from `source` (its address), unless the list is full. */
  add(report: DistributeReport, source: string): Promise<AddResult>;
  /** Polls what is pending in the store (of every Steward of a cluster: only one polls at a time). */
  start(): void;
  stop(): Promise<void>;
  pending(): Promise<number>;
}

export const distributeKey = (executionId: string) => runKey(executionId, "distribute");

/**
 * The newest execution result of the run; undefined when QRS has none yet; "no_task" when QRS has no such
 * distribution task (unknown id, or a task of another type: forged either way).
 */
async function readDistribution(qrs: QrsClient, r: DistributeReport, lookupTimeoutMs: number): Promise<QrsExecutionResult | "no_task" | undefined> {
  const call = { timeoutMs: lookupTimeoutMs, signal: AbortSignal.timeout(lookupTimeoutMs) };
  const rows = await qrs.getExecutionResults(eq("executionID", r.executionId), call);
  const newest = rows.sort((a, b) => (b.stopTime ?? "").localeCompare(a.stopTime ?? ""))[0];
  if (newest) return newest;
  let task;
  try {
    task = await qrs.getTaskFull(r.taskId, call);
  } catch (err) {
    if (isAppError(err) && err.code === "NOT_FOUND") return "no_task";
    throw err;
  }
  if (task.taskType !== 3) return "no_task";
  const last = task.operational?.lastExecutionResult;
  return last && (last.executionID ?? "").toLowerCase() === r.executionId ? last : undefined;
}

/** Writes the run's pending poll unless a cap is reached or it is there already. */
async function addPendingPoll(store: IntakeStore, o: DistributePollerOptions, clock: Clock, report: DistributeReport, source: string): Promise<AddResult> {
  if ((await store.pendingCount()) >= o.maxPending) return "full";
  if ((await store.pendingCountFrom(source)) >= o.maxPendingPerSource) return "source_full";
  const now = clock.now();
  const added = await store.addPending<DistributeReport>({
    executionId: report.executionId,
    source,
    payload: report,
    createdAt: now,
    nextAt: now,
    deadline: now + o.maxWaitMs,
    attempts: 0,
  });
  return added ? "added" : "duplicate";
}

export function createDistributePoller(
  o: DistributePollerOptions,
  deps: { qrs?: QrsClient; store: IntakeStore; processor: RunProcessor; clock: Clock; log: Logger },
): DistributePoller {
  const log = deps.log.child({ module: "distribute" });
  let timer: Timer | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  /** The add in progress: adds run one after another. */
  let adding: Promise<void> = Promise.resolve();
  let unsubscribePeers: (() => void) | undefined;

  /** Arms the timer for the earliest pending poll (and, in a cluster, for the next look at the store). */
  async function schedule(): Promise<void> {
    if (stopped) return;
    let nextAt: number | undefined;
    try {
      nextAt = await deps.store.nextPendingAt();
    } catch (err) {
      log.warn({ err: describeError(err) }, "cannot read pending distribution polls; trying again");
    }
    if (stopped) return;
    if (timer) deps.clock.clearTimeout(timer);
    timer = undefined;
    const now = deps.clock.now();
    const at = Math.min(nextAt ?? Number.POSITIVE_INFINITY, o.rescanMs ? now + pollMsOf(o.rescanMs) : Number.POSITIVE_INFINITY);
    if (at === Number.POSITIVE_INFINITY) return;
    timer = deps.clock.setTimeout(() => tick(), Math.max(0, at - now));
    timer.unref?.();
  }

  /** Ends the poll: announces the run (enriched), or gives it up when QRS denied it (`denied`: why). */
  async function finish(p: PendingPoll<DistributeReport>, result: QrsExecutionResult | undefined, why?: string, denied?: string) {
    // Emitted and remembered, but a crash came before the row was removed: do not announce the run twice.
    if (await deps.store.isSeen(distributeKey(p.executionId), deps.clock.now())) return deps.store.removePending(p.executionId);
    // Another Steward (which led a moment ago) is announcing it right now: leave the row to it.
    if (!(await deps.processor.claim(distributeKey(p.executionId), p.executionId, false, p.payload.source))) return;
    const byStatus = result ? outcomeOfStatus(result.status) : undefined;
    why ??= result ? `QRS status ${executionStatusName(result.status)}` : "no execution result in QRS";
    // Without a final QRS state the log level is the best hint the datagram carries.
    const outcome = byStatus ?? (/^(warn|error|fatal)/i.test(p.payload.logLevel ?? "") ? "failed" : "succeeded");
    const knownMissing = byStatus ? undefined : [{ item: "outcome", reason: `${why}; guessed from log level ${p.payload.logLevel ?? "?"}` }];
    // The pending row goes only once the event is emitted and remembered: until then it is the run's only durable
    // trace (reconciliation skips pending runs), so a crash or a failed emit leaves it to be polled again.
    const done = await deps.processor.processRun({ ...p.payload, outcome, execution: result, knownMissing, deniedByQrs: denied }, distributeKey(p.executionId));
    // A run QRS does not confirm and that is not to be announced is given up, not polled again.
    if (done.event || done.dropped === "unconfirmed") await deps.store.removePending(p.executionId);
    else await deps.store.updatePending(p.executionId, deps.clock.now() + o.pollIntervalMs, p.attempts + 1);
    if (done.event && !byStatus) log.warn({ executionId: p.executionId, why }, "distribution outcome not known from QRS; guessed from the log level");
  }

  async function tick() {
    if (running || stopped) return;
    running = (async () => {
      for (const p of await deps.store.listDuePending<DistributeReport>(deps.clock.now(), BATCH)) {
        if (stopped) break;
        const now = deps.clock.now();
        if (!deps.qrs) {
          await finish(p, undefined, "qlik is not configured");
          continue;
        }
        let result: QrsExecutionResult | "no_task" | undefined;
        let error: string | undefined;
        try {
          result = await readDistribution(deps.qrs, p.payload, o.lookupTimeoutMs);
        } catch (err) {
          error = describeError(err);
        }
        // QRS answered and does not know the task, or has not shown the run within the confirmation window: the
        // announcement is taken as forged (enrichment confirms that once more and decides whether it is announced).
        if (result === "no_task") {
          const why = `QRS has no distribution task ${p.payload.taskId}`;
          await finish(p, undefined, why, why);
        } else if (!result && !error && now - p.createdAt >= o.confirmWithinMs) {
          const why = `QRS did not show execution ${p.executionId} of task ${p.payload.taskId} within ${Math.round(o.confirmWithinMs / 1000)} s`;
          await finish(p, undefined, why, why);
        } else if (result && FINAL_EXECUTION_STATUSES.has(result.status)) await finish(p, result);
        else if (now >= p.deadline) {
          await finish(
            p,
            result,
            `the distribution had not finished after ${Math.round(o.maxWaitMs / 60_000)} min (last status ${result ? executionStatusName(result.status) : (error ?? "unknown")})`,
          );
        } else {
          await deps.store.updatePending(p.executionId, Math.min(p.deadline, now + o.pollIntervalMs), p.attempts + 1);
          log.debug({ executionId: p.executionId, status: result?.status, error }, "distribution not final yet");
        }
      }
    })()
      .catch((err) => log.warn({ err: describeError(err) }, "polling distribution runs failed; trying again"))
      .finally(() => {
        running = undefined;
      });
    await running;
    await schedule();
  }

  return {
    add(report, source) {
      // One at a time: the caps are checked and the row written as one step (workers add concurrently). Stewards
      // of a cluster check the shared list each on their own, so together they may pass a cap by a few rows.
      const result = adding.then(() => addNow(report, source));
      adding = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
    start() {
      stopped = false;
      unsubscribePeers?.();
      unsubscribePeers = o.onPeerEpoch?.(() => void tick());
      void deps.store
        .pendingCount()
        .then((n) => n > 0 && log.info({ pending: n }, "resuming distribution polls from the store"))
        .catch(() => {});
      void schedule();
    },
    async stop() {
      stopped = true;
      unsubscribePeers?.();
      unsubscribePeers = undefined;
      if (timer) deps.clock.clearTimeout(timer);
      timer = undefined;
      await running;
    },
    pending: () => deps.store.pendingCount(),
  };

  async function addNow(report: DistributeReport, source: string): Promise<AddResult> {
    const added = await addPendingPoll(deps.store, o, deps.clock, report, source);
    if (added === "added") await schedule();
    return added;
  }
}
