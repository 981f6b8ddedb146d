// SQL of the durable outbox: events, deliveries and rate-limit windows. Synchronous (node:sqlite) so a
// delivery is on disk before the bus handler that created it returns.
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { DomainEvent } from "../events/types";
import type { Store } from "../store/database";

export const DELIVERY_STATUSES = ["pending", "sending", "delivered", "dead", "suppressed", "grouping", "grouped"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryRow {
  id: number;
  key: string;
  eventId: string;
  eventIds: string[];
  kind: string;
  route: string;
  channel: string;
  /** Original addressee ("" for channels that do not address people). */
  recipient: string;
  /** Test-mode redirect target, when one applies. */
  target: string | null;
  status: DeliveryStatus;
  reason: string | null;
  groupId: number | null;
  groupWindowMs: number | null;
  attempts: number;
  nextAttemptAt: number;
  expiresAt: number;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
  lastError: string | null;
}

export type NewDelivery = Omit<DeliveryRow, "id" | "attempts" | "updatedAt" | "deliveredAt" | "lastError">;

export interface ListFilter {
  status?: DeliveryStatus[];
  channel?: string;
  eventId?: string;
  limit: number;
  /** Rows with a smaller id (paging backwards from the newest). */
  beforeId?: number;
}

type Row = Record<string, SQLInputValue>;

function toDelivery(r: Row): DeliveryRow {
  return {
    id: Number(r.id),
    key: String(r.key),
    eventId: String(r.event_id),
    eventIds: JSON.parse(String(r.event_ids)) as string[],
    kind: String(r.kind),
    route: String(r.route),
    channel: String(r.channel),
    recipient: String(r.recipient),
    target: r.target === null ? null : String(r.target),
    status: String(r.status) as DeliveryStatus,
    reason: r.reason === null ? null : String(r.reason),
    groupId: r.group_id === null ? null : Number(r.group_id),
    groupWindowMs: r.group_window_ms === null ? null : Number(r.group_window_ms),
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    expiresAt: Number(r.expires_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
    lastError: r.last_error === null ? null : String(r.last_error),
  };
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;

export function createOutboxStore(store: Store) {
  const db: DatabaseSync = store.db;
  const q = {
    saveEvent: db.prepare("INSERT OR IGNORE INTO notify_events (id, kind, payload, received_at, stored_at) VALUES (?, ?, ?, ?, ?)"),
    getEvent: db.prepare("SELECT payload FROM notify_events WHERE id = ?"),
    exists: db.prepare("SELECT 1 AS x FROM notify_deliveries WHERE key = ?"),
    insert: db.prepare(`INSERT INTO notify_deliveries (key, event_id, event_ids, kind, route, channel, recipient, target, status, reason,
        group_id, group_window_ms, next_attempt_at, expires_at, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    get: db.prepare("SELECT * FROM notify_deliveries WHERE id = ?"),
    openGroup: db.prepare("SELECT * FROM notify_deliveries WHERE route = ? AND channel = ? AND recipient = ? AND status = 'grouping' ORDER BY id DESC LIMIT 1"),
    setGroupEvents: db.prepare("UPDATE notify_deliveries SET event_ids = ?, event_id = ?, updated_at = ? WHERE id = ?"),
    due: db.prepare("SELECT * FROM notify_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?"),
    dueGroups: db.prepare("SELECT * FROM notify_deliveries WHERE status = 'grouping' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 100"),
    nextDue: db.prepare("SELECT MIN(next_attempt_at) AS t FROM notify_deliveries WHERE status IN ('pending', 'grouping')"),
    markSending: db.prepare("UPDATE notify_deliveries SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ? AND status = 'pending'"),
    markDelivered: db.prepare("UPDATE notify_deliveries SET status = 'delivered', delivered_at = ?, updated_at = ?, last_error = NULL WHERE id = ?"),
    markRetry: db.prepare("UPDATE notify_deliveries SET status = 'pending', next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ?"),
    markDead: db.prepare("UPDATE notify_deliveries SET status = 'dead', reason = ?, last_error = ?, updated_at = ? WHERE id = ?"),
    unclaim: db.prepare("UPDATE notify_deliveries SET status = 'pending', attempts = MAX(0, attempts - 1), updated_at = ? WHERE id = ? AND status = 'sending'"),
    resetSending: db.prepare("UPDATE notify_deliveries SET status = 'pending', updated_at = ? WHERE status = 'sending'"),
    releaseGroup: db.prepare("UPDATE notify_deliveries SET status = 'pending', updated_at = ? WHERE id = ? AND status = 'grouping'"),
    deleteRow: db.prepare("DELETE FROM notify_deliveries WHERE id = ?"),
    retry: db.prepare(
      "UPDATE notify_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, expires_at = ?, reason = NULL, updated_at = ? WHERE id = ? AND status IN ('dead', 'suppressed')",
    ),
    rateGet: db.prepare("SELECT until FROM notify_rate_limits WHERE key = ?"),
    rateSet: db.prepare("INSERT INTO notify_rate_limits (key, until) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET until = excluded.until"),
    counts: db.prepare("SELECT channel, status, COUNT(*) AS n FROM notify_deliveries GROUP BY channel, status"),
    backlog: db.prepare("SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM notify_deliveries WHERE status IN ('pending', 'sending')"),
    purgeDeliveries: db.prepare("DELETE FROM notify_deliveries WHERE status IN ('delivered', 'dead', 'suppressed', 'grouped') AND updated_at < ?"),
    purgeEvents: db.prepare(
      "DELETE FROM notify_events WHERE stored_at < ? AND NOT EXISTS (SELECT 1 FROM notify_deliveries d WHERE d.event_id = notify_events.id OR d.event_ids LIKE '%' || notify_events.id || '%')",
    ),
    purgeRates: db.prepare("DELETE FROM notify_rate_limits WHERE until < ?"),
  };

  return {
    transaction: store.transaction,
    saveEvent(e: DomainEvent, now: number): void {
      q.saveEvent.run(e.id, e.kind, JSON.stringify(e), e.receivedAt, now);
    },
    getEvent(id: string): DomainEvent | undefined {
      const r = q.getEvent.get(id) as { payload: string } | undefined;
      return r ? (JSON.parse(r.payload) as DomainEvent) : undefined;
    },
    exists: (key: string) => q.exists.get(key) !== undefined,
    insert(d: NewDelivery): number {
      const res = q.insert.run(d.key, d.eventId, JSON.stringify(d.eventIds), d.kind, d.route, d.channel, d.recipient, d.target, d.status, d.reason,
        d.groupId, d.groupWindowMs, d.nextAttemptAt, d.expiresAt, d.createdAt, d.createdAt);
      return Number(res.lastInsertRowid);
    },
    get(id: number): DeliveryRow | undefined {
      const r = q.get.get(id) as Row | undefined;
      return r ? toDelivery(r) : undefined;
    },
    openGroup(route: string, channel: string, recipient: string): DeliveryRow | undefined {
      const r = q.openGroup.get(route, channel, recipient) as Row | undefined;
      return r ? toDelivery(r) : undefined;
    },
    setGroupEvents(id: number, eventIds: string[], now: number): void {
      q.setGroupEvents.run(JSON.stringify(eventIds), eventIds[0] ?? "", now, id);
    },
    due: (now: number, limit: number) => (q.due.all(now, limit) as Row[]).map(toDelivery),
    dueGroups: (now: number) => (q.dueGroups.all(now) as Row[]).map(toDelivery),
    nextDueAt(): number | undefined {
      const r = q.nextDue.get() as { t: number | null };
      return r.t === null ? undefined : Number(r.t);
    },
    /** True when this call claimed the row (it was still pending). */
    markSending: (id: number, now: number) => Number(q.markSending.run(now, id).changes) === 1,
    markDelivered: (id: number, now: number) => void q.markDelivered.run(now, now, id),
    markRetry: (id: number, next: number, error: string, now: number) => void q.markRetry.run(next, error, now, id),
    markDead: (id: number, reason: string, error: string | null, now: number) => void q.markDead.run(reason, error, now, id),
    /** Gives a claimed row back without counting the attempt (shutdown interrupted it). */
    unclaim: (id: number, now: number) => void q.unclaim.run(now, id),
    resetSending: (now: number) => Number(q.resetSending.run(now).changes),
    releaseGroup: (id: number, now: number) => void q.releaseGroup.run(now, id),
    deleteRow: (id: number) => void q.deleteRow.run(id),
    retry: (id: number, now: number, expiresAt: number) => Number(q.retry.run(now, expiresAt, now, id).changes) === 1,
    rateLimitedUntil(key: string, now: number): number | undefined {
      const r = q.rateGet.get(key) as { until: number } | undefined;
      return r && Number(r.until) > now ? Number(r.until) : undefined;
    },
    setRateLimit: (key: string, until: number) => void q.rateSet.run(key, until),
    counts: () => (q.counts.all() as Array<{ channel: string; status: string; n: number }>).map((r) => ({ channel: r.channel, status: r.status, n: Number(r.n) })),
    /** Deliveries not yet sent and when the oldest of them was queued. */
    backlog(): { pending: number; oldestCreatedAt?: number } {
      const r = q.backlog.get() as { n: number; oldest: number | null };
      return { pending: Number(r.n), oldestCreatedAt: r.oldest === null ? undefined : Number(r.oldest) };
    },
    list(f: ListFilter): DeliveryRow[] {
      const where: string[] = [];
      const args: SQLInputValue[] = [];
      if (f.status?.length) {
        where.push(`status IN (${f.status.map(() => "?").join(", ")})`);
        args.push(...f.status);
      }
      if (f.channel) {
        where.push("channel = ?");
        args.push(f.channel);
      }
      if (f.eventId) {
        where.push("(event_id = ? OR event_ids LIKE ?)");
        args.push(f.eventId, `%${JSON.stringify(f.eventId)}%`);
      }
      if (f.beforeId !== undefined) {
        where.push("id < ?");
        args.push(f.beforeId);
      }
      const sql = `SELECT * FROM notify_deliveries ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
      return (db.prepare(sql).all(...args, f.limit) as Row[]).map(toDelivery);
    },
    purge(olderThan: number, now: number): number {
      const n = Number(q.purgeDeliveries.run(olderThan).changes);
      q.purgeEvents.run(olderThan);
      q.purgeRates.run(now);
      return n;
    },
  };
}
