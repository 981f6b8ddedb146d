// SQL of incidents and task runs, written once for SQLite and PostgreSQL. Opening-or-updating an incident is one
// INSERT … ON CONFLICT on the partial unique index of open incidents, and closing is one conditional UPDATE, so two
// Stewards (or two workers) handling the same task at the same moment leave one incident, counted right.
import { markHeardLate } from "./late-failures";
import type { SqlExecutor, SqlValue } from "../../platform/store/sql";
import type { KeptRun } from "./recent-runs";
import type { PastRun } from "./past-run";
import { incidentNumbers } from "./incident-numbers";
import { closeArgs, extendArgs, type IncidentClose, type IncidentTouch, touchArgs } from "./incident-touch";
import {
  INCIDENT_STATE_COLUMNS,
  type IncidentRow,
  type IncidentState,
  type IncidentStatus,
  num,
  numOrNull,
  type Row,
  toIncident,
  toIncidentState,
  toPastRun,
  toRun,
  type RunRow,
} from "./incident-rows";

export type { IncidentClose, IncidentTouch } from "./incident-touch";
export type { IncidentRow, IncidentState, IncidentStatus, RunRow } from "./incident-rows";

/** Where a page of the list ends: the next lists the incidents after it (updated earlier, or at once with a smaller id). */
export interface IncidentCursor {
  updatedAt: number;
  id: number;
}

export type { PastRun } from "./past-run";

/** A run the Scheduler's retry recovered: it succeeded at its `attempts`-th attempt. */
export interface RecoveredRun {
  executionId: string;
  taskId: string;
  finishedAt: number;
  attempts: number;
}

/** One run's row: a task run ends once per outcome. */
export interface RunKey {
  executionId: string;
  outcome: string;
}

// The newest of two values without GREATEST/MAX(a, b), which the dialects spell differently.
const later = (col: string) => `CASE WHEN excluded.last_event_at >= incidents.last_event_at THEN excluded.${col} ELSE incidents.${col} END`;

const TOUCH = `INSERT INTO incidents (id, subject, task_id, title, status, failures, events, opened_at, last_event_at, first_event_id, last_event_id,
      last_kind, last_summary, error_class, updated_at)
    VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (subject) WHERE status = 'open' DO UPDATE SET
      failures = incidents.failures + ?,
      events = incidents.events + ?,
      title = excluded.title,
      opened_at = CASE WHEN excluded.opened_at < incidents.opened_at THEN excluded.opened_at ELSE incidents.opened_at END,
      last_event_id = ${later("last_event_id")},
      last_kind = ${later("last_kind")},
      last_summary = ${later("last_summary")},
      error_class = CASE WHEN excluded.last_event_at >= incidents.last_event_at THEN COALESCE(excluded.error_class, incidents.error_class) ELSE incidents.error_class END,
      last_event_at = CASE WHEN excluded.last_event_at >= incidents.last_event_at THEN excluded.last_event_at ELSE incidents.last_event_at END,
      updated_at = excluded.updated_at
    RETURNING *`;
// SQLite: TOUCH's update alone, for a subject whose incident is open (most failures of a burst): one statement where
// TOUCH took two (the open incident's number, then the upsert), and an UPDATE costs less than an upsert that meets its
// conflict. The SET expressions read the row as it was, as TOUCH's `incidents.` columns do; ?9 is the touch's time.
const newer = (col: string, value: string) => `CASE WHEN ?9 >= last_event_at THEN ${value} ELSE ${col} END`;
const EXTEND_QUIET = `UPDATE incidents SET failures = failures + ?1, events = events + ?2, title = ?3,
      opened_at = CASE WHEN ?4 < opened_at THEN ?4 ELSE opened_at END,
      last_event_id = ${newer("last_event_id", "?5")},
      last_kind = ${newer("last_kind", "?6")},
      last_summary = ${newer("last_summary", "?7")},
      error_class = ${newer("error_class", "COALESCE(?8, error_class)")},
      last_event_at = ${newer("last_event_at", "?9")},
      updated_at = ?10
    WHERE subject = ?11 AND status = 'open'`;
