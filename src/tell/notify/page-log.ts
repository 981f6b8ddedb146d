// What reached people in a span, read back from the outbox for the noise report (src/show/noise): each route's
// alerts about each event, sent or held, with the facts of the event they were about.
import type { DomainEvent } from "../../platform/events/types";
import type { SqlDb } from "../../platform/store/sql";

export interface LoggedPage {
  route: string;
  kind: string;
  status: "sent" | "held";
  /** When the first of its deliveries went out (held: when it was held). */
  at: number;
  eventId: string;
  event?: DomainEvent;
}

/**
 * Alerts that are not about trouble: the reports and summaries a route asks for, and the all-clear that follows a
 * page (one of its own would count each outage twice).
 */
export const NOT_PAGES = [
  "report.morning",
  "report.weekly",
  "maintenance.summary",
  "cause.resolved",
  "remediation.action_update",
  "task.succeeded",
  "task.recovered",
  "task.on_track",
  "checkin.recovered",
  "app.freshness_recovered",
  "data.check_passed",
  "steward.recovered",
  "intake.node_recovered",
  "license.released",
  "service.started",
];

/**
 * The alerts of [from, to), one per route and event: sent when any of its deliveries went out, held when each was
 * held back (a threshold, a silence, a maintenance window). Digests (one delivery for many events) count each event.
 * `notPaging` names the channels that record rather than tell anyone (InfluxDB, MQTT, New Relic get every event).
 */
export async function pagesBetween(db: SqlDb, from: number, to: number, limit: number, notPaging: readonly string[] = []): Promise<LoggedPage[]> {
  const rows = await db.all<{ route: string; kind: string; status: string; event_id: string; event_ids: string; at: number; payload: string | null }>(
    `SELECT d.route, d.kind, d.status, d.event_id, d.event_ids, COALESCE(d.delivered_at, d.created_at) AS at, e.payload
     FROM notify_deliveries d LEFT JOIN notify_events e ON e.id = d.event_id
     WHERE d.created_at >= ? AND d.created_at < ? AND d.status IN ('delivered', 'suppressed') AND d.kind NOT IN (${NOT_PAGES.map(() => "?").join(", ")})
     ${notPaging.length ? `AND d.channel NOT IN (${notPaging.map(() => "?").join(", ")})` : ""} ORDER BY d.id LIMIT ?`,
    [from, to, ...NOT_PAGES, ...notPaging, limit],
  );
  const pages = new Map<string, LoggedPage>();
  for (const r of rows) {
    const sent = r.status === "delivered";
    const ids = JSON.parse(String(r.event_ids)) as string[];
    for (const id of ids.length > 0 ? ids : [String(r.event_id)]) {
      const key = `${r.route}\u0000${id}`;
      const known = pages.get(key);
      const at = Number(r.at);
      if (known) {
        if (sent && known.status === "held") Object.assign(known, { status: "sent", at });
        else if (sent) known.at = Math.min(known.at, at);
        continue;
      }
      const event = id === String(r.event_id) && r.payload ? (JSON.parse(String(r.payload)) as DomainEvent) : undefined;
      pages.set(key, { route: String(r.route), kind: String(r.kind), status: sent ? "sent" : "held", at, eventId: id, ...(event ? { event } : {}) });
    }
  }
  await loadMissingEvents(db, [...pages.values()]);
  return [...pages.values()];
}

/** The events of a digest beyond its first, read in chunks. */
async function loadMissingEvents(db: SqlDb, pages: LoggedPage[]): Promise<void> {
  const found = await eventsById(
    db,
    pages.filter((p) => !p.event).map((p) => p.eventId),
  );
  for (const p of pages) if (!p.event && found.has(p.eventId)) p.event = found.get(p.eventId)!;
}

/** Events the outbox recorded, by id, read in chunks (an id it never recorded is left out). */
export async function eventsById(db: SqlDb, ids: readonly string[]): Promise<Map<string, DomainEvent>> {
  const missing = [...new Set(ids)];
  const found = new Map<string, DomainEvent>();
  for (let i = 0; i < missing.length; i += 500) {
    const chunk = missing.slice(i, i + 500);
    const rows = await db.all<{ id: string; payload: string }>(`SELECT id, payload FROM notify_events WHERE id IN (${chunk.map(() => "?").join(", ")})`, chunk);
    for (const r of rows) found.set(String(r.id), JSON.parse(String(r.payload)) as DomainEvent);
  }
  return found;
}

/** When the outbox's oldest delivery of any kind was made (ms), or undefined when it holds none: how far back it knows. */
export async function firstDeliveryAt(db: SqlDb): Promise<number | undefined> {
  const row = await db.get<{ at: number | null }>("SELECT MIN(created_at) AS at FROM notify_deliveries");
  return row?.at == null ? undefined : Number(row.at);
}

/**
 * The events of kind `kind` some route took in [from, to) that are no page (pagesBetween leaves them out), each once at
 * its first delivery: a config rehearsal re-runs the [queue] rules at a queue's recorded drain (task.on_track).
 */
export async function routedNotPages(db: SqlDb, kind: string, from: number, to: number, limit: number): Promise<Array<{ at: number; event: DomainEvent }>> {
  const rows = await db.all<{ event_id: string; at: number; payload: string | null }>(
    `SELECT d.event_id, COALESCE(d.delivered_at, d.created_at) AS at, e.payload
     FROM notify_deliveries d JOIN notify_events e ON e.id = d.event_id
     WHERE d.created_at >= ? AND d.created_at < ? AND d.kind = ? AND d.status IN ('delivered', 'suppressed') ORDER BY d.id LIMIT ?`,
    [from, to, kind, limit],
  );
  const out = new Map<string, { at: number; event: DomainEvent }>();
  for (const r of rows) {
    const known = out.get(String(r.event_id));
    if (r.payload && (!known || Number(r.at) < known.at))
      out.set(String(r.event_id), { at: Number(r.at), event: JSON.parse(String(r.payload)) as DomainEvent });
  }
  return [...out.values()];
}
