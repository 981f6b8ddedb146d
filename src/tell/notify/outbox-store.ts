// SQL of the durable outbox: events, deliveries and rate-limit windows, in the store every Steward of a
// cluster shares. A delivery is in the store before the bus handler that created it resolves; a delivery is
// sent by the one Steward that moved it from pending to sending.
import { eventTitle } from "../../hear/events/event-title";
import type { DomainEvent } from "../../platform/events/types";
import type { SqlDb, SqlExecutor, SqlValue } from "../../platform/store/sql";
import { claimAllSql, claimedOf, dueSql, existingKeys, NOT_HELD_BACK, ofChannels } from "./outbox-due";

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
  /** An open digest's own key beyond route, channel and recipient (an incident's follow-ups); null for route digests. */
  groupKey: string | null;
  attempts: number;
  nextAttemptAt: number;
  expiresAt: number;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
  lastError: string | null;
  /** The event's title (a task's name), in lists only; null for events stored before titles were kept. */
  eventTitle?: string | null;
  /** The conversation it belongs to (src/tell/notify/thread.ts): sent after the thread's earlier deliveries. */
  thread?: string | null;
}

export type NewDelivery = Omit<DeliveryRow, "id" | "attempts" | "updatedAt" | "deliveredAt" | "lastError" | "groupKey" | "thread"> & {
  groupKey?: string | null;
  thread?: string | null;
};

/** Alerts of one channel sent in the plain form for one reason (the template and its error). */
export interface RecentFallback {
  channel: string;
  reason: string;
  count: number;
  lastAt: number;
}

export interface ListFilter {
  status?: DeliveryStatus[];
  channel?: string;
  eventId?: string;
  limit: number;
  /** Rows with a smaller id (paging backwards from the newest). */
  beforeId?: number;
}

type Row = Record<string, SqlValue>;

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
    groupKey: r.group_key === null || r.group_key === undefined ? null : String(r.group_key),
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    expiresAt: Number(r.expires_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
    lastError: r.last_error === null ? null : String(r.last_error),
    ...(r.event_title !== undefined ? { eventTitle: r.event_title === null ? null : String(r.event_title) } : {}),
    thread: r.thread === null || r.thread === undefined ? null : String(r.thread),
  };
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;

export interface OutboxOptions {
  /** This Steward instance: named on the deliveries it is sending. */
  instanceId: string;
}

/**
 * A delivery marked as sending longer ago than this is taken to be abandoned (a send never takes this long) and is
 * sent again, even when the Steward sending it still looks alive (see resetSending).
 */
export const SENDING_LEASE_MS = 10 * 60_000;

/** A row this Steward claimed and is still sending (the parameter: its instance id). */
const STILL_MINE = "status = 'sending' AND (claimed_by = ? OR claimed_by IS NULL)";

