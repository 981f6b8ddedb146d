// What the data checks keep: one run per reload (claimed by the Steward that works on it, so a reload's checks
// are evaluated once in a cluster) and every value a check saw (the history, `previous`, the dashboard).
import type { MigrationSet } from "../../platform/store/database";
import type { SqlDb, SqlExecutor } from "../../platform/store/sql";
import type { CheckValue, DataCheckEvent, ReloadTrigger } from "../../platform/events/types";

export const checksMigrations: MigrationSet = {
  module: "checks",
  migrations: [
    {
      version: 1,
      name: "check runs and values",
      sql: `
        CREATE TABLE check_runs (
          run_id TEXT PRIMARY KEY,
          app_id TEXT NOT NULL,
          status TEXT NOT NULL,
          owner TEXT,
          created_at INTEGER NOT NULL,
          finished_at INTEGER,
          verdict TEXT,
          exported INTEGER NOT NULL DEFAULT 0,
          doc TEXT NOT NULL
        );
        CREATE INDEX check_runs_status ON check_runs (status);
        CREATE INDEX check_runs_app ON check_runs (app_id, created_at);
        CREATE TABLE check_values (
          run_id TEXT NOT NULL,
          app_id TEXT NOT NULL,
          check_name TEXT NOT NULL,
          expression TEXT NOT NULL,
          at INTEGER NOT NULL,
          status TEXT NOT NULL,
          value_number REAL,
          value_text TEXT,
          previous REAL,
          expect TEXT NOT NULL,
          resolved TEXT,
          message TEXT,
          PRIMARY KEY (run_id, check_name)
        );
        CREATE INDEX check_values_app ON check_values (app_id, check_name, at);`,
    },
  ],
};

/** queued → running → evaluated (values and verdict stored) → done (events raised). */
export type RunStatus = "queued" | "running" | "evaluated" | "done";
/** passed: every check passed; failed: a warn check failed; blocked: the follow-ups are held back; error: nothing could be evaluated. */
export type RunVerdict = "passed" | "failed" | "blocked" | "error";
export type ValueStatus = "passed" | "failed" | "error";

/** What a run knows before it starts: the reload, the app and task, and the checks that apply. */
export interface RunContext {
  runId: string;
  reload: ReloadTrigger;
  app: DataCheckEvent["app"] & { fileSize?: number };
  task?: DataCheckEvent["task"];
  checks: string[];
}

export interface RunRow {
  runId: string;
  appId: string;
  status: RunStatus;
  owner: string | null;
  createdAt: number;
  finishedAt: number | null;
  verdict: RunVerdict | null;
  doc: RunDoc;
}

/** The run's document: its context and, once done, why it held back (if it did) and the run-level error. */
export interface RunDoc extends RunContext {
  holdBack?: string;
  error?: string;
  host?: string;
}

export interface StoredValue {
  runId: string;
  appId: string;
  check: string;
  expression: string;
  at: number;
  status: ValueStatus;
  value: CheckValue | null;
  previous: number | null;
  expect: string;
  resolved: string | null;
  message: string | null;
}

interface RunDbRow {
  run_id: string;
  app_id: string;
  status: string;
  owner: string | null;
  created_at: number | string;
  finished_at: number | string | null;
  verdict: string | null;
  doc: string;
}

interface ValueDbRow {
  run_id: string;
  app_id: string;
  check_name: string;
  expression: string;
  at: number | string;
  status: string;
  value_number: number | string | null;
  value_text: string | null;
  previous: number | string | null;
  expect: string;
  resolved: string | null;
  message: string | null;
}

const n = (v: number | string | null): number | null => (v === null ? null : Number(v));

function runOf(r: RunDbRow): RunRow {
  return {
    runId: r.run_id,
    appId: r.app_id,
    status: r.status as RunStatus,
    owner: r.owner,
    createdAt: Number(r.created_at),
    finishedAt: n(r.finished_at),
    verdict: r.verdict as RunVerdict | null,
    doc: JSON.parse(r.doc) as RunDoc,
  };
}

function storedValueOf(r: ValueDbRow): StoredValue {
  const num = n(r.value_number);
  return {
    runId: r.run_id,
    appId: r.app_id,
    check: r.check_name,
    expression: r.expression,
    at: Number(r.at),
    status: r.status as ValueStatus,
    value: r.value_text === null && num === null ? null : { text: r.value_text ?? "", number: num },
    previous: n(r.previous),
    expect: r.expect,
    resolved: r.resolved,
    message: r.message,
  };
}

