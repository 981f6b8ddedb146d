// SQL of escalation timers, written once for SQLite and PostgreSQL: arm (once per incident or cause and target route), the
// next due time, claim (a conditional UPDATE: one Stewards wins), settle, defer (a window or silence), postpone (a
// snooze) and list.
import type { SqlDb, SqlValue } from "../../platform/store/sql";

/** pending: waiting; firing: claimed by a Steward; fired: the next route was told; stopped: acknowledged or
 * recovered in time; skipped: the target route's filters (hosts, business hours…) did not take the event. */
export type EscalationState = "pending" | "firing" | "fired" | "stopped" | "skipped";

export interface EscalationRow {
  id: number;
  /** The task incident whose alert armed it; 0 when it is a cause's. */
  incidentId: number;
  /** The cause whose page armed it (a node down, a queue backed up…), when it is a cause's. */
  causeId: number | null;
  fromRoute: string;
  toRoute: string;
  eventId: string;
  dueAt: number;
  state: EscalationState;
  reason: string | null;
  createdAt: number;
  settledAt: number | null;
}

type Row = Record<string, SqlValue>;
const toRow = (r: Row): EscalationRow => ({
  id: Number(r.id),
  incidentId: Number(r.incident_id),
  causeId: Number(r.cause_id ?? 0) > 0 ? Number(r.cause_id) : null,
  fromRoute: String(r.from_route),
  toRoute: String(r.to_route),
  eventId: String(r.event_id),
  dueAt: Number(r.due_at),
  state: String(r.state) as EscalationState,
  reason: r.reason === null || r.reason === undefined ? null : String(r.reason),
  createdAt: Number(r.created_at),
  settledAt: r.settled_at === null || r.settled_at === undefined ? null : Number(r.settled_at),
});

/**
 * A claim older than this whose Steward never settled it (stopped or killed while sending) is taken again. Sending
 * twice is harmless: the escalation's deliveries have fixed outbox keys, so the second queues nothing.
 */
export const STALE_CLAIM_MS = 60_000;
const CLAIMABLE = "(state = 'pending' AND due_at <= ?) OR (state = 'firing' AND settled_at < ?)";

export type EscalationStore = ReturnType<typeof createEscalationStore>;

export function createEscalationStore(db: SqlDb) {
  return {
    /** True when this call armed it (an incident or a cause escalates to a route once). `causeId`: a cause's timer. */
    async arm(a: { incidentId: number; causeId?: number; fromRoute: string; toRoute: string; eventId: string; dueAt: number }, now: number): Promise<boolean> {
      const res = await db.run(
        `INSERT INTO escalations (incident_id, cause_id, from_route, to_route, event_id, due_at, state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)
         ON CONFLICT (incident_id, cause_id, to_route) DO NOTHING`,
        [a.causeId === undefined ? a.incidentId : 0, a.causeId ?? 0, a.fromRoute, a.toRoute, a.eventId, a.dueAt, now],
      );
      return res.changes === 1;
    },
    /** The next pending timer's due time, or the first moment a claim left unsettled (a Steward stopped mid-way) is stale. */
    async nextDueAt(): Promise<number | undefined> {
      const r = await db.get<{ due: number | null }>(
        `SELECT MIN(t) AS due FROM (SELECT MIN(due_at) AS t FROM escalations WHERE state = 'pending'
         UNION ALL SELECT MIN(settled_at) + ${STALE_CLAIM_MS + 1} AS t FROM escalations WHERE state = 'firing') next_times`,
      );
      return r?.due === null || r?.due === undefined ? undefined : Number(r.due);
    },
    /** Due timers, and those a Steward claimed but did not settle (it stopped mid-way) STALE_CLAIM_MS ago. */
    async due(now: number, limit: number): Promise<EscalationRow[]> {
      // Nearly every pass finds nothing due: the index answers that alone, where the full query plans an OR and a
      // sort for an empty answer (about ten times the cost, once a minute on every Steward).
      const next = await db.get<{ pending: number | null; firing: number | null }>(
        "SELECT (SELECT MIN(due_at) FROM escalations WHERE state = 'pending') AS pending, (SELECT MIN(settled_at) FROM escalations WHERE state = 'firing') AS firing",
      );
      const pendingDue = next?.pending !== null && next?.pending !== undefined && Number(next.pending) <= now;
      const firingStale = next?.firing !== null && next?.firing !== undefined && Number(next.firing) < now - STALE_CLAIM_MS;
      if (!pendingDue && !firingStale) return [];
      return (await db.all<Row>(`SELECT * FROM escalations WHERE ${CLAIMABLE} ORDER BY due_at LIMIT ?`, [now, now - STALE_CLAIM_MS, limit])).map(toRow);
    },
    /** Claims a due timer; false when another Steward did. */
    async claim(id: number, now: number): Promise<boolean> {
      const res = await db.run(`UPDATE escalations SET state = 'firing', settled_at = ? WHERE id = ? AND (${CLAIMABLE})`, [now, id, now, now - STALE_CLAIM_MS]);
      return res.changes === 1;
    },
    async settle(id: number, state: Exclude<EscalationState, "pending" | "firing">, reason: string, now: number): Promise<void> {
      await db.run("UPDATE escalations SET state = ?, reason = ?, settled_at = ? WHERE id = ?", [state, reason.slice(0, 500), now, id]);
    },
    /** A claimed timer due while a window or silence keeps its incident quiet: pending again, due when that ends. */
    async defer(id: number, dueAt: number, reason: string): Promise<void> {
      await db.run("UPDATE escalations SET state = 'pending', due_at = ?, reason = ?, settled_at = NULL WHERE id = ? AND state = 'firing'", [
        dueAt,
        reason.slice(0, 500),
        id,
      ]);
    },
    /** A snooze: the incident's pending timers wait until it ends at least. */
    async postpone(incidentId: number, until: number): Promise<number> {
      return (await db.run("UPDATE escalations SET due_at = ? WHERE incident_id = ? AND state = 'pending' AND due_at < ?", [until, incidentId, until])).changes;
    },
    /** A snooze of a cause: its pending timers wait until it ends at least. */
    async postponeCause(causeId: number, until: number): Promise<number> {
      return (await db.run("UPDATE escalations SET due_at = ? WHERE cause_id = ? AND state = 'pending' AND due_at < ?", [until, causeId, until])).changes;
    },
    async list(f: { incidentId?: number; causeId?: number; limit: number }): Promise<EscalationRow[]> {
      const where = [f.incidentId === undefined ? "" : "incident_id = ?", f.causeId === undefined ? "" : "cause_id = ?"].filter(Boolean);
      const args = [f.incidentId, f.causeId].filter((v): v is number => v !== undefined);
      const rows = await db.all<Row>(`SELECT * FROM escalations${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`, [
        ...args,
        f.limit,
      ]);
      return rows.map(toRow);
    },
  };
}
