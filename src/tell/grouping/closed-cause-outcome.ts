// The run of a person's re-run asked under a cause that has closed since: the queue's cause closes as Qlik cancels its
// last waiting run, which is when a re-run is pressed, so the re-run's runs end after it. No cause decides their end
// and their incidents were never paged on their own (held as the cause's symptoms): without this, the outcome of the
// press would reach nobody (issue 101). It goes where the cause's page went, as an open cause's symptom's would.
import type { CauseSummary } from "../../platform/events/cause-summary";
import type { DomainEvent } from "../../platform/events/types";
import { wouldSend } from "../notify/gate";
import type { Plan, PlannedDelivery } from "../notify/planner";

export interface ClosedCauseOutcomeDeps {
  /** The cause a person's re-run was asked under, when the event ends its run untold (start/remediation). */
  causeOfRun: ((e: DomainEvent) => Promise<number | undefined>) | undefined;
  summary(causeId: number): Promise<CauseSummary | undefined>;
  /** The deliveries that tell an action's outcome to where the cause's page went (updates.outcome). */
  outcome(causeId: number, plan: Plan): Promise<PlannedDelivery[]>;
  withCause(plan: Plan, cause: CauseSummary): Plan;
}

const HELD = "a symptom of a closed cause: its re-run's outcome goes where the cause's page went";

/** The plan of an event no cause decided: unchanged, unless it ends a person's re-run of a cause closed since. */
export async function closedCauseOutcome(plan: Plan, deps: ClosedCauseOutcomeDeps): Promise<Plan> {
  const causeId = await deps.causeOfRun?.(plan.event);
  if (causeId === undefined) return plan;
  const cause = await deps.summary(causeId);
  if (cause?.status !== "closed") return plan;
  const told = await deps.outcome(causeId, plan);
  if (told.length === 0) return plan;
  // Its own deliveries follow up a failure held as the cause's symptom: the outcome's deliveries are the ones to go.
  const held = plan.deliveries.map((d) => (wouldSend(d) ? { ...d, action: "suppress" as const, reason: HELD } : d));
  return deps.withCause({ ...plan, deliveries: [...held, ...told] }, cause);
}
