// Whether incidents are open and who acknowledged them, for many at once: what the on-call convergence sweep compares
// each product's alerts with (src/tell/notify/on-call/converge.ts). One statement for a whole sweep.
import type { SqlDb } from "../../platform/store/sql";

export interface IncidentState {
  open: boolean;
  acknowledgedBy?: string;
  /** A closed incident: when it was closed (the store's clock) and by which event (a run's recovery, a resolve by hand). */
  ended?: { at: number; byEvent?: string };
}

type StateRow = { status: string; acknowledged_by: string | null; updated_at: number; closed_by_event_id: string | null };

function stateOf(r: StateRow): IncidentState {
  const open = r.status === "open";
  return {
    open,
    ...(r.acknowledged_by !== null && r.acknowledged_by !== undefined ? { acknowledgedBy: String(r.acknowledged_by) } : {}),
    ...(open ? {} : { ended: { at: Number(r.updated_at), ...(r.closed_by_event_id ? { byEvent: String(r.closed_by_event_id) } : {}) } }),
  };
}

/** Incidents asked in one statement (a sweep's open alerts, a few hundred at most). */
const CHUNK = 500;

/** By incident id; an id with no row (deleted since) is absent. */
export async function incidentStates(db: SqlDb, ids: readonly number[]): Promise<Map<number, IncidentState>> {
  const out = new Map<number, IncidentState>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const part = unique.slice(i, i + CHUNK);
    const rows = await db.all<StateRow & { id: number }>(
      `SELECT id, status, acknowledged_by, updated_at, closed_by_event_id FROM incidents WHERE id IN (${part.map(() => "?").join(", ")})`,
      part,
    );
    for (const r of rows) out.set(Number(r.id), stateOf(r));
  }
  return out;
}

/** The newest incident of a subject (the open one, when one is): what a condition's alert is now. */
export interface SubjectState extends IncidentState {
  id: number;
  closedAt: number | null;
}

/**
 * By subject, its newest incident (a condition's: watch:…, check:…, service:…); a subject with no incident kept is
 * absent. At most one is open per subject, and a new one opens only after it closed: the newest is the open one.
 */
export async function subjectStates(db: SqlDb, subjects: readonly string[]): Promise<Map<string, SubjectState>> {
  const out = new Map<string, SubjectState>();
  const unique = [...new Set(subjects)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const part = unique.slice(i, i + CHUNK);
    const rows = await db.all<StateRow & { id: number; subject: string; closed_at: number | null }>(
      `SELECT id, subject, status, acknowledged_by, updated_at, closed_by_event_id, closed_at FROM incidents
        WHERE subject IN (${part.map(() => "?").join(", ")}) ORDER BY id`,
      part,
    );
    for (const r of rows)
      out.set(String(r.subject), {
        id: Number(r.id),
        closedAt: r.closed_at === null || r.closed_at === undefined ? null : Number(r.closed_at),
        ...stateOf(r),
      });
  }
  return out;
}
