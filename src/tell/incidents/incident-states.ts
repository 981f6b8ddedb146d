// Whether incidents are open and who acknowledged them, for many at once: what the on-call convergence sweep compares
// each product's alerts with (src/tell/notify/on-call/converge.ts). One statement for a whole sweep.
import type { SqlDb } from "../../platform/store/sql";

export interface IncidentState {
  open: boolean;
  acknowledgedBy?: string;
}

/** Incidents asked in one statement (a sweep's open alerts, a few hundred at most). */
const CHUNK = 500;

/** By incident id; an id with no row (deleted since) is absent. */
export async function incidentStates(db: SqlDb, ids: readonly number[]): Promise<Map<number, IncidentState>> {
  const out = new Map<number, IncidentState>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const part = unique.slice(i, i + CHUNK);
    const rows = await db.all<{ id: number; status: string; acknowledged_by: string | null }>(
      `SELECT id, status, acknowledged_by FROM incidents WHERE id IN (${part.map(() => "?").join(", ")})`,
      part,
    );
    for (const r of rows)
      out.set(Number(r.id), {
        open: r.status === "open",
        ...(r.acknowledged_by !== null && r.acknowledged_by !== undefined ? { acknowledgedBy: String(r.acknowledged_by) } : {}),
      });
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
    const rows = await db.all<{ id: number; subject: string; status: string; acknowledged_by: string | null; closed_at: number | null }>(
      `SELECT id, subject, status, acknowledged_by, closed_at FROM incidents WHERE subject IN (${part.map(() => "?").join(", ")}) ORDER BY id`,
      part,
    );
    for (const r of rows)
      out.set(String(r.subject), {
        id: Number(r.id),
        open: r.status === "open",
        closedAt: r.closed_at === null || r.closed_at === undefined ? null : Number(r.closed_at),
        ...(r.acknowledged_by !== null && r.acknowledged_by !== undefined ? { acknowledgedBy: String(r.acknowledged_by) } : {}),
      });
  }
  return out;
}
