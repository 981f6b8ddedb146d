// What Steward holds true of the incident or cause an on-call alert is: what the convergence sweep (converge.ts)
// moves each product's alert toward.

/** Open or ended, and who acknowledged it. */
export interface AlertTruth {
  open: boolean;
  acknowledgedBy?: string;
  /** Ended: when (the store's clock) and by which event, whose own deliveries (the recovery) normally end the alert. */
  ended?: { at: number; byEvent?: string };
}

/**
 * What an alert is in Steward: an incident or a cause its key names, or a condition's incident (a missed start, a
 * freshness promise, a check-in…), whose alert is keyed by the condition: `condition` is that incident's subject and
 * `since` when the event that opened the alert happened (an incident of the subject that ended before it is an earlier one).
 */
export type AlertRef = { incident: number } | { cause: number } | { condition: string; since: number };

/** The truth of each incident and cause asked about, by truthKey(ref); absent: Steward cannot tell. */
export type AlertTruths = (refs: readonly AlertRef[]) => Promise<Map<string, AlertTruth>>;

export const truthKey = (ref: AlertRef) =>
  "incident" in ref ? `incident:${ref.incident}` : "cause" in ref ? `cause:${ref.cause}` : `condition:${ref.since}:${ref.condition}`;
