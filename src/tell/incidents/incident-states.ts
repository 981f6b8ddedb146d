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
