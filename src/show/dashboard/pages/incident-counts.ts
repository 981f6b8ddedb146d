// The overview's count of open incidents and of those nobody acknowledged, from the same read as the Incidents page
// (/v4/incidents/by-cause), so the two agree: each task incident, and each open cause that holds none (a failed hub
// reload, a missed check-in), which pages as one.
import type { CauseHead } from "./cause-heading";

interface Group {
  cause: Pick<CauseHead, "acknowledgedAt" | "status"> | null;
  incidents: Array<{ acknowledgedAt: string | null }>;
}

export interface IncidentCounts {
  open: number;
  unacknowledged: number;
}

/** `omitted`: incidents the answer left out (its 1 MiB cap); counted as open, their acknowledgement unknown. */
export function incidentCounts(groups: readonly Group[], omitted = 0): IncidentCounts {
  let open = omitted;
  let unacknowledged = 0;
  for (const g of groups) {
    const items = g.incidents.length > 0 ? g.incidents : g.cause?.status === "open" ? [g.cause] : [];
    open += items.length;
    unacknowledged += items.filter((i) => i.acknowledgedAt === null).length;
  }
  return { open, unacknowledged };
}
