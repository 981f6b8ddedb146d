// What the intake remembers across restarts: runs already announced (dedupe on ExecutionId + outcome, with
// expiry), the reconciliation watermark, and distribute runs still waiting for their final state in QRS.
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { MigrationSet } from "../store/database";
import type { GroupCommit } from "../store/group-commit";

export const intakeMigrations: MigrationSet = {
  module: "intake",
  migrations: [
    {
      version: 1,
      name: "seen runs, state, pending distribute polls",
      sql: `
        CREATE TABLE intake_seen (
          key TEXT PRIMARY KEY,
          execution_id TEXT NOT NULL,
          source TEXT NOT NULL,
          seen_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        );
        CREATE INDEX intake_seen_expiry ON intake_seen (expires_at);
        CREATE INDEX intake_seen_execution ON intake_seen (execution_id);
        CREATE TABLE intake_state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE intake_pending (
          execution_id TEXT PRIMARY KEY,
          payload TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          next_at INTEGER NOT NULL,
          deadline INTEGER NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0
        );`,
    },
    {
      version: 2,
      name: "pending distribute polls: announcing source, due-time index",
      sql: `
        ALTER TABLE intake_pending ADD COLUMN source TEXT NOT NULL DEFAULT '';
        CREATE INDEX intake_pending_source ON intake_pending (source);
        CREATE INDEX intake_pending_next ON intake_pending (next_at);`,
    },
  ],
};

export interface PendingPoll<P> {
  executionId: string;
  /** The address the announcing datagram came from ("" for rows older than this column). */
  source?: string;
  payload: P;
  createdAt: number;
  nextAt: number;
  deadline: number;
  attempts: number;
}

export interface IntakeStore {
  /** True when the key was handled and has not expired. */
  isSeen(key: string, now: number): boolean;
  /** True when any outcome of this execution was handled (reconciliation uses it). */
  isExecutionSeen(executionId: string, now: number): boolean;
  markSeen(keys: Array<{ key: string; executionId: string }>, source: string, now: number, ttlMs: number): void;
  /**
   * The same in the store's shared transaction (group commit): the marks of a burst of runs share one commit
   * instead of one each. Resolves once committed.
   */
  markSeenShared(keys: Array<{ key: string; executionId: string }>, source: string, now: number, ttlMs: number): Promise<void>;
  purgeExpired(now: number): number;
  seenCount(): number;
  getState(name: string): string | undefined;
  setState(name: string, value: string): void;
  addPending<P>(p: PendingPoll<P>): void;
  updatePending(executionId: string, nextAt: number, attempts: number): void;
  removePending(executionId: string): void;
  isPending(executionId: string): boolean;
  pendingCount(): number;
  pendingCountFrom(source: string): number;
  /** The earliest `nextAt`, or undefined when nothing is pending (one indexed read, whatever the list's size). */
  nextPendingAt(): number | undefined;
  /** Rows due at `now`, earliest first, at most `limit`. */
  listDuePending<P>(now: number, limit: number): Array<PendingPoll<P>>;
  listPending<P>(): Array<PendingPoll<P>>;
}

export function createIntakeStore(db: DatabaseSync, writes?: GroupCommit): IntakeStore {
  const s = (sql: string): StatementSync => db.prepare(sql);
  const seen = s("SELECT 1 FROM intake_seen WHERE key = ? AND expires_at > ?");
  const execSeen = s("SELECT 1 FROM intake_seen WHERE execution_id = ? AND expires_at > ? LIMIT 1");
  const upsertSeen = s(
    "INSERT INTO intake_seen (key, execution_id, source, seen_at, expires_at) VALUES (?, ?, ?, ?, ?) " +
      "ON CONFLICT(key) DO UPDATE SET expires_at = excluded.expires_at",
  );
  const purge = s("DELETE FROM intake_seen WHERE expires_at <= ?");
  const count = s("SELECT COUNT(*) AS n FROM intake_seen");
  const getState = s("SELECT value FROM intake_state WHERE name = ?");
  const setState = s("INSERT INTO intake_state (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value");
  const addPending = s(
    "INSERT INTO intake_pending (execution_id, source, payload, created_at, next_at, deadline, attempts) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(execution_id) DO NOTHING",
  );
  const updPending = s("UPDATE intake_pending SET next_at = ?, attempts = ? WHERE execution_id = ?");
  const delPending = s("DELETE FROM intake_pending WHERE execution_id = ?");
  const hasPending = s("SELECT 1 FROM intake_pending WHERE execution_id = ?");
  const listPending = s("SELECT * FROM intake_pending ORDER BY next_at");
  const countPending = s("SELECT COUNT(*) AS n FROM intake_pending");
  const countPendingFrom = s("SELECT COUNT(*) AS n FROM intake_pending WHERE source = ?");
  const nextPending = s("SELECT MIN(next_at) AS at FROM intake_pending");
  const duePending = s("SELECT * FROM intake_pending WHERE next_at <= ? ORDER BY next_at LIMIT ?");
  const toPoll = <P>(r: Record<string, unknown>): PendingPoll<P> => ({
    executionId: String(r.execution_id),
    source: String(r.source ?? ""),
    payload: JSON.parse(String(r.payload)) as P,
    createdAt: Number(r.created_at),
    nextAt: Number(r.next_at),
    deadline: Number(r.deadline),
    attempts: Number(r.attempts),
  });

  return {
    isSeen: (key, now) => seen.get(key, now) !== undefined,
    isExecutionSeen: (executionId, now) => execSeen.get(executionId, now) !== undefined,
    markSeen(keys, source, now, ttlMs) {
      db.exec("BEGIN");
      try {
        for (const k of keys) upsertSeen.run(k.key, k.executionId, source, now, now + ttlMs);
        db.exec("COMMIT");
      } catch (err) {
        db.exec("ROLLBACK");
        throw err;
      }
    },
    async markSeenShared(keys, source, now, ttlMs) {
      if (!writes) return this.markSeen(keys, source, now, ttlMs);
      await writes.write(() => {
        for (const k of keys) upsertSeen.run(k.key, k.executionId, source, now, now + ttlMs);
      });
    },
    purgeExpired: (now) => Number(purge.run(now).changes),
    seenCount: () => Number((count.get() as { n: number }).n),
    getState: (name) => (getState.get(name) as { value: string } | undefined)?.value,
    setState: (name, value) => void setState.run(name, value),
    addPending: (p) => void addPending.run(p.executionId, p.source ?? "", JSON.stringify(p.payload), p.createdAt, p.nextAt, p.deadline, p.attempts),
    updatePending: (id, nextAt, attempts) => void updPending.run(nextAt, attempts, id),
    removePending: (id) => void delPending.run(id),
    isPending: (id) => hasPending.get(id) !== undefined,
    pendingCount: () => Number((countPending.get() as { n: number }).n),
    pendingCountFrom: (source) => Number((countPendingFrom.get(source) as { n: number }).n),
    nextPendingAt() {
      const at = (nextPending.get() as { at: number | null }).at;
      return at === null ? undefined : Number(at);
    },
    listDuePending: <P>(now: number, limit: number) => (duePending.all(now, limit) as Array<Record<string, unknown>>).map((r) => toPoll<P>(r)),
    listPending: <P>() => (listPending.all() as Array<Record<string, unknown>>).map((r) => toPoll<P>(r)),
  };
}
