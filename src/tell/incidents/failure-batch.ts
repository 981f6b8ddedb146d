// Failed runs recorded together on PostgreSQL: the failures that arrive while a batch is on its way share the next
// transaction. One transaction per run paid BEGIN, a round trip behind the task's lock, one for the incident and
// COMMIT, and runs of one task waited for each other's whole transaction; a batch of N failures is BEGIN, one
// round trip (every subject's lock in a fixed order, the runs' rows in one INSERT, every task's history and every
// "newer success?" in one statement each), one statement per incident that counts its runs (each run linked with the
// failures counted up to it), COMMIT.
//
// Each run is decided as if recorded alone, in batch order: its history leaves out the runs of the batch that come
// after it. A batch the database refuses for a reason other than an outage (a value it will not take) is recorded
// run by run (`alone`), so one bad run cannot fail the others; an outage fails every run of the batch, and each one's
// holder tries it again once the store is back.
import { setImmediate } from "node:timers";
import { isStoreUnavailable, type SqlDb, type SqlExecutor } from "../../platform/store/sql";
import { batchHistories } from "./batch-history";
import { priorRuns, type PriorRuns } from "./history";
import { incidentSql, type IncidentState, type IncidentSql, type IncidentTouch, type RunRow } from "./incident-store";

/** Most runs one transaction carries (bounds its lock time and the history rows it reads). */
export const MAX_FAILURE_BATCH = 64;

/** What recording one run decided (the annotator turns it into the event's history and incident). */
export interface RecordOutcome {
  prior: PriorRuns;
  consecutiveFailures: number;
  failingSince?: number;
  incident?: IncidentState;
  /** This success closed the incident (now or when it was first handled). */
  closed: boolean;
  /**
   * A failure heard of after its task ran again successfully (its datagram lost, found by reconciliation; or its
   * incident closed by that success before its page was queued): when that success ended. It pages nobody.
   */
  succeededBeforeHeardAt?: number;
  previousTables: Array<Record<string, number>>;
}

/** One failed run to record: its row, and its incident change minus what the history decides. */
export interface FailureToRecord {
  row: RunRow;
  touch: Omit<IncidentTouch, "priorFailures" | "since">;
  /** Records the run in a transaction of its own (how a run of a batch the database refused is tried again). */
  alone(): Promise<RecordOutcome>;
}

export interface FailureBatchDeps {
  db: SqlDb;
  clock: { now(): number };
  /** Earlier runs read for one run's history. */
  recentRuns: number;
}

export interface FailureBatches {
  record(run: FailureToRecord): Promise<RecordOutcome>;
  /** Batches sent and runs they carried (the sharing made visible to tests). */
  readonly stats: { batches: number; runs: number };
}

interface Job {
  run: FailureToRecord;
  resolve: (o: RecordOutcome) => void;
  reject: (e: unknown) => void;
}

const json = (v: unknown) => JSON.stringify(v);

const LOCK = "SELECT pg_advisory_xact_lock(27, hashtext(value)) AS locked FROM json_array_elements_text(?::text::json)";
const INSERT = `INSERT INTO incident_runs (execution_id, outcome, task_id, finished_at, duration_ms, error_class, tables, incident_id,
    consecutive_failures, source, recorded_at)
  SELECT e, o, t, a, d, c, NULL, NULL, 0, 'event', ? FROM json_to_recordset(?::text::json) AS r(e text, o text, t text, a bigint, d bigint, c text)
  ON CONFLICT (execution_id, outcome) DO NOTHING RETURNING execution_id, outcome`;
// A lateral look per run (an index probe each): PostgreSQL plans json_to_recordset as 100 rows, so an EXISTS became a
// scan of every stored run (a hash or materialised semi join), per batch, growing with the table.
const NEWER_SUCCESS = `SELECT r.i, s.finished_at AS at FROM json_to_recordset(?::text::json) AS r(i int, t text, a bigint)
  CROSS JOIN LATERAL (SELECT finished_at FROM incident_runs WHERE task_id = r.t AND outcome = 'succeeded' AND finished_at > r.a
    ORDER BY finished_at LIMIT 1) s`;