/** The outbox's statements; on PostgreSQL the claims lock their rows (FOR UPDATE, SKIP LOCKED). */
function outboxStatements(pg: boolean) {
  return {
    saveEvent: "INSERT INTO notify_events (id, kind, payload, received_at, stored_at, title) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    getEvent: "SELECT payload FROM notify_events WHERE id = ?",
    exists: "SELECT 1 AS x FROM notify_deliveries WHERE key = ?",
    // Written by whichever Steward handles the event; the unique key makes a second write of the same delivery
    // (another route, a concurrent emit, another Steward) a no-op instead of a second alert.
    insert: `INSERT INTO notify_deliveries (key, event_id, event_ids, kind, route, channel, recipient, target, status, reason,
      group_id, group_window_ms, group_key, next_attempt_at, expires_at, created_at, updated_at, thread)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id`,
    get: "SELECT * FROM notify_deliveries WHERE id = ?",
    openGroup: `SELECT * FROM notify_deliveries WHERE route = ? AND channel = ? AND recipient = ? AND status = 'grouping' AND COALESCE(group_key, '') = ? ORDER BY id DESC LIMIT 1${pg ? " FOR UPDATE" : ""}`,
    // An incident closed: its digests go out now instead of at the end of their window.
    releaseGroupsByKey: "UPDATE notify_deliveries SET next_attempt_at = ?, updated_at = ? WHERE status = 'grouping' AND group_key = ? AND next_attempt_at > ?",
    setGroupEvents: "UPDATE notify_deliveries SET event_ids = ?, event_id = ?, updated_at = ? WHERE id = ?",
    // SKIP LOCKED: Stewards polling at the same moment each get different rows instead of queueing on one.
    due: (channels?: readonly string[]) => dueSql(pg, channels),
    dueGroups: `SELECT * FROM notify_deliveries WHERE status = 'grouping' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 100${pg ? " FOR UPDATE SKIP LOCKED" : ""}`,
    // A held-back delivery is not due: its predecessor's own time (or its end, which wakes the worker) is. The shape
    // (MIN over a UNION ALL, which PostgreSQL reads as a LIMIT 1 over a merge of two index scans) is kept on purpose:
    // two scalar subqueries, or the two times tagged, cost the server 1.1-1.6 ms a statement in on-call-chaos, not 0.13-0.23.
    nextDue: (channels?: readonly string[]) => `SELECT MIN(t) AS t FROM (SELECT MIN(next_attempt_at) AS t FROM notify_deliveries WHERE status = 'grouping'
      UNION ALL SELECT t FROM (SELECT d.next_attempt_at AS t FROM notify_deliveries d WHERE d.status = 'pending'${ofChannels(channels)}
      AND ${NOT_HELD_BACK} ORDER BY d.next_attempt_at LIMIT 1) first_pending) due_times`,
    markSending: "UPDATE notify_deliveries SET status = 'sending', attempts = attempts + 1, claimed_by = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
    claimAll: claimAllSql,
    // A note is kept in reason (a delivery sent in the plain form says why); without one, what it held stays.
    markDelivered:
      "UPDATE notify_deliveries SET status = 'delivered', delivered_at = ?, updated_at = ?, last_error = NULL, reason = COALESCE(?, reason) WHERE id = ?",
    // Only while the claim is still this Steward's: one taken for dead (its heartbeat late past the lease) whose send
    // another Steward took over must not queue it again or give it up behind that one's back.
    markRetry: `UPDATE notify_deliveries SET status = 'pending', next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ? AND ${STILL_MINE}`,
    // Claimed, then found to have nothing to send (an acknowledge or resolve of an alert the product does not hold).
    markSuppressed: `UPDATE notify_deliveries SET status = 'suppressed', reason = ?, updated_at = ? WHERE id = ? AND ${STILL_MINE}`,
    markDead: `UPDATE notify_deliveries SET status = 'dead', reason = ?, last_error = ?, updated_at = ? WHERE id = ? AND ${STILL_MINE}`,
    unclaim: `UPDATE notify_deliveries SET status = 'pending', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, updated_at = ?
      WHERE id = ? AND ${STILL_MINE}`,
    releaseGroup: "UPDATE notify_deliveries SET status = 'pending', updated_at = ? WHERE id = ? AND status = 'grouping'",
    deleteRow: "DELETE FROM notify_deliveries WHERE id = ?",
    retry:
      "UPDATE notify_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, expires_at = ?, reason = NULL, updated_at = ? WHERE id = ? AND status IN ('dead', 'suppressed')",
    rateGet: "SELECT until FROM notify_rate_limits WHERE key = ?",
    rateSet: "INSERT INTO notify_rate_limits (key, until) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET until = excluded.until",
    counts: "SELECT channel, status, COUNT(*) AS n FROM notify_deliveries GROUP BY channel, status",
    // The reason worker.ts writes (fallbackRowReason): it names the template and why it failed, so it groups them.
    recentFallbacks: `SELECT channel, reason, COUNT(*) AS n, MAX(delivered_at) AS last FROM notify_deliveries
      WHERE status = 'delivered' AND delivered_at >= ? AND reason LIKE 'sent in the plain form:%' GROUP BY channel, reason ORDER BY last DESC LIMIT 20`,
    backlog: "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM notify_deliveries WHERE status IN ('pending', 'sending')",
    purgeDeliveries: "DELETE FROM notify_deliveries WHERE status IN ('delivered', 'dead', 'suppressed', 'grouped') AND updated_at < ?",
    purgeEvents:
      "DELETE FROM notify_events WHERE stored_at < ? AND NOT EXISTS (SELECT 1 FROM notify_deliveries d WHERE d.event_id = notify_events.id OR d.event_ids LIKE '%' || notify_events.id || '%')",
    purgeRates: "DELETE FROM notify_rate_limits WHERE until < ?",
    // The events no route took (unrouted-history.ts) are kept as long as the deliveries.
    purgeUnrouted: "DELETE FROM notify_unrouted WHERE at < ?",
  };
}

