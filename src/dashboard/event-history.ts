// The recent-event history behind the dashboard timeline, kept in the store so the timeline survives a restart.
// Capped: only the newest rows are kept; whole script logs are not stored twice (the outbox has them).
import type { DatabaseSync } from "node:sqlite";
import type { DomainEvent } from "../events/types";
import type { MigrationSet } from "../store/database";

export const eventHistoryMigrations: MigrationSet = {
  module: "event_history",
  migrations: [
    {
      version: 1,
      name: "recent domain events",
      sql: `CREATE TABLE event_history (seq INTEGER PRIMARY KEY AUTOINCREMENT, seen_at INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL);
        CREATE INDEX event_history_seen ON event_history (seen_at);`,
    },
  ],
};

export interface StoredEvent {
  seq: number;
  seenAt: number;
  event: DomainEvent;
}

export interface EventHistory {
  append(event: DomainEvent, seenAt: number): number;
  /** Newest first. */
  recent(limit: number): StoredEvent[];
}

export function createEventHistory(db: DatabaseSync, max: number): EventHistory {
  const insert = db.prepare("INSERT INTO event_history (seen_at, kind, payload) VALUES (?, ?, ?)");
  const prune = db.prepare("DELETE FROM event_history WHERE seq <= ?");
  const recent = db.prepare("SELECT seq, seen_at, payload FROM event_history ORDER BY seq DESC LIMIT ?");
  return {
    append(event, seenAt) {
      const stored = "scriptLog" in event && event.scriptLog?.text !== undefined ? { ...event, scriptLog: { ...event.scriptLog, text: undefined } } : event;
      const seq = Number(insert.run(seenAt, event.kind, JSON.stringify(stored)).lastInsertRowid);
      // Pruning in steps keeps the write path to one statement most of the time.
      if (seq % 50 === 0) prune.run(seq - max);
      return seq;
    },
    recent(limit) {
      return (recent.all(limit) as Array<{ seq: number; seen_at: number; payload: string }>).map((r) => ({
        seq: Number(r.seq),
        seenAt: Number(r.seen_at),
        event: JSON.parse(r.payload) as DomainEvent,
      }));
    },
  };
}
