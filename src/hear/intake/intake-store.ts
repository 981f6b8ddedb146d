// What the intake remembers across restarts: runs already announced (dedupe on ExecutionId + outcome, with
// expiry), the reconciliation watermark, and distribute runs still waiting for their final state in QRS.
import type { MigrationSet } from "../../platform/store/database";
import type { SqlDb } from "../../platform/store/sql";
import { createPostgresIntakeBatches } from "./postgres-batches";
import { processClaimsOf } from "./process-claims";
import { seenFilterOf } from "./seen-filter";
import { createSeenLooks } from "./seen-looks";
import { isRunKeyOf, runKeysOf } from "../events/run-key";

/** Every stored key is a run key: the execution's lookups (runKeysOf) find nothing else. */
function checkKey(key: string, executionId: string): void {
  if (isRunKeyOf(key, executionId)) return;
  throw new Error(`intake key "${key}" is not runKey("${executionId}", …): the execution's lookups would miss it`);
}

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
    {
      version: 3,
      name: "run claims",
      // A row with claimed_by set is a run that Steward instance is working on (its expiry is the claim's
      // lease); without it, a run handled and remembered for dedupe.
      sql: "ALTER TABLE intake_seen ADD COLUMN claimed_by TEXT",
    },
    {
      version: 4,
      name: "no execution index; claims in memory on SQLite",
      // An execution's keys are a closed set (runKey), looked up by the primary key. On SQLite, which one process
      // holds, claims live in memory (process-claims.ts): the claim rows left are of the process before this one,
      // which its successor dropped at start anyway. On PostgreSQL live claims of other Stewards stay.
      sql: `
        DELETE FROM intake_seen WHERE claimed_by IS NOT NULL;
        DROP INDEX IF EXISTS intake_seen_execution;`,
      postgres: "DROP INDEX IF EXISTS intake_seen_execution",
    },
    {
      version: 5,
      name: "overflow: runs waiting for room in the queue (overflow.ts)",
      sql: "CREATE TABLE intake_overflow (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, source TEXT NOT NULL, report TEXT NOT NULL)",
    },
    {
      version: 6,
      name: "overflow: taken in turns by source (overflow.ts)",
      sql: `
        ALTER TABLE intake_overflow ADD COLUMN turn INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX intake_overflow_turn ON intake_overflow (turn, seq);`,
    },
    {
      version: 7,
      name: "unconfirmed runs per sending address: the site-wide page budget and last run (unconfirmed-store.ts)",
      sql: "CREATE TABLE intake_unconfirmed_sources (source_key TEXT PRIMARY KEY, window_no INTEGER NOT NULL, taken INTEGER NOT NULL, last_at INTEGER NOT NULL)",
    },
    {
      version: 8,
      name: "single pages of unconfirmed failures, checked again once QRS answers (unconfirmed-pages.ts)",
      sql: `
        CREATE TABLE intake_unconfirmed_pages (run_key TEXT PRIMARY KEY, task_id TEXT NOT NULL, event TEXT NOT NULL, created_at INTEGER NOT NULL, next_at INTEGER NOT NULL, real_run INTEGER NOT NULL);
        CREATE INDEX intake_unconfirmed_pages_due ON intake_unconfirmed_pages (next_at);`,
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
  /** True when the key was handled (or is claimed by a Steward working on it) and has not expired. */
  isSeen(key: string, now: number): Promise<boolean>;
  /** True when any outcome of this execution was handled or claimed (reconciliation uses it). */
  isExecutionSeen(executionId: string, now: number): Promise<boolean>;
  /** True while a Steward holds an unexpired claim on some outcome of the execution (working on it). */
  isExecutionClaimed(executionId: string, now: number): Promise<boolean>;
  /**
   * Claims a run for this Steward: true when nobody handled or claimed the key (or their claim ran out after
   * `leaseMs`, because that Steward died while working on it). Every Steward of a cluster goes through here, so
   * a run heard of by several (two appenders, a datagram and reconciliation) is announced by one.
   */
  claim(key: string, executionId: string, source: string, now: number, leaseMs: number, instanceId: string): Promise<boolean>;
  /**
   * Drops the claims of Steward instances other than these (they were killed while working on a run): their runs
   * can be picked up at once instead of when the claims run out. Returns how many.
   */
  dropClaimsExcept(instanceIds: readonly string[]): Promise<number>;
  /** Gives a claim up (the run could not be processed): reconciliation may pick the run up again. */
  unclaim(key: string): Promise<void>;
  markSeen(keys: Array<{ key: string; executionId: string }>, source: string, now: number, ttlMs: number): Promise<void>;
  purgeExpired(now: number): Promise<number>;
  seenCount(): Promise<number>;
  getState(name: string): Promise<string | undefined>;
  setState(name: string, value: string): Promise<void>;
  /** False when the execution already waits for its poll (another datagram, or another Steward, added it). */
  addPending<P>(p: PendingPoll<P>): Promise<boolean>;
  updatePending(executionId: string, nextAt: number, attempts: number): Promise<void>;
  removePending(executionId: string): Promise<void>;
  isPending(executionId: string): Promise<boolean>;
  pendingCount(): Promise<number>;
  pendingCountFrom(source: string): Promise<number>;
  /** The earliest `nextAt`, or undefined when nothing is pending (one indexed read, whatever the list's size). */
  nextPendingAt(): Promise<number | undefined>;
  /** Rows due at `now`, earliest first, at most `limit`. */
  listDuePending<P>(now: number, limit: number): Promise<Array<PendingPoll<P>>>;
  listPending<P>(): Promise<Array<PendingPoll<P>>>;
}

