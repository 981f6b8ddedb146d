// The recent-event history behind the dashboard timeline, kept in the store so the timeline survives a restart.
// Capped: only the newest rows are kept; whole script logs are not stored twice (the outbox has them).
import type { DatabaseSync } from "node:sqlite";
import { type Clock, systemClock, type Timer } from "../../platform/core/clock";
import type { DomainEvent } from "../../platform/events/types";
import type { MigrationSet } from "../../platform/store/database";
import type { GroupCommit } from "../../platform/store/group-commit";

export const eventHistoryMigrations: MigrationSet = {
  module: "event_history",
  migrations: [
    {
      version: 1,
      name: "recent domain events",
      sql: `CREATE TABLE event_history (seq INTEGER PRIMARY KEY AUTOINCREMENT, seen_at INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL);
        CREATE INDEX event_history_seen ON event_history (seen_at);`,
    },
    {
      version: 2,
      name: "the Steward that handled each event",
      // In a cluster the timeline shows the whole site: each entry says which Steward handled it.
      sql: "ALTER TABLE event_history ADD COLUMN steward TEXT",
    },
  ],
};

export interface StoredEvent {
  seq: number;
  seenAt: number;
  event: DomainEvent;
  /** The Steward of the cluster that handled it (absent on a single Steward). */
  steward?: string;
}

export interface EventHistory {
  /** `json`: the event's JSON text without its script log's text, when the caller has it already. */
  append(event: DomainEvent, seenAt: number, steward?: string, json?: string): number;
  /** Writes what is waiting now (at stop). */
  flush(): void;
  /** Newest first. */
  recent(limit: number): StoredEvent[];
}

/**
 * How long appended rows may wait before they are written, when writing through the shared transaction. A flush
 * writes at most the newest `max` rows, so at N events a second it writes min(N, max / FLUSH_EVERY_MS) rows a second:
 * at 1,000 failure datagrams a second (and `max` 500) every 250 ms wrote (JSON text, insert, prune) all 1,000 rows a
 * second, 5 % of the main thread (issue 89), where a second writes 500.
 */
export const FLUSH_EVERY_MS = 1_000;

/**
 * With `writes`, rows wait up to FLUSH_EVERY_MS and are then written in the store's shared transaction (group
 * commit), only the newest `max` of them: a burst of thousands of task events writes at most `max` rows instead
 * of one each (older ones would be pruned at once). A crash loses at most that second of the timeline (alerts
 * are in the outbox, runs in the run history). Sequence numbers are assigned here, so they are known at once.
 */
/** The event as the history keeps it: a whole script log is not stored twice (the outbox has it). */
const withoutLogText = (e: DomainEvent): DomainEvent =>
  "scriptLog" in e && e.scriptLog?.text !== undefined ? { ...e, scriptLog: { ...e.scriptLog, text: undefined } } : e;

export function createEventHistory(db: DatabaseSync, max: number, writes?: GroupCommit, clock: Clock = systemClock): EventHistory {
  const insert = db.prepare("INSERT INTO event_history (seq, seen_at, kind, payload, steward) VALUES (?, ?, ?, ?, ?)");
  const prune = db.prepare("DELETE FROM event_history WHERE seq <= ?");
  const recent = db.prepare("SELECT seq, seen_at, payload, steward FROM event_history ORDER BY seq DESC LIMIT ?");
  let last = Number((db.prepare("SELECT COALESCE(MAX(seq), 0) AS s FROM event_history").get() as { s: number }).s);
  let pending: Array<{ seq: number; seenAt: number; event: DomainEvent; steward?: string; json?: string }> = [];
  let timer: Timer | undefined;

  const writeRows = (rows: typeof pending) => {
    for (const r of rows) {
      const e = r.event;
      insert.run(r.seq, r.seenAt, e.kind, r.json ?? JSON.stringify(withoutLogText(e)), r.steward ?? null);
    }
    const newest = rows.at(-1)?.seq;
    // Pruning in steps keeps the write path short most of the time.
    if (newest !== undefined && (writes || newest % 50 === 0)) prune.run(newest - max);
  };
  const take = () => {
    const rows = pending.length > max ? pending.slice(-max) : pending;
    pending = [];
    return rows;
  };

  return {
    append(event, seenAt, steward, json) {
      const seq = ++last;
      const row = { seq, seenAt, event, ...(steward ? { steward } : {}), ...(json !== undefined ? { json } : {}) };
      if (!writes) {
        writeRows([row]);
        return seq;
      }
      pending.push(row);
      if (pending.length > 2 * max) pending = pending.slice(-max);
      timer ??= clock.setTimeout(() => {
        timer = undefined;
        const rows = take();
        // The timeline is a convenience: rows lost with a failed commit are not worth failing anything for.
        writes.write(() => writeRows(rows)).catch(() => undefined);
      }, FLUSH_EVERY_MS);
      timer.unref?.();
      return seq;
    },
    flush() {
      if (timer) clock.clearTimeout(timer);
      timer = undefined;
      const rows = take();
      if (rows.length === 0 || !db.isOpen) return;
      if (writes) writes.write(() => writeRows(rows)).catch(() => undefined);
      else writeRows(rows);
    },
    recent(limit) {
      return (recent.all(limit) as Array<{ seq: number; seen_at: number; payload: string; steward: string | null }>).map((r) => ({
        seq: Number(r.seq),
        seenAt: Number(r.seen_at),
        event: JSON.parse(r.payload) as DomainEvent,
        ...(r.steward ? { steward: r.steward } : {}),
      }));
    },
  };
}