const EXTEND = `${EXTEND_QUIET} RETURNING *`;
const CLOSE = `UPDATE incidents SET status = 'closed', closed_at = ?, closed_by_event_id = ?, closed_summary = ?, updated_at = ?
    WHERE subject = ? AND status = 'open' AND last_event_at <= ? RETURNING *`;

export const SUCCESS_AFTER_SQL = "SELECT MIN(finished_at) AS at FROM incident_runs WHERE task_id = ? AND outcome = 'succeeded' AND finished_at > ?";
const Q = {
  touch: TOUCH,
  extend: EXTEND,
  // A run's failure: the UPDATE without `RETURNING *`, then what the run's record needs of the incident read back
  // (about 2.6 µs of CPU for the two against 5.0 for the UPDATE returning every column, measured on a burst's store).
  extendQuiet: EXTEND_QUIET,
  openState: `SELECT ${INCIDENT_STATE_COLUMNS} FROM incidents WHERE subject = ? AND status = 'open'`,
  close: CLOSE,
  open: "SELECT * FROM incidents WHERE subject = ? AND status = 'open'",
  byId: "SELECT * FROM incidents WHERE id = ?",
  markPaged: "UPDATE incidents SET paged_at = ? WHERE id = ? AND paged_at IS NULL",
  acknowledge: `UPDATE incidents SET acknowledged_at = ?, acknowledged_by = ?, acknowledged_note = ?, updated_at = ?
    WHERE id = ? AND status = 'open' RETURNING *`,
  closedBy: "SELECT * FROM incidents WHERE closed_by_event_id = ?",
  // Whatever happened last: a person closes the incident as it stands (a later failure opens a new one).
  resolve: `UPDATE incidents SET status = 'closed', closed_at = ?, closed_by_event_id = ?, closed_summary = ?, updated_at = ?
    WHERE id = ? AND status = 'open' RETURNING *`,
  insertRun: `INSERT INTO incident_runs (execution_id, outcome, task_id, finished_at, duration_ms, error_class, tables, incident_id,
      consecutive_failures, source, recorded_at, attempts)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (execution_id, outcome) DO NOTHING`,
  recoveredByRetry: `SELECT execution_id, task_id, finished_at, attempts FROM incident_runs
    WHERE outcome = 'succeeded' AND attempts > 1 AND finished_at >= ? ORDER BY finished_at DESC LIMIT ?`,
  setRunIncident: "UPDATE incident_runs SET incident_id = ?, consecutive_failures = ? WHERE execution_id = ? AND outcome = ?",
  run: "SELECT * FROM incident_runs WHERE execution_id = ? AND outcome = ?",
  // Only what the history needs: a wide row (error class, incident, source…) costs more to decode than to find.
  recent: `SELECT outcome, finished_at, duration_ms FROM incident_runs
    WHERE task_id = ? AND finished_at < ? AND execution_id <> ? ORDER BY finished_at DESC LIMIT ?`,
  recentWithTables: `SELECT outcome, finished_at, duration_ms, CASE WHEN outcome = 'succeeded' THEN tables END AS tables FROM incident_runs
    WHERE task_id = ? AND finished_at < ? AND execution_id <> ? ORDER BY finished_at DESC LIMIT ?`,
  latest: `SELECT execution_id, outcome, finished_at, duration_ms, CASE WHEN outcome = 'succeeded' THEN tables END AS tables FROM incident_runs
    WHERE task_id = ? ORDER BY finished_at DESC LIMIT ?`,
  hasRuns: "SELECT 1 AS x FROM incident_runs WHERE task_id = ? LIMIT 1",
  // The first success after a failure: one recorded already means the failure was heard after its task ran again.
  // PostgreSQL: the incident's change and the run's link to it in one statement (one round trip); the run's row was
  // written earlier in the same transaction, so the UPDATE sees it. SQLite runs the two statements in-process.
  touchRun: `WITH t AS (${TOUCH}), r AS (UPDATE incident_runs SET incident_id = (SELECT id FROM t), consecutive_failures = (SELECT failures FROM t)
    WHERE execution_id = ? AND outcome = ?) SELECT * FROM t`,
  // PostgreSQL: one touch standing for several failed runs of a subject, each run linked with its own failure count
  // (`back`: how many of the touch's runs came after it). Each run's row is found by its key (a lateral index probe)
  // and updated by its ctid: joined to json_to_recordset (planned as 100 rows), the UPDATE scanned every stored run.
  touchRuns: `WITH b AS (SELECT opened_at FROM incidents WHERE subject = ? AND status = 'open'), t AS (${TOUCH}), r AS (UPDATE incident_runs SET incident_id = (SELECT id FROM t), consecutive_failures = (SELECT failures FROM t) - y.back
    FROM (SELECT x.back, k.ctid AS c FROM json_to_recordset(?::text::json) AS x(e text, o text, back int)
      CROSS JOIN LATERAL (SELECT ctid FROM incident_runs WHERE execution_id = x.e AND outcome = x.o LIMIT 1) k) y
    WHERE incident_runs.ctid = y.c) SELECT t.*, (SELECT opened_at FROM b) AS opened_before FROM t`,
  closeRun: `WITH c AS (${CLOSE}), r AS (UPDATE incident_runs SET incident_id = (SELECT id FROM c), consecutive_failures = 0
    WHERE execution_id = ? AND outcome = ? AND EXISTS (SELECT 1 FROM c)) SELECT * FROM c`,
  purgeRuns: "DELETE FROM incident_runs WHERE finished_at < ?",
  purgeClosed: "DELETE FROM incidents WHERE status = 'closed' AND updated_at < ?",
};

