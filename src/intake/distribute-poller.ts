// Distribution tasks announce "finished executing" without the outcome; it is read from QRS, polling until the
// run is final (bounded). Pending polls live in the store, so a restart resumes them instead of losing them.
import type { Logger } from "pino";
import type { Clock, Timer } from "../core/clock";
import { describeError } from "../core/errors";
import { eq } from "../qlik/qrs-filter";
import type { QrsClient } from "../qlik/qrs-client";
import { FINAL_EXECUTION_STATUSES, executionStatusName, type QrsExecutionResult } from "../qlik/qrs-schemas";
import { outcomeOfStatus } from "../events/enrich-mappers";
import type { RunReport } from "../events/enrich-task-event";
import type { IntakeStore, PendingPoll } from "./intake-store";
import type { RunProcessor } from "./run-processor";

export type DistributeReport = Omit<RunReport, "outcome" | "execution">;

export interface DistributePollerOptions {
  pollIntervalMs: number;
  maxWaitMs: number;
  lookupTimeoutMs: number;
}

export interface DistributePoller {
  add(report: DistributeReport): void;
  start(): void;
  stop(): Promise<void>;
  pending(): number;
}

export const distributeKey = (executionId: string) => `${executionId}:distribute`;

export function createDistributePoller(
  o: DistributePollerOptions,
  deps: { qrs?: QrsClient; store: IntakeStore; processor: RunProcessor; clock: Clock; log: Logger },
): DistributePoller {
  const log = deps.log.child({ module: "distribute" });
  let timer: Timer | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  function schedule() {
    if (stopped) return;
    if (timer) deps.clock.clearTimeout(timer);
    timer = undefined;
    const next = deps.store.listPending()[0];
    if (!next) return;
    timer = deps.clock.setTimeout(() => void tick(), Math.max(0, next.nextAt - deps.clock.now()));
    timer.unref?.();
  }

  async function read(r: DistributeReport): Promise<QrsExecutionResult | undefined> {
    const qrs = deps.qrs!;
    const call = { timeoutMs: o.lookupTimeoutMs, signal: AbortSignal.timeout(o.lookupTimeoutMs) };
    const rows = await qrs.getExecutionResults(eq("executionID", r.executionId), call);
    const newest = rows.sort((a, b) => (b.stopTime ?? "").localeCompare(a.stopTime ?? ""))[0];
    if (newest) return newest;
    const last = (await qrs.getTaskFull(r.taskId, call)).operational?.lastExecutionResult;
    return last && (last.executionID ?? "").toLowerCase() === r.executionId ? last : undefined;
  }

  async function finish(p: PendingPoll<DistributeReport>, result: QrsExecutionResult | undefined, why?: string) {
    // Emitted and remembered, but a crash came before the row was removed: do not announce the run twice.
    if (deps.store.isSeen(distributeKey(p.executionId), deps.clock.now())) return deps.store.removePending(p.executionId);
    const byStatus = result ? outcomeOfStatus(result.status) : undefined;
    why ??= result ? `QRS status ${executionStatusName(result.status)}` : "no execution result in QRS";
    // Without a final QRS state the log level is the best hint the datagram carries.
    const outcome = byStatus ?? (/^(warn|error|fatal)/i.test(p.payload.logLevel ?? "") ? "failed" : "succeeded");
    if (!byStatus) log.warn({ executionId: p.executionId, why }, "distribution outcome not known from QRS; guessed from the log level");
    const knownMissing = byStatus ? undefined : [{ item: "outcome", reason: `${why}; guessed from log level ${p.payload.logLevel ?? "?"}` }];
    // The pending row goes only once the event is emitted and remembered: until then it is the run's only durable
    // trace (reconciliation skips pending runs), so a crash or a failed emit leaves it to be polled again.
    const event = await deps.processor.process({ ...p.payload, outcome, execution: result, knownMissing }, distributeKey(p.executionId));
    if (event) deps.store.removePending(p.executionId);
    else deps.store.updatePending(p.executionId, deps.clock.now() + o.pollIntervalMs, p.attempts + 1);
  }

  async function tick() {
    if (running || stopped) return;
    running = (async () => {
      for (const p of deps.store.listPending<DistributeReport>()) {
        if (stopped) break;
        const now = deps.clock.now();
        if (p.nextAt > now) break;
        if (!deps.qrs) {
          await finish(p, undefined, "qlik is not configured");
          continue;
        }
        let result: QrsExecutionResult | undefined;
        let error: string | undefined;
        try {
          result = await read(p.payload);
        } catch (err) {
          error = describeError(err);
        }
        if (result && FINAL_EXECUTION_STATUSES.has(result.status)) await finish(p, result);
        else if (now >= p.deadline) {
          await finish(p, result, `the distribution had not finished after ${Math.round(o.maxWaitMs / 60_000)} min (last status ${result ? executionStatusName(result.status) : error ?? "unknown"})`);
        } else {
          deps.store.updatePending(p.executionId, Math.min(p.deadline, now + o.pollIntervalMs), p.attempts + 1);
          log.debug({ executionId: p.executionId, status: result?.status, error }, "distribution not final yet");
        }
      }
    })().finally(() => {
      running = undefined;
      schedule();
    });
    await running;
  }

  return {
    add(report) {
      const now = deps.clock.now();
      deps.store.addPending<DistributeReport>({ executionId: report.executionId, payload: report, createdAt: now, nextAt: now, deadline: now + o.maxWaitMs, attempts: 0 });
      schedule();
    },
    start() {
      stopped = false;
      const n = deps.store.listPending().length;
      if (n > 0) log.info({ pending: n }, "resuming distribution polls from the store");
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) deps.clock.clearTimeout(timer);
      timer = undefined;
      await running;
    },
    pending: () => deps.store.pendingCount(),
  };
}
