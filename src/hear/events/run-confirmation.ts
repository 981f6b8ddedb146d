// Whether QRS confirms the run a datagram reports: UDP is unauthenticated and source addresses can be forged, so
// a datagram is a hint. Confirmed: QRS knows the task and an execution with this id of this task, and, if that
// execution is final, its outcome is the datagram's. The execution row exists from the moment the run is
// triggered; only its final state lags, which the final-status reads already wait for: a run still not final after
// them stays unconfirmed (issue 103).
import type { Clock } from "../../platform/core/clock";
import { describeError, isAppError } from "../../platform/core/errors";
import { eq } from "../../platform/qlik/qrs-filter";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { FINAL_EXECUTION_STATUSES, executionStatusName, isNeverDate, type QrsExecutionResult, type QrsTask } from "../../platform/qlik/qrs-schemas";
import type { RunReport } from "./run-report";
import { outcomeOfStatus } from "./enrich-mappers";
import type { Lookups } from "./qrs-lookups";
import type { TaskEvent } from "../../platform/events/types";
import { unnamedRunMissing } from "./unnamed-run";

/** QRS's execution status Retry: an attempt failed and the Scheduler runs the task again. */
const RETRY_STATUS = 10;

/** Undefined when confirmed (or not a datagram); else why not, and whether QRS denied the run or could not be asked. */
export async function confirmRun(
  qrs: QrsClient,
  r: RunReport,
  task: QrsTask | undefined,
  execution: QrsExecutionResult | undefined,
  look: Lookups,
  deps: { clock: Clock; maxRunAgeMs?: number },
): Promise<TaskEvent["unconfirmed"]> {
  if (r.source !== "udp") return undefined;
  if (look.down) return { qrs: "unavailable", reason: `QRS could not be asked (${look.down.replace(/^QRS unavailable \((.*)\)$/, "$1")})` };
  if (!task) {
    const err = look.errorOf("task");
    if (isAppError(err) && err.code === "NOT_FOUND") return { qrs: "denied", reason: `QRS has no task ${r.taskId}` };
    return { qrs: "unavailable", reason: `the task lookup failed (${describeError(err)})` };
  }
  if (!execution && r.executionIdAsSent !== undefined) {
    const err = look.errorOf("execution");
    if (err) return { qrs: "unavailable", reason: `the task lookup failed (${describeError(err)})` };
    return { qrs: "denied", reason: unnamedRunMissing(r) };
  }
  if (!execution) {
    const err = look.errorOf("execution");
    if (err) return { qrs: "unavailable", reason: `the execution lookup failed (${describeError(err)})` };
    return { qrs: "denied", reason: `QRS has no execution ${r.executionId} of task ${r.taskId}` };
  }
  if (execution.taskID && execution.taskID.toLowerCase() !== r.taskId) {
    return { qrs: "denied", reason: `execution ${r.executionId} belongs to task ${execution.taskID.toLowerCase()}, not ${r.taskId}` };
  }
  const final = FINAL_EXECUTION_STATUSES.has(execution.status) ? outcomeOfStatus(execution.status) : undefined;
  const stopped = final && !isNeverDate(execution.stopTime) ? Date.parse(execution.stopTime!) : Number.NaN;
  if (deps.maxRunAgeMs !== undefined && deps.clock.now() - stopped > deps.maxRunAgeMs) {
    return { qrs: "denied", reason: `execution ${r.executionId} ended at ${execution.stopTime}, longer ago than runs are remembered: a replayed datagram` };
  }
  // An abort is reported at "Aborting": QRS's AbortInitiated (4) or Aborting (5) is that very abort.
  const aborting = r.outcome === "aborted" && (execution.status === 4 || execution.status === 5);
  // A failed attempt of a task with retries is reported while QRS shows the run in Retry (10): QRS's own word that the
  // attempt failed and the Scheduler tries again.
  const retrying = r.outcome === "failed" && execution.status === RETRY_STATUS;
  if (r.distribute || aborting || retrying || (final !== undefined && final === r.outcome)) return undefined;
  // A task with retries has one result per attempt under the same ExecutionId: an earlier attempt may have ended the
  // way the datagram says (QRS's final word on that attempt, while the run goes on with the next one).
  const attempts = await look.run("confirmation", (o) => qrs.getExecutionResults(eq("executionID", r.executionId), o));
  if (attempts === undefined) return { qrs: "unavailable", reason: `the execution lookup failed (${describeError(look.errorOf("confirmation"))})` };
  if (attempts.some((a) => FINAL_EXECUTION_STATUSES.has(a.status) && outcomeOfStatus(a.status) === r.outcome)) return undefined;
  // A run still going confirms nothing: its row exists from the trigger, so a forged end naming it would otherwise
  // close its incident (or open a confirmed page) while it runs. Left unconfirmed, it is judged again later.
  if (final === undefined)
    return { qrs: "unavailable", reason: `QRS shows execution ${r.executionId} as ${executionStatusName(execution.status)}, not final yet` };
  return { qrs: "denied", reason: `QRS reports execution ${r.executionId} as ${executionStatusName(execution.status)}, the datagram as ${r.outcome}` };
}
