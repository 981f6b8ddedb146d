// SQL of maintenance windows, written once for SQLite and PostgreSQL: occurrences seen, the events inside them, and
// which occurrences have had their summary. Writes are idempotent (ON CONFLICT DO NOTHING), so every Steward of a
// cluster may record the same occurrence or event.
import type { SqlDb, SqlValue } from "../../platform/store/sql";
import type { Occurrence } from "./windows";

export interface WindowEventRow {
  eventId: string;
  kind: string;
  title: string;
  conditionKey: string | null;
  conditionRole: "opens" | "closes" | null;
  /** Its alerts were held (it had deliveries to hold). */
  held: boolean;
  at: number;
}

export interface OccurrenceRow {
  window: string;
  startsAt: number;
  endsAt: number;
  scope: string;
  summarizedAt: number | null;
}

type Row = Record<string, SqlValue>;

export type MaintenanceStore = ReturnType<typeof createMaintenanceStore>;

export function createMaintenanceStore(db: SqlDb) {
  return {
    async seen(o: Occurrence): Promise<void> {
      await db.run(
        "INSERT INTO maintenance_occurrences (window_name, starts_at, ends_at, scope) VALUES (?, ?, ?, ?) ON CONFLICT (window_name, starts_at) DO NOTHING",
        [o.window, o.startsAt, o.endsAt, o.scope.slice(0, 500)],
      );
    },
    async record(o: Occurrence, e: Omit<WindowEventRow, "at">, at: number): Promise<void> {
      await db.run(
        `INSERT INTO maintenance_events (window_name, starts_at, event_id, kind, title, condition_key, condition_role, held, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (window_name, starts_at, event_id) DO NOTHING`,
        [o.window, o.startsAt, e.eventId, e.kind, e.title.slice(0, 300), e.conditionKey, e.conditionRole, e.held ? 1 : 0, at],
      );
    },
    /** Occurrences that ended without a summary yet. */
    async due(now: number): Promise<OccurrenceRow[]> {
      const rows = await db.all<Row>("SELECT * FROM maintenance_occurrences WHERE summarized_at IS NULL AND ends_at <= ? ORDER BY ends_at LIMIT 50", [now]);
      return rows.map((r) => ({
        window: String(r.window_name),
        startsAt: Number(r.starts_at),
        endsAt: Number(r.ends_at),
        scope: String(r.scope),
        summarizedAt: r.summarized_at === null || r.summarized_at === undefined ? null : Number(r.summarized_at),
      }));
    },
    async events(window: string, startsAt: number): Promise<WindowEventRow[]> {
      const rows = await db.all<Row>("SELECT * FROM maintenance_events WHERE window_name = ? AND starts_at = ? ORDER BY at, event_id LIMIT 20000", [
        window,
        startsAt,
      ]);
      return rows.map((r) => ({
        eventId: String(r.event_id),
        kind: String(r.kind),
        title: String(r.title),
        conditionKey: r.condition_key === null ? null : String(r.condition_key),
        conditionRole: r.condition_role === null ? null : (String(r.condition_role) as "opens" | "closes"),
        held: Number(r.held) === 1,
        at: Number(r.at),
      }));
    },
    async markSummarized(window: string, startsAt: number, now: number): Promise<void> {
      await db.run("UPDATE maintenance_occurrences SET summarized_at = ? WHERE window_name = ? AND starts_at = ? AND summarized_at IS NULL", [
        now,
        window,
        startsAt,
      ]);
    },
    /** Of these events, those recorded inside an occurrence that lasts at `now`, each with its window. */
    async insideActive(eventIds: readonly string[], now: number): Promise<Map<string, string>> {
      const out = new Map<string, string>();
      // In slices: a cause may hold thousands of symptoms, more than a statement takes parameters.
      for (let i = 0; i < eventIds.length; i += 500) {
        const ids = eventIds.slice(i, i + 500);
        const rows = await db.all<Row>(
          `SELECT e.event_id, e.window_name FROM maintenance_events e JOIN maintenance_occurrences o ON o.window_name = e.window_name
           AND o.starts_at = e.starts_at WHERE o.starts_at <= ? AND o.ends_at > ? AND e.event_id IN (${ids.map(() => "?").join(", ")})`,
          [now, now, ...ids],
        );
        for (const r of rows) out.set(String(r.event_id), String(r.window_name));
      }
      return out;
    },
    /** Forgets summarized occurrences (and their events) that ended before `before`. */
    async purge(before: number): Promise<void> {
      await db.run(
        `DELETE FROM maintenance_events WHERE EXISTS (SELECT 1 FROM maintenance_occurrences o WHERE o.window_name = maintenance_events.window_name
         AND o.starts_at = maintenance_events.starts_at AND o.summarized_at IS NOT NULL AND o.ends_at < ?)`,
        [before],
      );
      await db.run("DELETE FROM maintenance_occurrences WHERE summarized_at IS NOT NULL AND ends_at < ?", [before]);
    },
  };
}
