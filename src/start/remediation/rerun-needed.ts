// Whether a re-run of a cancelled run is still needed when its turn comes: not when the task ran since it was asked
// for (its own trigger, or its chain after a re-run before it started it). One decision for the worker, which reads the
// task's last execution from QRS, and for the config rehearsal (show/rehearse/queue-rules.ts), which reads it from the
// recorded runs, so a rehearsal never lists a re-run the live Steward would skip.
import type { RemediationAction } from "./action-row";

/** Why the re-run is not started (its task ran since), or undefined while it is still needed. */
export function rerunNotNeeded(a: Pick<RemediationAction, "kind" | "takenFrom" | "seenExecution">, lastExecution: string): string | undefined {
  // An action taken over from another Steward compares its executions itself (it may have started the run it sees).
  if (a.kind !== "rerun" || a.takenFrom !== null || a.seenExecution === null || a.seenExecution === lastExecution) return undefined;
  return `the task ran since the re-run was asked for (run ${lastExecution}: its trigger or its chain started it): not started again`;
}
