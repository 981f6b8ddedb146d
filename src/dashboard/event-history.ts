// The recent-event history behind the dashboard timeline, kept in the store so the timeline survives a restart.
// Capped: only the newest rows are kept; whole script logs are not stored twice (the outbox has them).
import type { DatabaseSync } from "node:sqlite";
import type { DomainEvent } from "../events/types";
import type { MigrationSet } from "../store/database";
import type { GroupCommit } from "../store/group-commit";

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

/**
 * With `writes`, rows are written in the store's shared transaction (group commit) instead of one commit per
 * event: a burst of task events costs a few commits. The sequence number is assigned here, so it is known at once.
 */
export function createEventHistory(db: DatabaseSync, max: number, writes?: GroupCommit): EventHistory {
  const insert = db.prepare("INSERT INTO event_history (seq, seen_at, kind, payload) VALUES (?, ?, ?, ?)");
  const prune = db.prepare("DELETE FROM event_history WHERE seq <= ?");
  const recent = db.prepare("SELECT seq, seen_at, payload FROM event_history ORDER BY seq DESC LIMIT ?");
  let last = Number((db.prepare("SELECT COALESCE(MAX(seq), 0) AS s FROM event_history").get() as { s: number }).s);
  return {
    append(event, seenAt) {
      const stored = "scriptLog" in event && event.scriptLog?.text !== undefined ? { ...event, scriptLog: { ...event.scriptLog, text: undefined } } : event;
      const seq = ++last;
      const payload = JSON.stringify(stored);
      const write = () => {
        insert.run(seq, seenAt, event.kind, payload);
        // Pruning in steps keeps the write path to one statement most of the time.
        if (seq % 50 === 0) prune.run(seq - max);
      };
      // The timeline is a convenience: a row lost with a failed commit is not worth failing the event for.
      if (writes) writes.write(write).catch(() => undefined);
      else write();
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
