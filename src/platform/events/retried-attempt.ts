// A failure of one attempt of a run the Scheduler is still retrying: QRS shows the run in Retry (status 10). Not the
// run's outcome, so never paged (issue 76): the intake leaves it for the run's final result, which a datagram or
// reconciliation reports; the incidents open nothing for it and no route pages it.
import { type DomainEvent, isTaskEvent } from "./types";

export function isRetriedAttempt(e: DomainEvent): boolean {
  // Past its deadline with no outcome (src/hear/intake/held-attempts.ts), the attempt is what is known of the run.
  return isTaskEvent(e) && e.outcome !== "succeeded" && e.execution?.statusCode === 10 && e.outcomeUnknown === undefined;
}
