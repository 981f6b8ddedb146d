// Incident numbers count up one by one (issue 84): the number a person sees (#12 on a page, the dashboard, the API's
// `id`) is the incident's row id, and an id from AUTOINCREMENT or a PostgreSQL identity skipped: each INSERT … ON
// CONFLICT that met the subject's open incident took one all the same, and PostgreSQL's sequence keeps what a
// rolled-back transaction took. The number is taken from incident_numbers instead, in the touch's own transaction and
// only when no incident of the subject is open: a rollback gives it back, and the count's row, locked until the
// transaction ends, hands each number out once across the Stewards of one PostgreSQL.
import type { SqlExecutor, SqlValue } from "../../platform/store/sql";

/** The number a touch gives its incident: the open one's, or one taken from the count (`taken`) for the one it opens. */
export interface IncidentNumber {
  id: number;
  taken: boolean;
}

const OPEN_ID = "SELECT id FROM incidents WHERE subject = ? AND status = 'open'";
const TAKE = "UPDATE incident_numbers SET last = last + 1 WHERE name = 'incidents' RETURNING last";
const GIVE_BACK = "UPDATE incident_numbers SET last = last - 1 WHERE name = 'incidents' AND last = ?";

export function incidentNumbers(x: SqlExecutor) {
  /**
   * The subject's open incident's number, else the next one. On PostgreSQL the open incident's row is locked, so a
   * resolve by hand (which does not take the subject's lock) cannot close it between this look and the touch.
   */
  async function numberFor(subject: string): Promise<IncidentNumber> {
    const open = await x.get<{ id: SqlValue }>(x.dialect === "postgres" ? `${OPEN_ID} FOR UPDATE` : OPEN_ID, [subject]);
    if (open) return { id: Number(open.id), taken: false };
    const next = await x.get<{ last: SqlValue }>(TAKE, []);
    if (!next) throw new Error("incident_numbers holds no count (the incidents migrations were not applied)");
    return { id: Number(next.last), taken: true };
  }
  return {
    /**
     * Runs the subject's touch with its incident's number (`touch(id)` returns the incident's row); a number taken
     * for an incident someone else opened meanwhile (not under the subject's lock) is given back.
     */
    async numbered<R extends { id?: SqlValue }>(subject: string, touch: (id: number) => Promise<R>): Promise<R> {
      const n = await numberFor(subject);
      const row = await touch(n.id);
      if (n.taken && Number(row.id) !== n.id) await x.run(GIVE_BACK, [n.id]);
      return row;
    },
  };
}
