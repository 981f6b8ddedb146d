// What QRS's final word is about a run paged unconfirmed (issue 103): real only when QRS shows that very execution
// ended the way the datagram said; "did not happen" only when QRS has no such task, shows the execution ended
// otherwise, or still has no execution of that id once the final word's wait is over (a real QRS may write a run's
// result minutes after its datagram). A run QRS shows still going is neither yet.
import type { Logger } from "pino";
import { describeError, isAppError } from "../../platform/core/errors";
import type { TaskEvent } from "../../platform/events/types";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { eq } from "../../platform/qlik/qrs-filter";
import { executionStatusName, FINAL_EXECUTION_STATUSES } from "../../platform/qlik/qrs-schemas";
import { outcomeOfStatus } from "../events/enrich-mappers";

/** How long QRS may take to show a run's execution in its final state before a run it does not show did not happen. */
export const FINAL_WORD_WITHIN_MS = 10 * 60_000;

/** real: QRS confirms it; not real: why it did not happen as reported; wait: QRS has no final word yet; undefined: QRS did not answer. */
export type Verdict = { real: true } | { real: false; why: string } | { wait: string } | undefined;

/** QRS's AbortInitiated and Aborting: an abort is reported at "Aborting", so either is that abort. */
const ABORTING = new Set([4, 5]);

export async function verdictOf(
  qrs: QrsClient,
  held: { e: TaskEvent; unnamed: boolean },
  ageMs: number,
  log: Logger,
  finalWordWithinMs = FINAL_WORD_WITHIN_MS,
): Promise<Verdict> {
  const { e } = held;
  try {
    await qrs.getTask(e.task.id);
  } catch (err) {
    if (isAppError(err) && err.code === "NOT_FOUND") return { real: false, why: `QRS has no task ${e.task.id}` };
    log.debug({ taskId: e.task.id, err: describeError(err) }, "QRS could not be asked about an unconfirmed run's task yet");
    return undefined;
  }
  // A datagram that named no execution is matched by time: its task exists, so it is left as a real run would be.
  if (held.unnamed) return { real: true };
  let runs: Awaited<ReturnType<QrsClient["getExecutionResults"]>>;
  try {
    runs = await qrs.getExecutionResults(eq("executionID", e.executionId));
  } catch (err) {
    log.debug({ executionId: e.executionId, err: describeError(err) }, "QRS could not be asked about an unconfirmed run yet");
    return undefined;
  }
  const mine = runs.filter((r) => !r.taskID || r.taskID.toLowerCase() === e.task.id.toLowerCase());
  if (mine.length === 0) {
    if (ageMs < finalWordWithinMs) return { wait: `QRS has no execution ${e.executionId} yet` };
    const min = Math.round(finalWordWithinMs / 60_000);
    return { real: false, why: `QRS has no execution ${e.executionId} of task ${e.task.id}, ${min} min after its datagram` };
  }
  // A task with retries has one result per attempt under the same ExecutionId: any may be the one reported.
  const as = (s: number) => (FINAL_EXECUTION_STATUSES.has(s) ? outcomeOfStatus(s) : e.outcome === "aborted" && ABORTING.has(s) ? "aborted" : undefined);
  if (mine.some((r) => as(r.status) === e.outcome)) return { real: true };
  const going = mine.find((r) => !FINAL_EXECUTION_STATUSES.has(r.status));
  if (going) return { wait: `QRS shows execution ${e.executionId} as ${executionStatusName(going.status)}, not final yet` };
  return { real: false, why: `QRS reports execution ${e.executionId} as ${executionStatusName(mine[0]!.status)}, the datagram as ${e.outcome}` };
}