/**
 * One incident change for several failed runs of a subject, in batch order, as their touches one after another would
 * leave it: counted from the first run's history, opened at the earliest failure, last event and summary those of the
 * run that ended last (the later one on a tie), the error class the latest one known.
 */
export function combinedTouch(members: ReadonlyArray<{ touch: FailureToRecord["touch"]; prior: PriorRuns }>): IncidentTouch {
  const first = members[0]!;
  let latest = first;
  let since = Number.POSITIVE_INFINITY;
  for (const m of members) {
    if (m.touch.at >= latest.touch.at) latest = m;
    since = Math.min(since, m.prior.failingSince ?? m.touch.at, m.touch.at);
  }
  let errorClass: string | undefined;
  for (const m of [...members].sort((a, b) => a.touch.at - b.touch.at)) errorClass = m.touch.errorClass ?? errorClass;
  return {
    ...latest.touch,
    title: members[members.length - 1]!.touch.title,
    firstEventId: first.touch.eventId,
    priorFailures: first.prior.failures,
    since,
    errorClass,
  };
}

/**
 * A failure handled again (reconciliation, a retry after a store outage) whose task ran again successfully before its
 * page could go: it opened no incident because a success was recorded first, or the incident it counted in was
 * closed by a success since. When that success ended; undefined when the failure still stands (its incident open).
 */
export async function heardLateAgain(
  s: Pick<IncidentSql, "successAfter" | "markHeardLate">,
  run: Pick<RunRow, "taskId" | "finishedAt" | "executionId" | "outcome">,
  incident: IncidentState | undefined,
): Promise<number | undefined> {
  if (incident?.status === "open") return undefined;
  const at = await s.successAfter(run.taskId, run.finishedAt);
  // Counted in an incident the success closed before its page went: the report and the task's page list it (issue 102).
  if (at !== undefined && incident) await s.markHeardLate(run.executionId, run.outcome, at);
  return at;
}