/** Deliveries newest first, filtered, with their event's title. */
async function listDeliveries(db: SqlDb, f: ListFilter): Promise<DeliveryRow[]> {
  const where: string[] = [];
  const args: SqlValue[] = [];
  if (f.status?.length) {
    where.push(`d.status IN (${f.status.map(() => "?").join(", ")})`);
    args.push(...f.status);
  }
  if (f.channel) {
    where.push("d.channel = ?");
    args.push(f.channel);
  }
  if (f.eventId) {
    where.push("(d.event_id = ? OR d.event_ids LIKE ?)");
    args.push(f.eventId, `%${JSON.stringify(f.eventId)}%`);
  }
  if (f.beforeId !== undefined) {
    where.push("d.id < ?");
    args.push(f.beforeId);
  }
  // The event's title comes along (one indexed lookup per row of the page), so the list names the task.
  const sql = `SELECT d.*, e.title AS event_title FROM notify_deliveries d LEFT JOIN notify_events e ON e.id = d.event_id ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY d.id DESC LIMIT ?`;
  return (await db.all<Row>(sql, [...args, f.limit])).map(toDelivery);
}

/** How many events' payloads a Steward keeps after reading them (each about a kilobyte). */
const EVENTS_KEPT = 256;

/**
 * An event is written once and never changed (saveEvent: ON CONFLICT DO NOTHING), and each of its deliveries reads it
 * again (the message, the on-call converge, the acknowledgement): the latest payloads read are kept, by id. Only what
 * was read is kept, never what a transaction wrote (it may roll back); a purge here forgets them all.
 */
function keptEvents(db: SqlDb, statement: string) {
  const events = new Map<string, string>();
  return {
    async get(id: string): Promise<DomainEvent | undefined> {
      let payload = events.get(id);
      if (payload === undefined) {
        payload = (await db.get<{ payload: string }>(statement, [id]))?.payload;
        if (payload === undefined) return undefined;
        if (events.size >= EVENTS_KEPT) events.delete(events.keys().next().value!);
        events.set(id, payload);
      }
      // Parsed for each caller: nobody shares (or changes) another's copy.
      return JSON.parse(payload) as DomainEvent;
    },
    forget: () => events.clear(),
  };
}

/** SQLite's claim (one writer at a time): the due rows read, then each moved from pending to sending. */
function claimInTransaction(
  db: SqlDb,
  q: ReturnType<typeof outboxStatements>,
  instanceId: string,
  now: number,
  limit: number,
  channels?: readonly string[],
): Promise<DeliveryRow[]> {
  return db.transaction(async (tx) => {
    const rows = (await tx.all<Row>(q.due(channels), [now, ...(channels ?? []), limit])).map(toDelivery);
    const claimed: DeliveryRow[] = [];
    for (const r of rows) {
      if ((await tx.run(q.markSending, [instanceId, now, r.id])).changes === 1) claimed.push({ ...r, status: "sending", attempts: r.attempts });
    }
    return claimed;
  });
}