/**
 * The statements on one executor (the database, or one transaction's connection), made once per executor: a run's
 * record asks for them in each of its transactions, and making the object of closures anew was 3 % of a failure
 * datagram's CPU in a burst (issue 89). SQLite's transactions share one executor; PostgreSQL's are collected with it.
 */
const onExecutor = new WeakMap<SqlExecutor, ReturnType<typeof statementsOn>>();
export function incidentSql(x: SqlExecutor): IncidentSql {
  let s = onExecutor.get(x);
  if (!s) onExecutor.set(x, (s = statementsOn(x)));
  return s;
}

/**
 * SQLite: extendOpen() of statementsOn, returning what the run's record needs of the incident. Chained, not an async
 * function: as one, what the optimising JIT inlined into it made its compile the largest of a burst's first seconds
 * (issue 89).
 */
function extendOpen(x: SqlExecutor, t: IncidentTouch, now: number): Promise<IncidentState | undefined> {
  return x.run(Q.extendQuiet, extendArgs(t, now)).then((r) => (r.changes === 1 ? openState(x, t.subject) : undefined));
}

// One process runs one transaction at a time on SQLite: nothing changes the incident between the UPDATE and the read.
const openState = (x: SqlExecutor, subject: string): Promise<IncidentState> => x.get<Row>(Q.openState, [subject]).then((row) => toIncidentState(row!));