export function createFailureBatches(deps: FailureBatchDeps): FailureBatches {
  const queue: Job[] = [];
  let busy = false;
  const stats = { batches: 0, runs: 0 };

  /** The next batch: queue order, one run per run key (a second one waits for the next batch). */
  function take(): Job[] {
    const keys = new Set<string>();
    const batch: Job[] = [];
    for (let i = 0; i < queue.length && batch.length < MAX_FAILURE_BATCH; ) {
      const key = `${queue[i]!.run.row.executionId}:${queue[i]!.run.row.outcome}`;
      if (keys.has(key)) {
        i++;
        continue;
      }
      keys.add(key);
      batch.push(...queue.splice(i, 1));
    }
    return batch;
  }

  async function flush(): Promise<void> {
    const batch = take();
    if (batch.length === 0) {
      busy = false;
      return;
    }
    stats.batches++;
    stats.runs += batch.length;
    try {
      const out = await deps.db.transaction((tx) =>
        recordBatch(
          tx,
          batch.map((j) => j.run),
        ),
      );
      batch.forEach((j, i) => j.resolve(out[i]!));
    } catch (err) {
      if (batch.length === 1 || isStoreUnavailable(err)) for (const j of batch) j.reject(err);
      // One by one in batch order, as the batch would have counted them.
      else for (const j of batch) await j.run.alone().then(j.resolve, j.reject);
    }
    void flush();
  }

  async function recordBatch(tx: SqlExecutor, runs: FailureToRecord[]): Promise<RecordOutcome[]> {
    const s = incidentSql(tx);
    const now = deps.clock.now();
    const subjects = [...new Set(runs.map((r) => r.touch.subject))].sort();
    const rows = runs.map((r) => r.row);
    // In order on the transaction's connection, sent together: the locks first (sorted, so batches of several
    // Stewards sharing subjects queue instead of deadlocking), then the rows, then what they decide.
    const [, inserted, history, newer] = await Promise.all([
      tx.all(LOCK, [json(subjects)]),
      tx.all<{ execution_id: string; outcome: string }>(INSERT, [
        now,
        json(rows.map((r) => ({ e: r.executionId, o: r.outcome, t: r.taskId, a: r.finishedAt, d: r.durationMs, c: r.errorClass }))),
      ]),
      batchHistories(
        tx,
        rows.map((r) => ({ taskId: r.taskId, executionId: r.executionId, at: r.finishedAt })),
        deps.recentRuns,
      ),
      tx.all<{ i: number; at: number }>(NEWER_SUCCESS, [json(rows.map((r, i) => ({ i, t: r.taskId, a: r.finishedAt })))]),
    ]);
    const isNew = new Set(inserted.map((r) => `${r.execution_id}:${r.outcome}`));
    const newerAt = new Map(newer.map((r) => [Number(r.i), Number(r.at)]));
    const outcomes: Array<Promise<RecordOutcome>> = [];
    /** subject → the runs (batch order) whose failure its incident counts: one statement each subject. */
    const touches = new Map<string, Array<{ i: number; prior: PriorRuns }>>();
    runs.forEach((run, i) => {
      const prior = priorRuns(history[i]!);
      const base = { prior, previousTables: [], closed: false };
      if (!isNew.has(`${run.row.executionId}:${run.row.outcome}`)) {
        // Handled before: say what was decided then.
        outcomes[i] = (async () => {
          const stored = await s.run(run.row.executionId, run.row.outcome);
          const incident = stored?.incidentId ? await s.byId(stored.incidentId) : undefined;
          const late = await heardLateAgain(s, run.row, incident);
          return {
            ...base,
            consecutiveFailures: stored?.consecutiveFailures ?? 0,
            failingSince: incident?.openedAt,
            incident,
            ...(late !== undefined ? { succeededBeforeHeardAt: late } : {}),
          };
        })();
      } else if (newerAt.has(i)) {
        // A failure older than a success already recorded belongs to the past: it opens nothing.
        const consecutive = prior.failures + 1;
        outcomes[i] = s.setRunIncident(run.row.executionId, run.row.outcome, null, consecutive).then(() => ({
          ...base,
          consecutiveFailures: consecutive,
          failingSince: prior.failingSince ?? run.row.finishedAt,
          succeededBeforeHeardAt: newerAt.get(i)!,
        }));
      } else touches.set(run.touch.subject, [...(touches.get(run.touch.subject) ?? []), { i, prior }]);
    });
    for (const members of touches.values()) {
      const touched = s.touchRuns(
        combinedTouch(members.map((m) => ({ touch: runs[m.i]!.touch, prior: m.prior }))),
        now,
        members.map((m) => runs[m.i]!.row),
      );
      let openedBy = Number.POSITIVE_INFINITY;
      members.forEach((m, j) => {
        // What the incident was once this run was counted: the runs after it in the touch were not yet.
        const back = members.length - 1 - j;
        const touch = runs[m.i]!.touch;
        openedBy = Math.min(openedBy, m.prior.failingSince ?? touch.at, touch.at);
        const openedUpTo = openedBy;
        outcomes[m.i] = touched.then(({ incident: row, openedBefore }) => {
          const openedAt = Math.min(openedBefore ?? Number.POSITIVE_INFINITY, openedUpTo);
          const incident = { ...row, failures: row.failures - back, events: row.events - back, openedAt };
          return { prior: m.prior, previousTables: [], closed: false, consecutiveFailures: incident.failures, failingSince: incident.openedAt, incident };
        });
      });
    }
    return Promise.all(outcomes);
  }

  return {
    record: (run) =>
      new Promise<RecordOutcome>((resolve, reject) => {
        queue.push({ run, resolve, reject });
        if (busy) return;
        busy = true;
        setImmediate(() => void flush());
      }),
    stats,
  };
}