export function createOutboxStore(db: SqlDb, opts: OutboxOptions) {
  const pg = db.dialect === "postgres";
  const q = outboxStatements(pg);
  const events = keptEvents(db, q.getEvent);

  /** The same statements on one transaction's connection; `sql`, the connection, for what a gate writes with them. */
  const on = (x: SqlExecutor) => ({
    sql: x,
    saveEvent: async (e: DomainEvent, now: number): Promise<void> =>
      void (await x.run(q.saveEvent, [e.id, e.kind, JSON.stringify(e), e.receivedAt, now, eventTitle(e).slice(0, 500)])),
    exists: async (key: string) => (await x.get(q.exists, [key])) !== undefined,
    /** The new row's id, or undefined when a delivery with this key exists already. */
    async insert(d: NewDelivery): Promise<number | undefined> {
      const r = await x.get<{ id: number }>(q.insert, [
        d.key,
        d.eventId,
        JSON.stringify(d.eventIds),
        d.kind,
        d.route,
        d.channel,
        d.recipient,
        d.target,
        d.status,
        d.reason,
        d.groupId,
        d.groupWindowMs,
        d.groupKey ?? null,
        d.nextAttemptAt,
        d.expiresAt,
        d.createdAt,
        d.createdAt,
        d.thread ?? null,
      ]);
      return r ? Number(r.id) : undefined;
    },
    async openGroup(route: string, channel: string, recipient: string, groupKey = ""): Promise<DeliveryRow | undefined> {
      const r = await x.get<Row>(q.openGroup, [route, channel, recipient, groupKey]);
      return r ? toDelivery(r) : undefined;
    },
    setGroupEvents: async (id: number, eventIds: string[], now: number) =>
      void (await x.run(q.setGroupEvents, [JSON.stringify(eventIds), eventIds[0] ?? "", now, id])),
    setRateLimit: async (key: string, until: number) => void (await x.run(q.rateSet, [key, until])),
  });
  const base = on(db);

  return {
    /** Runs fn with the outbox statements inside one transaction. */
    transaction: <T>(fn: (tx: ReturnType<typeof on>) => Promise<T>): Promise<T> => db.transaction((tx) => fn(on(tx))),
    saveEvent: base.saveEvent,
    getEvent: events.get,
    /**
     * The events of a thread's deliveries to a channel still waiting or on their way (not of `exceptKind`), oldest
     * first. The thread is matched without case: an incident's subject names its task in lower case.
     */
    async waitingInThread(channel: string, thread: string, exceptKind: string): Promise<string[]> {
      const rows = await db.all<{ event_id: string }>(
        "SELECT event_id FROM notify_deliveries WHERE channel = ? AND LOWER(thread) = ? AND status IN ('pending', 'sending') AND kind <> ? ORDER BY id",
        [channel, thread.toLowerCase(), exceptKind],
      );
      return rows.map((r) => String(r.event_id));
    },
    exists: base.exists,
    existingKeys: (keys: readonly string[]) => existingKeys(db, keys),
    insert: base.insert,
    async get(id: number): Promise<DeliveryRow | undefined> {
      const r = await db.get<Row>(q.get, [id]);
      return r ? toDelivery(r) : undefined;
    },
    openGroup: base.openGroup,
    setGroupEvents: base.setGroupEvents,
    /** Sends the open digests with this group key at once (their incident closed); the number released. */
    releaseGroups: async (groupKey: string, now: number) => (await db.run(q.releaseGroupsByKey, [now, now, groupKey, now])).changes,
    /**
     * Claims up to `limit` due deliveries (with `channels`, of these only) for this Steward: each comes back only if
     * this call moved it from pending to sending (another Steward polling at the same moment gets other rows or none).
     */
    async claimDue(now: number, limit: number, channels?: readonly string[]): Promise<DeliveryRow[]> {
      if (pg) return claimedOf((await db.all<Row>(q.claimAll(channels), [now, ...(channels ?? []), limit, opts.instanceId, now])).map(toDelivery));
      return claimInTransaction(db, q, opts.instanceId, now, limit, channels);
    },
    /** Digest windows that closed: released to be sent (or dropped when empty), by one Steward. */
    async closeDueGroups(now: number): Promise<void> {
      await db.transaction(async (tx) => {
        for (const g of (await tx.all<Row>(q.dueGroups, [now])).map(toDelivery)) {
          if (g.eventIds.length === 0) await tx.run(q.deleteRow, [g.id]);
          else await tx.run(q.releaseGroup, [now, g.id]);
        }
      });
    },
    async nextDueAt(channels?: readonly string[]): Promise<number | undefined> {
      const r = await db.get<{ t: number | null }>(q.nextDue(channels), channels ? [...channels] : []);
      return r?.t === null || r?.t === undefined ? undefined : Number(r.t);
    },
    markDelivered: async (id: number, now: number, note?: string) => void (await db.run(q.markDelivered, [now, now, note ?? null, id])),
    markRetry: async (id: number, next: number, error: string, now: number) => void (await db.run(q.markRetry, [next, error, now, id, opts.instanceId])),
    markSuppressed: async (id: number, reason: string, now: number) => void (await db.run(q.markSuppressed, [reason.slice(0, 500), now, id, opts.instanceId])),
    markDead: async (id: number, reason: string, error: string | null, now: number) =>
      void (await db.run(q.markDead, [reason, error, now, id, opts.instanceId])),
    /** Gives a claimed row back without counting the attempt (shutdown interrupted it). */
    unclaim: async (id: number, now: number) => void (await db.run(q.unclaim, [now, id, opts.instanceId])),
    /**
     * Sends again what was being sent by a Steward that is gone. Without `live` (a single Steward, at start):
     * every row left in sending, from before this start. In a cluster (`live` lists the instances alive, this one
     * included): rows of instances not in `live` at once — a member whose heartbeat is older than the lease is dead
     * to the cluster, its claims with it — and rows of any instance sending for longer than SENDING_LEASE_MS; never
     * this instance's own sends in flight. A killed Steward may have handed a mail to the server just before it died,
     * and one whose heartbeat stalled past the lease may still finish its send: such a delivery is sent twice — at
     * least once, never lost.
     */
    async resetSending(now: number, live?: readonly string[]): Promise<number> {
      if (live === undefined) return (await db.run("UPDATE notify_deliveries SET status = 'pending', updated_at = ? WHERE status = 'sending'", [now])).changes;
      const alive = [...new Set([...live, opts.instanceId])];
      const r = await db.run(
        `UPDATE notify_deliveries SET status = 'pending', updated_at = ? WHERE status = 'sending' AND (updated_at < ?
          OR claimed_by IS NULL OR claimed_by NOT IN (${alive.map(() => "?").join(", ")}))`,
        [now, now - SENDING_LEASE_MS, ...alive],
      );
      return r.changes;
    },
    retry: async (id: number, now: number, expiresAt: number) => (await db.run(q.retry, [now, expiresAt, now, id])).changes === 1,
    async rateLimitedUntil(key: string, now: number): Promise<number | undefined> {
      const r = await db.get<{ until: number }>(q.rateGet, [key]);
      return r && Number(r.until) > now ? Number(r.until) : undefined;
    },
    setRateLimit: base.setRateLimit,
    counts: async () =>
      (await db.all<{ channel: string; status: string; n: number }>(q.counts)).map((r) => ({ channel: r.channel, status: r.status, n: Number(r.n) })),
    /** Deliveries sent in the plain form since `since` because a template failed, by channel and reason, newest first. */
    recentFallbacks: async (since: number): Promise<RecentFallback[]> =>
      (await db.all<{ channel: string; reason: string; n: number; last: number }>(q.recentFallbacks, [since])).map((r) => ({
        channel: String(r.channel),
        reason: String(r.reason),
        count: Number(r.n),
        lastAt: Number(r.last),
      })),
    /** Deliveries not yet sent and when the oldest of them was queued. */
    async backlog(): Promise<{ pending: number; oldestCreatedAt?: number }> {
      const r = await db.get<{ n: number; oldest: number | null }>(q.backlog);
      return { pending: Number(r?.n ?? 0), oldestCreatedAt: r?.oldest === null || r?.oldest === undefined ? undefined : Number(r.oldest) };
    },
    list: (f: ListFilter) => listDeliveries(db, f),
    async purge(olderThan: number, now: number): Promise<number> {
      const n = (await db.run(q.purgeDeliveries, [olderThan])).changes;
      await db.run(q.purgeEvents, [olderThan]);
      await db.run(q.purgeUnrouted, [olderThan]);
      events.forget();
      await db.run(q.purgeRates, [now]);
      return n;
    },
  };
}
