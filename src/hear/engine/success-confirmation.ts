// Whether QRS confirms a successful reload an Engine line reports (a line from a node's address may be forged): the
// app's lastReloadTime moved to the reload's end, the line is fresh, and that time is not another reload's, namely a
// Scheduler run of the app that ended then (issue 103: a forged success sent just after a real Scheduler reload was
// taken as confirmed by that reload's time and ended the app's Engine cause).
import type { Logger } from "pino";
import type { TaskEvent } from "../../platform/events/types";
import type { ReloadJudge } from "./reload-judge";
import type { FinishedReload } from "./reload-tracker";

/** QRS's lastReloadTime of a reload that ended at t is at least this close to t (node clocks, QRS's own write). */
const CONFIRM_SLACK_MS = 60_000;
/**
 * A reload's lines reach Steward seconds after it ended (engineReloads.settle): one dated longer ago than this is a
 * replayed or forged line (dated at the app's last real reload, which the hub shows), or its node's clock is off.
 */
const LINE_AGE_MS = 10 * 60_000;
const ENDS_NOTHING = "not counted as fresh data, and it ends no cause";

/** Undefined when QRS confirms the success; else why not (the event's `unconfirmed`). */
export async function confirmEngineSuccess(
  run: FinishedReload,
  facts: { appKnown: boolean; lastReloadMs?: number },
  deps: { judge: Pick<ReloadJudge, "schedulerRunAt">; log: Logger; nowMs: number },
): Promise<TaskEvent["unconfirmed"]> {
  if (deps.nowMs - run.endMs > LINE_AGE_MS) {
    const ageMin = Math.round((deps.nowMs - run.endMs) / 60_000);
    return {
      qrs: "denied",
      reason: `the line names a reload that ended ${ageMin} min before Steward heard it (a replayed line, or the node's clock is off): ${ENDS_NOTHING}`,
    };
  }
  if (!facts.appKnown) return { qrs: "unavailable", reason: `QRS could not be asked whether the app's data changed: ${ENDS_NOTHING}` };
  const last = facts.lastReloadMs;
  if (last === undefined || last < run.endMs - CONFIRM_SLACK_MS)
    return { qrs: "denied", reason: `QRS's lastReloadTime of the app did not move: ${ENDS_NOTHING}` };
  let scheduler: string | undefined;
  try {
    scheduler = await deps.judge.schedulerRunAt(run.appId, last);
  } catch (err) {
    deps.log.warn({ appId: run.appId, err: (err as Error).message }, "cannot ask QRS whose reload the app's lastReloadTime is; the success stays unconfirmed");
    return { qrs: "unavailable", reason: `QRS could not say whether the app's lastReloadTime is a Scheduler run's: ${ENDS_NOTHING}` };
  }
  if (scheduler !== undefined)
    return { qrs: "denied", reason: `QRS's lastReloadTime of the app is the Scheduler's run ${scheduler}, not this reload's: ${ENDS_NOTHING}` };
  return undefined;
}
