// A Scheduler datagram that names no execution (log4net prints an unset ExecutionId as "(null)"): the run it reports
// is found by time instead, as QRS's last run of the task that ended so a moment ago. Butler alerts on such a
// datagram; Steward does too, and confirms it against QRS this way, so a forged one for a task that did not just end
// that way is not announced (issue 59).
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { FINAL_EXECUTION_STATUSES, isNeverDate, type QrsExecutionResult, type QrsTask } from "../../platform/qlik/qrs-schemas";
import { outcomeOfStatus } from "./enrich-mappers";
import type { Lookups } from "./qrs-lookups";
import type { RunReport } from "./run-report";
import type { TaskEvent } from "../../platform/events/types";

/** How long ago QRS's last run of the task may have ended to be the run a datagram without an ExecutionId reports. */
export const UNNAMED_RUN_WINDOW_MS = 10 * 60_000;

/** The task's last run, when it ended as the datagram says within UNNAMED_RUN_WINDOW_MS of `nowMs`; else undefined. */
export function unnamedRunOf(task: QrsTask | undefined, r: RunReport, nowMs: number): QrsExecutionResult | undefined {
  const last = task?.operational?.lastExecutionResult as QrsExecutionResult | null | undefined;
  if (!last || !FINAL_EXECUTION_STATUSES.has(last.status) || outcomeOfStatus(last.status) !== r.outcome) return undefined;
  if (last.taskID && last.taskID.toLowerCase() !== r.taskId) return undefined;
  const stopped = isNeverDate(last.stopTime) ? Number.NaN : Date.parse(last.stopTime!);
  return Math.abs(nowMs - stopped) <= UNNAMED_RUN_WINDOW_MS ? last : undefined;
}

/** Why the run of a datagram without an ExecutionId could not be found in QRS. */
export function unnamedRunMissing(r: RunReport): string {
  return `the Scheduler's datagram named no execution (ExecutionId ${JSON.stringify(r.executionIdAsSent)}) and QRS shows no run of task ${r.taskId} that ended ${r.outcome} in the last ${UNNAMED_RUN_WINDOW_MS / 60_000} minutes`;
}

/**
 * The run of a datagram that named no execution: QRS's last run of the task, if it ended as the datagram says a
 * moment ago; the task is read again while QRS has not recorded the end yet, as for a named run. Not found: why, in
 * `missing`.
 */
export async function findUnnamedRun(
  qrs: QrsClient,
  r: RunReport,
  task: QrsTask | undefined,
  missing: NonNullable<TaskEvent["missing"]>,
  look: Lookups,
  o: { attempts: number; delayMs: number; sleep(ms: number): Promise<void>; now(): number },
): Promise<QrsExecutionResult | undefined> {
  let current = task;
  for (let attempt = 1; attempt <= o.attempts; attempt++) {
    const found = unnamedRunOf(current, r, o.now());
    if (found) return found;
    if (attempt === o.attempts || look.down) break;
    await o.sleep(o.delayMs);
    current = (await look.run("execution", (c) => qrs.getTaskFull(r.taskId, c))) ?? current;
  }
  missing.push({ item: "execution", reason: unnamedRunMissing(r) });
  return undefined;
}