export interface CheckStore {
  /** Inserts the run claimed by `owner`; false when the reload already has a run (here or on another Steward). */
  insertRun(ctx: RunContext, owner: string, now: number): Promise<boolean>;
  getRun(runId: string): Promise<RunRow | undefined>;
  setRunning(runId: string): Promise<void>;
  /** Stores every value of the run and its verdict in one transaction; the run is then "evaluated". */
  finish(runId: string, values: StoredValue[], verdict: RunVerdict, doc: RunDoc, now: number): Promise<void>;
  /** The run's events are raised. */
  markDone(runId: string): Promise<void>;
  /** Runs of this owner left queued or running (a restart resumes them), oldest first. */
  unfinished(owner: string): Promise<RunRow[]>;
  /** Takes over the unfinished runs of Stewards not in `live`; returns the runs taken. */
  adopt(owner: string, live: readonly string[]): Promise<RunRow[]>;
  /** The last value of a check in an app before this run (same expression, any status). */
  last(appId: string, check: string, expression: string, exceptRun: string): Promise<StoredValue | undefined>;
  /** The last number the check saw (the `previous` of expectations). */
  previousNumber(appId: string, check: string, expression: string, exceptRun: string): Promise<number | null>;
  values(runId: string): Promise<StoredValue[]>;
  /** The newest values per app and check (one row each). */
  latest(appId?: string): Promise<StoredValue[]>;
  /** An app's values, newest first. */
  history(appId: string, check: string | undefined, limit: number): Promise<StoredValue[]>;
  runs(q: { appId?: string; limit: number }): Promise<RunRow[]>;
  /** Finished runs whose values are not yet written to InfluxDB. */
  unexported(limit: number): Promise<string[]>;
  markExported(runId: string): Promise<void>;
  purge(olderThanMs: number, now: number): Promise<number>;
}

