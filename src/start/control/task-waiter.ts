// Follows task runs started through QRS's synchronous start until they finish (?wait=true): polls the execution
// session until QRS deletes it, then reads the execution result and the script log tail.
import type { Logger } from "pino";
import { type Clock, sleep } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { eq } from "../../platform/qlik/qrs-filter";
import { executionStatusName, FINAL_EXECUTION_STATUSES, isNeverDate, type QrsExecutionResult } from "../../platform/qlik/qrs-schemas";
import type { StartedTask } from "./types";

export type TaskWaiterQrs = Pick<QrsClient, "isExecutionSessionActive" | "getExecutionResults" | "getScriptLog">;

export type RunOutcome = "succeeded" | "failed" | "aborted" | "timeout" | "unknown";

export interface TaskRunResult {
  taskId: string;
  taskName: string;
  executionSessionId: string;
  outcome: RunOutcome;
  statusCode?: number;
  status?: string;
  startTime?: string;
  stopTime?: string;
  durationMs?: number;
  executingNode?: string;
  scriptLogTail: string[];
  /** Why the outcome or the log is missing, when it is. */
  note?: string;
}

export interface WaitOptions {
  timeoutMs: number;
  pollIntervalMs: number;
  logTailLines: number;
}

export function outcomeOf(status: number): RunOutcome {
  if (status === 7) return "succeeded";
  if (status === 6) return "aborted";
  if (status === 8 || status === 11) return "failed";
  return "unknown";
}

export function tailLines(text: string, n: number): string[] {
  if (n <= 0) return [];
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines.slice(-n);
}

export function createTaskWaiter(qrs: TaskWaiterQrs, log: Logger, clock: Clock) {
  async function latestResult(sessionId: string): Promise<QrsExecutionResult | undefined> {
    const results = await qrs.getExecutionResults(eq("executionID", sessionId));
    // One result per attempt (retries); the newest one is the outcome.
    return [...results].sort((a, b) => String(a.startTime ?? "").localeCompare(String(b.startTime ?? ""))).at(-1);
  }

  async function waitOne(task: StartedTask & { executionSessionId: string }, opts: WaitOptions, signal: AbortSignal): Promise<TaskRunResult> {
    const base = { taskId: task.taskId, taskName: task.taskName, executionSessionId: task.executionSessionId, scriptLogTail: [] as string[] };
    let result: QrsExecutionResult | undefined;
    let lastError: string | undefined;
    // The session disappears when the run ends; then the result is final (QRS may need a moment to write it).
    while (!signal.aborted) {
      try {
        const active = await qrs.isExecutionSessionActive(task.executionSessionId, { signal });
        if (!active) {
          result = await latestResult(task.executionSessionId);
          if (result && FINAL_EXECUTION_STATUSES.has(result.status)) break;
        }
      } catch (err) {
        lastError = describeError(err);
        log.debug({ taskId: task.taskId, err: lastError }, "polling a task run failed; retrying");
      }
      await sleep(clock, opts.pollIntervalMs, signal);
    }
    if (!result || !FINAL_EXECUTION_STATUSES.has(result.status)) {
      return {
        ...base,
        outcome: "timeout",
        ...(result ? { statusCode: result.status, status: executionStatusName(result.status) } : {}),
        note: `still running after ${opts.timeoutMs} ms${lastError ? ` (last error: ${lastError})` : ""}`,
      };
    }
    const run: TaskRunResult = {
      ...base,
      outcome: outcomeOf(result.status),
      statusCode: result.status,
      status: executionStatusName(result.status),
      ...(result.startTime && !isNeverDate(result.startTime) ? { startTime: result.startTime } : {}),
      ...(result.stopTime && !isNeverDate(result.stopTime) ? { stopTime: result.stopTime } : {}),
      ...(typeof result.duration === "number" ? { durationMs: result.duration } : {}),
      ...(result.executingNodeName ? { executingNode: result.executingNodeName } : {}),
    };
    // Only reload tasks have a script log.
    if (opts.logTailLines > 0 && (task.taskType === undefined || task.taskType === 0)) {
      try {
        const logText = await qrs.getScriptLog(task.taskId, {
          executionResultId: result.id,
          ...(result.fileReferenceID ? { fileReferenceId: result.fileReferenceID } : {}),
          attempts: 3,
          retryDelayMs: Math.min(1000, opts.pollIntervalMs),
          signal,
        });
        run.scriptLogTail = tailLines(logText.text, opts.logTailLines);
      } catch (err) {
        run.note = `script log unavailable: ${describeError(err)}`;
      }
    }
    return run;
  }

  return {
    /** Waits for every run that has an execution session; the whole wait is bounded by opts.timeoutMs. */
    async waitAll(tasks: StartedTask[], opts: WaitOptions): Promise<TaskRunResult[]> {
      const signal = AbortSignal.timeout(opts.timeoutMs);
      const followed = tasks.filter((t): t is StartedTask & { executionSessionId: string } => t.status === "started" && !!t.executionSessionId);
      return Promise.all(followed.map((t) => waitOne(t, opts, signal)));
    },
  };
}

export type TaskWaiter = ReturnType<typeof createTaskWaiter>;
