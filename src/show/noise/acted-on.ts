// Whether a person acted on an incident, besides acknowledging it: a snooze (a silence of the incident or of its
// cause), a retry, re-run, reload or chain start asked for by a person (link, dashboard, REST, MCP; a rule's is not a
// person's), or a start by hand in the QMC or hub that the incident's own events show. An incident someone acted on
// did not "recover by itself": the noise report never counts it as noise, and no proposal may hide it.
import type { DomainEvent } from "../../platform/events/types";
import { isTaskEvent } from "../../platform/events/types";

/** A silence as far as a snooze goes: what it held and who made it. */
export interface SnoozeLike {
  matcher: { incidentIds?: readonly number[]; causeIds?: readonly number[] };
  createdBy: string;
}

/** A remediation action as far as acting goes: who asked for it, from where ("rule" for a remediation rule). */
export interface ActionLike {
  kind: string;
  requestedBy: string;
  requestedFrom: string;
}

export interface ActedOnInput {
  incidentId: number;
  /** The causes the incident's pages were told under (a snooze of the cause holds it too). */
  causeIds: readonly number[];
  snoozes: readonly SnoozeLike[];
  actions: readonly ActionLike[];
  /** The incident's recorded events (its failures and its recovery, as they were paged or held). */
  events: readonly DomainEvent[];
}

/** What a person did, in words ("retry asked for by anna@corp.example from link"), or undefined when nobody did. */
export function actedOnOf(x: ActedOnInput): string | undefined {
  const snooze = x.snoozes.find((s) => s.matcher.incidentIds?.includes(x.incidentId) || x.causeIds.some((c) => s.matcher.causeIds?.includes(c)));
  if (snooze) return `snoozed by ${snooze.createdBy}`;
  const asked = x.actions.find((a) => a.requestedFrom !== "rule");
  if (asked) return `${asked.kind} asked for by ${asked.requestedBy} from ${asked.requestedFrom}`;
  // Steward starts a rule's retry with its own QRS account, which reads as a start by hand: with a rule's action on the
  // incident, a start by hand cannot be told from it.
  if (x.actions.length > 0) return undefined;
  const byHand = x.events.find((e) => isTaskEvent(e) && e.history?.startedBy?.kind === "user" && !opened(e, x.incidentId));
  if (byHand && isTaskEvent(byHand)) return `started by hand by ${byHand.history?.startedBy?.user ?? "a person"}`;
  return undefined;
}

/** The run that opened the incident: a person's start of it is how the fault began, not a fix. */
function opened(e: DomainEvent, incidentId: number): boolean {
  if (!isTaskEvent(e) || e.incident?.id !== incidentId) return false;
  return e.incident.failures <= 1 && (e.kind === "task.failed" || e.kind === "task.aborted");
}
