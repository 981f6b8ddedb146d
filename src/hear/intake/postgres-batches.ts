// Group commit for the intake's run claims and seen-marks on PostgreSQL. Each run costs a claim before it is
// handled and a mark after; one statement (and one commit) each is a round trip per run per worker, so a burst of
// datagrams waits on PostgreSQL one run at a time. Here the claims (and, separately, the marks) asked for while a
// statement of their kind is on its way go together in the next one: one multi-row INSERT … ON CONFLICT, committed
// on its own, each caller answered after that commit with its own outcome. A claim is still decided by the
// database's unique key, so two Stewards (or two batches) cannot both win a run.
//
// The rows travel as one JSON text parameter (json_to_recordset; sent as text, as the client would otherwise
// encode the string itself as JSON), so the statement text is the same for any batch size
// and is prepared once. If a batch is refused for a reason other than the store being unreachable (a row the
// database will not take, such as text with a NUL character from a forged datagram), its items are tried one by one,
// so one bad run cannot fail the claims of the others.
import { setImmediate } from "node:timers";
import { isStoreUnavailable, type SqlDb } from "../../platform/store/sql";

/** Most rows one statement carries (bounds one statement's size and the time its row locks are held). */
const MAX_BATCH = 200;

export interface ClaimRow {
  key: string;
  executionId: string;
  source: string;
  now: number;
  expiresAt: number;
  instanceId: string;
}

export interface SeenRow {
  key: string;
  executionId: string;
  source: string;
  now: number;
  expiresAt: number;
}

// In key order: every batch (of this Steward or another) locks its keys in the same order, so two batches with
// keys in common wait for each other instead of deadlocking.
const ROWS = (cols: string) => `SELECT * FROM json_to_recordset(?::text::json) AS r(${cols}) ORDER BY k`;
const COLS = "k text, e text, s text, n bigint, x bigint";

// Takes the key when it is new, when its row (a handled run, or a claim of a Steward that died) has expired, or
// when the row is this Steward's own claim: a claim committed just before the connection was lost answers with an
// error, and the retry must find the run still ours (this process reserves a key in memory before claiming it, so
// no second path of its own is working on it). RETURNING names the keys this statement took.
const CLAIM =
  "INSERT INTO intake_seen (key, execution_id, source, seen_at, expires_at, claimed_by) " +
  `SELECT k, e, s, n, x, i FROM (${ROWS(`${COLS}, i text`)}) rows ORDER BY k ` +
  "ON CONFLICT (key) DO UPDATE SET execution_id = excluded.execution_id, source = excluded.source, seen_at = excluded.seen_at, " +
  "expires_at = excluded.expires_at, claimed_by = excluded.claimed_by WHERE intake_seen.expires_at <= excluded.seen_at OR intake_seen.claimed_by = excluded.claimed_by " +
  "RETURNING key";

const MARK =
  "INSERT INTO intake_seen (key, execution_id, source, seen_at, expires_at, claimed_by) " +
  `SELECT k, e, s, n, x, NULL FROM (${ROWS(COLS)}) rows ORDER BY k ` +
  "ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at, claimed_by = NULL";

interface Job<I, O> {
  item: I;
  resolve: (v: O) => void;
  reject: (e: unknown) => void;
}

/**
 * Items asked for while a batch is on its way wait for it and go together in the next one (at most one batch of a
 * kind in flight); a lone item goes at the next turn of the event loop. `run` answers each item of a batch.
 */
function createBatcher<I, O>(run: (items: I[]) => Promise<O[]>, one: (item: I) => Promise<O>, stats: BatchStats): (item: I) => Promise<O> {
  const queue: Array<Job<I, O>> = [];
  let busy = false;
  const flush = async (): Promise<void> => {
    const batch = queue.splice(0, MAX_BATCH);
    if (batch.length === 0) {
      busy = false;
      return;
    }
    stats.batches++;
    stats.items += batch.length;
    try {
      const out = await run(batch.map((j) => j.item));
      batch.forEach((j, i) => j.resolve(out[i] as O));
    } catch (err) {
      if (batch.length === 1 || isStoreUnavailable(err)) for (const j of batch) j.reject(err);
      else await Promise.all(batch.map((j) => one(j.item).then(j.resolve, j.reject)));
    }
    void flush();
  };
  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (busy) return;
      busy = true;
      setImmediate(() => void flush());
    });
}

export interface BatchStats {
  /** Batches sent (a batch tried again item by item counts once). */
  batches: number;
  /** Calls they carried. */
  items: number;
}

export interface PostgresIntakeBatches {
  /** True when this call took the key. */
  claim(row: ClaimRow): Promise<boolean>;
  markSeen(rows: SeenRow[]): Promise<void>;
  /** The sharing made visible (tests). */
  readonly stats: { readonly claims: Readonly<BatchStats>; readonly marks: Readonly<BatchStats> };
}

export function createPostgresIntakeBatches(db: SqlDb): PostgresIntakeBatches {
  const claimRows = async (rows: ClaimRow[]): Promise<boolean[]> => {
    // A key asked for twice in one batch: the first asker competes for it, the later one lost to it (as if in turn).
    const first = new Map<string, number>();
    rows.forEach((r, i) => {
      if (!first.has(r.key)) first.set(r.key, i);
    });
    const unique = [...first.values()].map((i) => rows[i]!);
    const json = JSON.stringify(unique.map((r) => ({ k: r.key, e: r.executionId, s: r.source, n: r.now, x: r.expiresAt, i: r.instanceId })));
    const taken = new Set((await db.all<{ key: string }>(CLAIM, [json])).map((r) => r.key));
    return rows.map((r, i) => first.get(r.key) === i && taken.has(r.key));
  };
  const markRows = async (batches: SeenRow[][]): Promise<undefined[]> => {
    // One row per key (a second mark of a key in the batch is the same mark, the later one kept).
    const byKey = new Map<string, SeenRow>();
    for (const rows of batches) for (const r of rows) byKey.set(r.key, r);
    const json = JSON.stringify([...byKey.values()].map((r) => ({ k: r.key, e: r.executionId, s: r.source, n: r.now, x: r.expiresAt })));
    await db.run(MARK, [json]);
    return batches.map(() => undefined);
  };
  const stats = { claims: { batches: 0, items: 0 }, marks: { batches: 0, items: 0 } };
  const claim = createBatcher<ClaimRow, boolean>(claimRows, async (r) => (await claimRows([r]))[0]!, stats.claims);
  const mark = createBatcher<SeenRow[], undefined>(markRows, async (rows) => void (await markRows([rows])), stats.marks);
  return { claim, markSeen: mark, stats };
}
