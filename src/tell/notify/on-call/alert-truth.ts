// What Steward holds true of the incident or cause an on-call alert is: what the convergence sweep (converge.ts)
// moves each product's alert toward.

/** Open or ended, and who acknowledged it. */
export interface AlertTruth {
  open: boolean;
  acknowledgedBy?: string;
}

/** The truth of each incident and cause asked about, by `incident:<id>` / `cause:<id>`; absent: Steward cannot tell. */
export type AlertTruths = (refs: ReadonlyArray<{ incident: number } | { cause: number }>) => Promise<Map<string, AlertTruth>>;

export const truthKey = (ref: { incident: number } | { cause: number }) => ("incident" in ref ? `incident:${ref.incident}` : `cause:${ref.cause}`);
