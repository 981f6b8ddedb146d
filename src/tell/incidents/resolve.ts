// Resolving by hand: a person closes an incident or a cause before its task succeeds or its condition ends (from the
// API, the dashboard, the assistant, or a resolve in PagerDuty or Opsgenie). The incident closes as "resolved by …",
// and its follow-up (told to `resolved`) travels the closing path a recovery takes; a later failure opens a new one.
import type { ResolvedByHand } from "../../platform/events/run-context";
import type { SqlDb } from "../../platform/store/sql";
import type { CauseBrief, IncidentCauses } from "./incident-causes";
import { incidentSql, type IncidentRow } from "./incident-store";

/** The id of the event that closes an incident resolved by hand (its follow-up's id, and the row's closed_by_event_id). */
export const resolvedEventId = (incidentId: number) => `incident-${incidentId}:resolved`;

/** "resolved by anna (API): restarted the gateway" */
export function resolvedSummary(r: ResolvedByHand): string {
  const via = { api: "API", dashboard: "dashboard", pagerduty: "PagerDuty", opsgenie: "Opsgenie", mcp: "assistant", steward: "Steward" }[r.via];
  return `resolved by ${r.by} (${via})${r.note ? `: ${r.note}` : ""}`;
}

export interface ResolverDeps {
  db: SqlDb;
  causes?: IncidentCauses;
  now(): number;
  /** Told of each incident resolved, closed: it sends the follow-up. */
  resolved?(row: IncidentRow, r: ResolvedByHand): Promise<void>;
  /** Told of a cause closed here, holding no open incident whose recovery would end its alerts: it ends them. */
  causeClosed?(causeId: number, r: ResolvedByHand): Promise<void>;
  /** Told of a condition's incident resolved, closed: its alerts in the on-call products are resolved. */
  conditionResolved?(row: IncidentRow, r: ResolvedByHand): Promise<void>;
}

/** A task's incident (`task:<id>`), not a condition's (condition-incidents.ts). */
const isTaskIncident = (row: IncidentRow) => row.subject.startsWith("task:");

export function createResolver(deps: ResolverDeps) {
  const sql = () => incidentSql(deps.db);

  async function resolveIncident(id: number, r: ResolvedByHand): Promise<IncidentRow | undefined> {
    const row = await sql().resolve(id, resolvedEventId(id), resolvedSummary(r), deps.now());
    // A task's incident ends with its follow-up (a task.recovered on the closing path); a condition's (a missed start,
    // a stopped service: condition-incidents.ts) has no task to recover and closes here, its on-call alerts resolved.
    if (row && isTaskIncident(row)) await deps.resolved?.(row, r);
    else if (row) await deps.conditionResolved?.(row, r);
    return row;
  }

  return {
    resolveIncident,
    /**
     * Resolves an open cause: each task incident it holds open is resolved (the last one's recovery closes the cause
     * with its recovered page, where its pages went); its other symptoms end with it. A cause holding no open incident
     * closes at once. Undefined when the cause is not open.
     */
    async resolveCause(causeId: number, r: ResolvedByHand): Promise<{ cause: CauseBrief; incidents: IncidentRow[] } | undefined> {
      if (!deps.causes) return undefined;
      const open: IncidentRow[] = [];
      for (const subject of await deps.causes.openSubjects(causeId)) {
        const row = await sql().open(subject);
        if (row) open.push(row);
      }
      // Only task incidents' recoveries close the cause; its conditions' incidents end with it.
      const done = await deps.causes.resolve(
        causeId,
        open.filter(isTaskIncident).map((i) => i.subject),
        deps.now(),
      );
      if (!done) return undefined;
      if (done.closed) await deps.causeClosed?.(causeId, r);
      const incidents: IncidentRow[] = [];
      for (const i of open) {
        const row = await resolveIncident(i.id, r);
        if (row) incidents.push(row);
      }
      return { cause: { id: done.parent.id, title: done.parent.title }, incidents };
    },
  };
}
