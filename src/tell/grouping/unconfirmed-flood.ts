// A flood of runs QRS could not confirm from one sending address (issue 86): past intake.confirm.unconfirmedBudget.perSource
// the intake pages the rest as ONE run marked with the flood (hear/intake/unconfirmed-sources.ts). That page opens the
// address's cause ("unconfirmed failed task runs from 10.0.0.5"), an incident like any other: acknowledged, snoozed and
// resolved from its page, the dashboard and the API, its on-call alert keyed by the cause. A later summary of the same
// address while it is open (the next window of a long flood) is its symptom, not a page of its own. It ends by itself
// when the address is quiet for the window or QRS confirms one of its runs (tell/incidents/unconfirmed-flood-end.ts).
import type { DomainEvent } from "../../platform/events/types";
import { isTaskEvent } from "../../platform/events/types";
import type { CauseStore } from "./cause-store";
import { type CauseDecision, symptomReason } from "./decision";

/** The subject of an address's flood of one outcome: its cause's one symptom, and how its end finds the cause. */
export const unconfirmedFloodSubject = (address: string, outcome: string) => `unconfirmed:${address}|${outcome}`;

export const unconfirmedFloodTitle = (address: string, outcome: string) => `unconfirmed ${outcome} task runs from ${address}`;

export function createUnconfirmedFloodRule(store: CauseStore) {
  return {
    /** `pageTo`: where the summary goes, kept with the cause it opens. */
    async review(e: DomainEvent, now: number, pageTo: string | undefined): Promise<CauseDecision | undefined> {
      const flood = isTaskEvent(e) ? e.unconfirmed?.flood : undefined;
      if (!flood) return undefined;
      const subject = unconfirmedFloodSubject(flood.address, flood.outcome);
      const title = unconfirmedFloodTitle(flood.address, flood.outcome);
      const { parentId, opened } = await store.attach({ key: subject, title }, { subject, kind: e.kind, eventId: e.id }, now, pageTo);
      return opened ? { action: "pass", parentId } : { action: "suppress", parentId, reason: symptomReason(parentId, title) };
    },
  };
}