export function createIntakeStore(db: SqlDb): IntakeStore {
  const q = {
    seen: "SELECT 1 AS x FROM intake_seen WHERE key = ? AND expires_at > ?",
    execSeen: "SELECT 1 AS x FROM intake_seen WHERE key IN (?, ?, ?, ?) AND expires_at > ? LIMIT 1",
    execClaimed: "SELECT 1 AS x FROM intake_seen WHERE key IN (?, ?, ?, ?) AND claimed_by IS NOT NULL AND expires_at > ? LIMIT 1",
    upsertSeen:
      "INSERT INTO intake_seen (key, execution_id, source, seen_at, expires_at, claimed_by) VALUES (?, ?, ?, ?, ?, NULL) " +
      "ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at, claimed_by = NULL",
    unclaim: "DELETE FROM intake_seen WHERE key = ? AND claimed_by IS NOT NULL",
    purge: "DELETE FROM intake_seen WHERE expires_at <= ?",
    count: "SELECT COUNT(*) AS n FROM intake_seen",
    getState: "SELECT value FROM intake_state WHERE name = ?",
    setState: "INSERT INTO intake_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    addPending:
      "INSERT INTO intake_pending (execution_id, source, payload, created_at, next_at, deadline, attempts) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (execution_id) DO NOTHING",
    updPending: "UPDATE intake_pending SET next_at = ?, attempts = ? WHERE execution_id = ?",
    delPending: "DELETE FROM intake_pending WHERE execution_id = ?",
    hasPending: "SELECT 1 AS x FROM intake_pending WHERE execution_id = ?",
    listPending: "SELECT * FROM intake_pending ORDER BY next_at",
    countPending: "SELECT COUNT(*) AS n FROM intake_pending",
    countPendingFrom: "SELECT COUNT(*) AS n FROM intake_pending WHERE source = ?",
    nextPending: "SELECT MIN(next_at) AS at FROM intake_pending",
    duePending: "SELECT * FROM intake_pending WHERE next_at <= ? ORDER BY next_at LIMIT ?",
  };
  const toPoll = <P>(r: Record<string, unknown>): PendingPoll<P> => ({
    executionId: String(r.execution_id),
    source: String(r.source ?? ""),
    payload: JSON.parse(String(r.payload)) as P,
    createdAt: Number(r.created_at),
    nextAt: Number(r.next_at),
    deadline: Number(r.deadline),
    attempts: Number(r.attempts),
  });

  const seenRow = async (key: string, now: number) => (await db.get(q.seen, [key, now])) !== undefined;

  // On PostgreSQL, shared by the Stewards of a cluster, a claim is a row, and the claims and marks of concurrent
  // runs share statements (postgres-batches.ts). On SQLite, held by one process, a claim is held in memory and a
  // run writes one row, its seen mark; the seam puts the marks of one turn of the event loop in one commit.
  const batches = db.dialect === "postgres" ? createPostgresIntakeBatches(db) : undefined;
  const held = batches ? undefined : processClaimsOf(db);
  /** SQLite: the claims' looks at the seen marks, one statement for those of a turn (seen-looks.ts). */
  const claimLook = held ? createSeenLooks(db) : seenRow;
  /** SQLite: the runs surely never marked, whose claims need no look at all (seen-filter.ts). */
  const filter = held ? seenFilterOf(db) : undefined;

  async function writeMarks(keys: Array<{ key: string; executionId: string }>, source: string, now: number, ttlMs: number): Promise<void> {
    if (batches) return batches.markSeen(keys.map((k) => ({ key: k.key, executionId: k.executionId, source, now, expiresAt: now + ttlMs })));
    // Before the write is sent: the filter never answers "never marked" for a key whose mark may be in the store.
    for (const k of keys) filter?.add(k.key);
    // The usual case: one mark, one statement (no transaction of its own, so no savepoint in the shared commit).
    const [only] = keys;
    if (keys.length === 1 && only) return void (await db.run(q.upsertSeen, [only.key, only.executionId, source, now, now + ttlMs]));
    await db.transaction(async (tx) => {
      for (const k of keys) await tx.run(q.upsertSeen, [k.key, k.executionId, source, now, now + ttlMs]);
    });
  }

  return {
    isSeen: async (key, now) => held?.holds(key, now) || (await seenRow(key, now)),
    isExecutionSeen: async (executionId, now) =>
      held?.holdsExecution(executionId, now) || (await db.get(q.execSeen, [...runKeysOf(executionId), now])) !== undefined,
    isExecutionClaimed: async (executionId, now) =>
      held ? held.holdsExecution(executionId, now) : (await db.get(q.execClaimed, [...runKeysOf(executionId), now])) !== undefined,
    async claim(key, executionId, source, now, leaseMs, instanceId) {
      checkKey(key, executionId);
      if (!held) return batches!.claim({ key, executionId, source, now, expiresAt: now + leaseMs, instanceId });
      // Taken before the read, so a second claim of the key meanwhile loses to this one.
      if (!held.take(key, executionId, instanceId, now + leaseMs, now)) return false;
      // Never marked here: nothing to look at (the usual case, a new run).
      if (!filter!.mayHave(key)) return true;
      try {
        if (!(await claimLook(key, now))) return true;
      } catch (err) {
        held.drop(key);
        throw err;
      }
      held.drop(key);
      return false;
    },
    async dropClaimsExcept(instanceIds) {
      if (held) return held.dropExcept(instanceIds);
      const keep = instanceIds.length ? ` AND claimed_by NOT IN (${instanceIds.map(() => "?").join(", ")})` : "";
      return (await db.run(`DELETE FROM intake_seen WHERE claimed_by IS NOT NULL${keep}`, [...instanceIds])).changes;
    },
    unclaim: async (key) => (held ? held.drop(key) : void (await db.run(q.unclaim, [key]))),
    async markSeen(keys, source, now, ttlMs) {
      for (const k of keys) checkKey(k.key, k.executionId);
      await writeMarks(keys, source, now, ttlMs);
      // Committed: the rows answer for these keys from now on.
      if (held) for (const k of keys) held.drop(k.key);
    },
    async purgeExpired(now) {
      held?.purge(now);
      return (await db.run(q.purge, [now])).changes;
    },
    seenCount: async () => Number((await db.get<{ n: number }>(q.count))?.n ?? 0),
    getState: async (name) => (await db.get<{ value: string }>(q.getState, [name]))?.value,
    setState: async (name, value) => void (await db.run(q.setState, [name, value])),
    addPending: async (p) =>
      (await db.run(q.addPending, [p.executionId, p.source ?? "", JSON.stringify(p.payload), p.createdAt, p.nextAt, p.deadline, p.attempts])).changes > 0,
    updatePending: async (id, nextAt, attempts) => void (await db.run(q.updPending, [nextAt, attempts, id])),
    removePending: async (id) => void (await db.run(q.delPending, [id])),
    isPending: async (id) => (await db.get(q.hasPending, [id])) !== undefined,
    pendingCount: async () => Number((await db.get<{ n: number }>(q.countPending))?.n ?? 0),
    pendingCountFrom: async (source) => Number((await db.get<{ n: number }>(q.countPendingFrom, [source]))?.n ?? 0),
    async nextPendingAt() {
      const at = (await db.get<{ at: number | null }>(q.nextPending))?.at;
      return at === null || at === undefined ? undefined : Number(at);
    },
    listDuePending: async <P>(now: number, limit: number) => (await db.all<Record<string, unknown>>(q.duePending, [now, limit])).map((r) => toPoll<P>(r)),
    listPending: async <P>() => (await db.all<Record<string, unknown>>(q.listPending)).map((r) => toPoll<P>(r)),
  };
}