function statementsOn(x: SqlExecutor) {
  // Each incident opened takes the next number, none skipped (incident-numbers.ts).
  const { numbered } = incidentNumbers(x);
  /**
   * SQLite: the open incident updated by the touch, or undefined when none is open (then TOUCH opens one). One
   * process runs one transaction at a time there, so nothing opens or closes it between this and TOUCH. PostgreSQL
   * keeps TOUCH alone: its number look locks the open row first (incident-numbers.ts).
   */
  const extended = async (t: IncidentTouch, now: number): Promise<Row | undefined> =>
    x.dialect === "sqlite" ? x.get<Row>(Q.extend, extendArgs(t, now)) : undefined;
  return {
    /** SQLite: adds a failure to the subject's open incident; undefined when none is open (nothing written then). */
    extendOpen: (t: IncidentTouch, now: number) => extendOpen(x, t, now),
    /**
     * Serialises the handling of one subject across Stewards until the transaction ends (PostgreSQL advisory lock;
     * SQLite runs one transaction at a time anyway), so "is there a newer success?" and the upsert see one world.
     */
    async lockSubject(subject: string): Promise<void> {
      if (x.dialect === "postgres") await x.get("SELECT pg_advisory_xact_lock(27, hashtext(?)) AS locked", [subject]);
    },
    /** Opens the subject's incident, or adds to the open one; returns it as it is now. */
    touch: async (t: IncidentTouch, now: number): Promise<IncidentRow> =>
      toIncident((await extended(t, now)) ?? (await numbered(t.subject, async (id) => (await x.get<Row>(Q.touch, touchArgs(t, now, id)))!))),
    /** touch(), and the run (recorded before, in the same transaction) linked to the incident with its failure count. */
    async touchRun(t: IncidentTouch, now: number, run: RunKey): Promise<IncidentState> {
      if (x.dialect === "postgres")
        return toIncident(await numbered(t.subject, async (id) => (await x.get<Row>(Q.touchRun, [...touchArgs(t, now, id), run.executionId, run.outcome]))!));
      const incident =
        (await extendOpen(x, t, now)) ?? toIncident(await numbered(t.subject, async (id) => (await x.get<Row>(Q.touch, touchArgs(t, now, id)))!));
      await x.run(Q.setRunIncident, [incident.id, incident.failures, run.executionId, run.outcome]);
      return incident;
    },
    /**
     * PostgreSQL: touch() for `runs.length` failed runs in one statement, each run linked with the failures counted up to
     * it; `openedBefore` is when the incident open before it had opened (undefined when this touch opened it).
     */
    async touchRuns(t: IncidentTouch, now: number, runs: readonly RunKey[]): Promise<{ incident: IncidentRow; openedBefore?: number }> {
      const links = runs.map((r, i) => ({ e: r.executionId, o: r.outcome, back: runs.length - 1 - i }));
      const args = (id: number) => [t.subject, ...touchArgs({ ...t, events: runs.length }, now, id), JSON.stringify(links)];
      const row = await numbered(t.subject, async (id) => (await x.get<Row>(Q.touchRuns, args(id)))!);
      return { incident: toIncident(row), openedBefore: numOrNull(row.opened_before) ?? undefined };
    },
    /** Closes the open incident unless something newer than the closing event updated it; undefined when none closed. */
    async close(c: IncidentClose, now: number): Promise<IncidentRow | undefined> {
      const row = await x.get<Row>(Q.close, closeArgs(c, now));
      return row ? toIncident(row) : undefined;
    },
    /** close(), and the closing run (recorded before, in the same transaction) linked to the incident it closed. */
    async closeRun(c: IncidentClose, now: number, run: RunKey): Promise<IncidentRow | undefined> {
      if (x.dialect === "postgres") {
        const row = await x.get<Row>(Q.closeRun, [...closeArgs(c, now), run.executionId, run.outcome]);
        return row ? toIncident(row) : undefined;
      }
      const row = await x.get<Row>(Q.close, closeArgs(c, now));
      if (!row) return undefined;
      const incident = toIncident(row);
      await x.run(Q.setRunIncident, [incident.id, 0, run.executionId, run.outcome]);
      return incident;
    },
    /** Closes the open incident `id` by hand; undefined when it is not open (closed meanwhile, or no such id). */
    async resolve(id: number, eventId: string, summary: string, now: number): Promise<IncidentRow | undefined> {
      const row = await x.get<Row>(Q.resolve, [now, eventId, summary.slice(0, 1_000), now, id]);
      return row ? toIncident(row) : undefined;
    },
    async open(subject: string): Promise<IncidentRow | undefined> {
      const row = await x.get<Row>(Q.open, [subject]);
      return row ? toIncident(row) : undefined;
    },
    async byId(id: number): Promise<IncidentRow | undefined> {
      const row = await x.get<Row>(Q.byId, [id]);
      return row ? toIncident(row) : undefined;
    },
    async closedBy(eventId: string): Promise<IncidentRow | undefined> {
      const row = await x.get<Row>(Q.closedBy, [eventId]);
      return row ? toIncident(row) : undefined;
    },
    /** True when the run was not known yet (this call recorded it). */
    async insertRun(r: RunRow, now: number): Promise<boolean> {
      const res = await x.run(Q.insertRun, [
        r.executionId,
        r.outcome,
        r.taskId,
        r.finishedAt,
        r.durationMs,
        r.errorClass,
        r.tables ? JSON.stringify(r.tables) : null,
        r.incidentId,
        r.consecutiveFailures,
        r.source,
        now,
        r.attempts ?? null,
      ]);
      return res.changes === 1;
    },
    /** Successful runs that took more than one attempt (recovered by the Scheduler's retry), newest first. */
    async recoveredByRetry(since: number, limit: number): Promise<RecoveredRun[]> {
      const rows = await x.all<Row>(Q.recoveredByRetry, [since, limit]);
      return rows.map((r) => ({ executionId: String(r.execution_id), taskId: String(r.task_id), finishedAt: num(r.finished_at), attempts: num(r.attempts) }));
    },
    setRunIncident: async (executionId: string, outcome: string, incidentId: number | null, consecutiveFailures: number) =>
      void (await x.run(Q.setRunIncident, [incidentId, consecutiveFailures, executionId, outcome])),
    async run(executionId: string, outcome: string): Promise<RunRow | undefined> {
      const row = await x.get<Row>(Q.run, [executionId, outcome]);
      return row ? toRun(row) : undefined;
    },
    /** The task's runs that ended before `before`, newest first; the tables of successful runs when `withTables`. */
    recent: async (taskId: string, before: number, excludeExecution: string, limit: number, withTables = false): Promise<PastRun[]> =>
      (await x.all<Row>(withTables ? Q.recentWithTables : Q.recent, [taskId, before, excludeExecution, limit])).map(toPastRun),
    /** The task's newest runs, newest first, with their execution ids (what recent-runs.ts keeps). */
    latest: async (taskId: string, limit: number): Promise<KeptRun[]> =>
      (await x.all<Row>(Q.latest, [taskId, limit])).map((r) => ({ ...toPastRun(r), executionId: String(r.execution_id) })),
    /** Marks an open incident acknowledged; undefined when it is not open (closed meanwhile, or no such id). */
    markPaged: async (id: number, at: number) => void (await x.run(Q.markPaged, [at, id])),
    async acknowledge(id: number, by: string, note: string | null, now: number): Promise<IncidentRow | undefined> {
      const row = await x.get<Row>(Q.acknowledge, [now, by, note, now, id]);
      return row ? toIncident(row) : undefined;
    },
    hasRuns: async (taskId: string) => (await x.get(Q.hasRuns, [taskId])) !== undefined,
    markHeardLate: (executionId: string, outcome: string, succeededAt: number) => markHeardLate(x, executionId, outcome, succeededAt),
    /** When the task's first success after `at` ended, if one is recorded. */
    async successAfter(taskId: string, at: number): Promise<number | undefined> {
      const r = await x.get<Row>(SUCCESS_AFTER_SQL, [taskId, at]);
      return r?.at === null || r?.at === undefined ? undefined : num(r.at);
    },
    async list(f: { status?: IncidentStatus; since?: number; limit: number; after?: IncidentCursor; taskId?: string }): Promise<IncidentRow[]> {
      const where: string[] = [];
      const args: SqlValue[] = [];
      if (f.taskId !== undefined) {
        // QRS writes a task id in lower case; a link may carry it in upper case.
        where.push("lower(task_id) = ?");
        args.push(f.taskId.toLowerCase());
      }
      if (f.after) {
        where.push("(updated_at < ? OR (updated_at = ? AND id < ?))");
        args.push(f.after.updatedAt, f.after.updatedAt, f.after.id);
      }
      if (f.status) {
        where.push("status = ?");
        args.push(f.status);
      }
      if (f.since !== undefined) {
        where.push("updated_at >= ?");
        args.push(f.since);
      }
      const sql = `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY updated_at DESC, id DESC LIMIT ?`;
      return (await x.all<Row>(sql, [...args, f.limit])).map(toIncident);
    },
    async purge(runsBefore: number, closedBefore: number): Promise<{ runs: number; incidents: number }> {
      const runs = (await x.run(Q.purgeRuns, [runsBefore])).changes;
      const incidents = (await x.run(Q.purgeClosed, [closedBefore])).changes;
      return { runs, incidents };
    },
  };
}

export type IncidentSql = ReturnType<typeof statementsOn>;