export function createCheckStore(db: SqlDb): CheckStore {
  const insertValue = (x: SqlExecutor, v: StoredValue) =>
    x.run(
      `INSERT INTO check_values (run_id, app_id, check_name, expression, at, status, value_number, value_text, previous, expect, resolved, message)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, check_name) DO UPDATE SET at = excluded.at, status = excluded.status, value_number = excluded.value_number,
         value_text = excluded.value_text, previous = excluded.previous, expect = excluded.expect, resolved = excluded.resolved, message = excluded.message`,
      [
        v.runId,
        v.appId.toLowerCase(),
        v.check,
        v.expression,
        v.at,
        v.status,
        v.value?.number ?? null,
        v.value?.text ?? null,
        v.previous,
        v.expect,
        v.resolved,
        v.message,
      ],
    );
  const RUN_COLS = "run_id, app_id, status, owner, created_at, finished_at, verdict, doc";
  return {
    async insertRun(ctx, owner, now) {
      const r = await db.run(
        `INSERT INTO check_runs (run_id, app_id, status, owner, created_at, doc) VALUES (?, ?, 'queued', ?, ?, ?) ON CONFLICT (run_id) DO NOTHING`,
        [ctx.runId, ctx.app.id.toLowerCase(), owner, now, JSON.stringify(ctx)],
      );
      return r.changes === 1;
    },
    async getRun(runId) {
      const r = await db.get<RunDbRow>(`SELECT ${RUN_COLS} FROM check_runs WHERE run_id = ?`, [runId]);
      return r ? runOf(r) : undefined;
    },
    setRunning: async (runId) => void (await db.run("UPDATE check_runs SET status = 'running' WHERE run_id = ? AND status <> 'done'", [runId])),
    async finish(runId, values, verdict, doc, now) {
      await db.transaction(async (tx) => {
        for (const v of values) await insertValue(tx, v);
        await tx.run("UPDATE check_runs SET status = 'evaluated', verdict = ?, finished_at = ?, doc = ? WHERE run_id = ?", [
          verdict,
          now,
          JSON.stringify(doc),
          runId,
        ]);
      });
    },
    markDone: async (runId) => void (await db.run("UPDATE check_runs SET status = 'done' WHERE run_id = ?", [runId])),
    async unfinished(owner) {
      return (await db.all<RunDbRow>(`SELECT ${RUN_COLS} FROM check_runs WHERE status <> 'done' AND owner = ? ORDER BY created_at`, [owner])).map(runOf);
    },
    async adopt(owner, live) {
      const others = [owner, ...live];
      const orphans = await db.all<RunDbRow>(
        `SELECT ${RUN_COLS} FROM check_runs WHERE status <> 'done' AND (owner IS NULL OR owner NOT IN (${others.map(() => "?").join(", ")})) ORDER BY created_at`,
        others,
      );
      const taken: RunRow[] = [];
      for (const o of orphans) {
        // Compare-and-set on the old owner: two live Stewards adopting at once take each run once.
        const take = "UPDATE check_runs SET owner = ? WHERE run_id = ? AND status <> 'done' AND ";
        const r = o.owner === null ? await db.run(`${take}owner IS NULL`, [owner, o.run_id]) : await db.run(`${take}owner = ?`, [owner, o.run_id, o.owner]);
        if (r.changes === 1) taken.push({ ...runOf(o), owner });
      }
      return taken;
    },
    async last(appId, check, expression, exceptRun) {
      const r = await db.get<ValueDbRow>(
        "SELECT * FROM check_values WHERE app_id = ? AND check_name = ? AND expression = ? AND run_id <> ? ORDER BY at DESC LIMIT 1",
        [appId.toLowerCase(), check, expression, exceptRun],
      );
      return r ? storedValueOf(r) : undefined;
    },
    async previousNumber(appId, check, expression, exceptRun) {
      const r = await db.get<{ value_number: number | string }>(
        "SELECT value_number FROM check_values WHERE app_id = ? AND check_name = ? AND expression = ? AND run_id <> ? AND status <> 'error' AND value_number IS NOT NULL ORDER BY at DESC LIMIT 1",
        [appId.toLowerCase(), check, expression, exceptRun],
      );
      return r ? Number(r.value_number) : null;
    },
    values: async (runId) => (await db.all<ValueDbRow>("SELECT * FROM check_values WHERE run_id = ? ORDER BY check_name", [runId])).map(storedValueOf),
    async latest(appId) {
      const where = appId ? "WHERE v.app_id = ?" : "";
      const rows = await db.all<ValueDbRow>(
        `SELECT v.* FROM check_values v JOIN (SELECT app_id, check_name, MAX(at) AS at FROM check_values GROUP BY app_id, check_name) m
         ON v.app_id = m.app_id AND v.check_name = m.check_name AND v.at = m.at ${where} ORDER BY v.app_id, v.check_name`,
        appId ? [appId.toLowerCase()] : [],
      );
      return rows.map(storedValueOf);
    },
    async history(appId, check, limit) {
      const rows = check
        ? await db.all<ValueDbRow>(`SELECT * FROM check_values WHERE app_id = ? AND check_name = ? ORDER BY at DESC LIMIT ${limit}`, [
            appId.toLowerCase(),
            check,
          ])
        : await db.all<ValueDbRow>(`SELECT * FROM check_values WHERE app_id = ? ORDER BY at DESC LIMIT ${limit}`, [appId.toLowerCase()]);
      return rows.map(storedValueOf);
    },
    async runs({ appId, limit }) {
      const rows = appId
        ? await db.all<RunDbRow>(`SELECT ${RUN_COLS} FROM check_runs WHERE app_id = ? ORDER BY created_at DESC LIMIT ${limit}`, [appId.toLowerCase()])
        : await db.all<RunDbRow>(`SELECT ${RUN_COLS} FROM check_runs ORDER BY created_at DESC LIMIT ${limit}`);
      return rows.map(runOf);
    },
    unexported: async (limit) =>
      (await db.all<{ run_id: string }>(`SELECT run_id FROM check_runs WHERE status = 'done' AND exported = 0 ORDER BY finished_at LIMIT ${limit}`)).map(
        (r) => r.run_id,
      ),
    markExported: async (runId) => void (await db.run("UPDATE check_runs SET exported = 1 WHERE run_id = ?", [runId])),
    async purge(olderThanMs, now) {
      const cutoff = now - olderThanMs;
      const v = await db.run("DELETE FROM check_values WHERE at < ?", [cutoff]);
      const r = await db.run("DELETE FROM check_runs WHERE status = 'done' AND finished_at < ?", [cutoff]);
      return v.changes + r.changes;
    },
  };
}
