// Persisted app reload jobs (PUT /v4/app/{appId}/reload → GET /v4/app/reloads/{jobId}): request, who asked,
// state, progress, script log tail, outcome and the chained task starts. Survives restarts.
import type { MigrationSet } from "../../platform/store/database";
import type { SqlDb, SqlExecutor } from "../../platform/store/sql";
import type { Clock } from "../../platform/core/clock";

export type ReloadJobStatus = "queued" | "running" | "succeeded" | "failed" | "interrupted";
export type ReloadPhase = "queued" | "connecting" | "reloading" | "saving" | "checking-data" | "starting-chained-tasks" | "done";

export interface ReloadRequest {
  reloadMode: 0 | 1 | 2;
  partialReload: boolean;
  startQSEoWTaskOnSuccess: string[];
  startQSEoWTaskOnFailure: string[];
}

export interface ChainedStart {
  on: "success" | "failure";
  started: Array<{ taskId: string; taskName: string; status: string; error?: string }>;
  notFound: string[];
  denied: Array<{ taskId: string; taskName?: string; reason: string }>;
  error?: string;
  /** Why none of the tasks was started: the reload's data checks hold its follow-ups back (a block check failed). */
  heldBack?: string;
}

export interface ReloadJob {
  jobId: string;
  appId: string;
  status: ReloadJobStatus;
  phase: ReloadPhase;
  request: ReloadRequest;
  requestedBy: { kind: string; name: string; ip?: string };
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** Engine progress while reloading: elapsed time and the latest progress line. */
  progress?: { elapsedMs: number; lastMessage?: string };
  scriptLogTail: string[];
  /** The Engine's script log file on the Qlik server (DoReloadEx). */
  scriptLogFile?: string;
  saved?: boolean;
  error?: string;
  /** The Engine's counts of a finished reload (DoReloadEx on engines that give them): rows loaded and stored. */
  rows?: { loaded: number; stored: number };
  /** The reload ended constrained by the memory it was allowed (DoReloadEx's qEndedWithMemoryConstraint). */
  endedWithMemoryConstraint?: boolean;
  /** A reload that succeeded with something to look at: no rows loaded, memory constrained. */
  warning?: string;
  chained?: ChainedStart;
}

export const controlMigrations: MigrationSet = {
  module: "control",
  migrations: [
    {
      version: 1,
      name: "app reload jobs",
      sql: `CREATE TABLE reload_jobs (
        id TEXT PRIMARY KEY, app_id TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,
        finished_at TEXT, doc TEXT NOT NULL);
        CREATE INDEX reload_jobs_app ON reload_jobs (app_id, created_at);
        CREATE INDEX reload_jobs_status ON reload_jobs (status);`,
    },
    {
      version: 2,
      name: "job owner",
      // The Steward instance running a job: another one marks it interrupted only when that instance is gone.
      sql: "ALTER TABLE reload_jobs ADD COLUMN owner TEXT",
    },
  ],
};

export interface ReloadJobStore {
  insert(job: ReloadJob): Promise<void>;
  update(job: ReloadJob): Promise<void>;
  get(jobId: string): Promise<ReloadJob | undefined>;
  list(q: { appId?: string; limit?: number }): Promise<ReloadJob[]>;
  /**
   * Jobs left queued or running by a Steward that is gone (this one before a restart, or a killed one of the
   * cluster: any owner not in `live`) become "interrupted". Returns how many.
   */
  markInterrupted(reason: string, live: readonly string[]): Promise<number>;
  /** Deletes finished jobs older than the cutoff. */
  purge(olderThanMs: number): Promise<number>;
}

export function createReloadJobStore(db: SqlDb, clock: Clock, owner: string): ReloadJobStore {
  const q = {
    insert: "INSERT INTO reload_jobs (id, app_id, status, created_at, finished_at, doc, owner) VALUES (?, ?, ?, ?, ?, ?, ?)",
    update: "UPDATE reload_jobs SET status = ?, finished_at = ?, doc = ? WHERE id = ?",
    get: "SELECT doc FROM reload_jobs WHERE id = ?",
    purge: "DELETE FROM reload_jobs WHERE finished_at IS NOT NULL AND finished_at < ?",
  };
  const parse = (row: { doc: string }) => JSON.parse(String(row.doc)) as ReloadJob;
  const save = async (job: ReloadJob, x: SqlExecutor = db) =>
    void (await x.run(q.update, [job.status, job.finishedAt ?? null, JSON.stringify(job), job.jobId]));

  return {
    insert: async (job) => void (await db.run(q.insert, [job.jobId, job.appId, job.status, job.createdAt, job.finishedAt ?? null, JSON.stringify(job), owner])),
    update: (job) => save(job),
    async get(jobId) {
      const row = await db.get<{ doc: string }>(q.get, [jobId]);
      return row ? parse(row) : undefined;
    },
    async list({ appId, limit = 50 }) {
      const n = Math.min(Math.max(limit, 1), 500);
      const rows = appId
        ? await db.all<{ doc: string }>(`SELECT doc FROM reload_jobs WHERE app_id = ? ORDER BY created_at DESC LIMIT ${n}`, [appId])
        : await db.all<{ doc: string }>(`SELECT doc FROM reload_jobs ORDER BY created_at DESC LIMIT ${n}`);
      return rows.map(parse);
    },
    async markInterrupted(reason, live) {
      const now = new Date(clock.now()).toISOString();
      const keep = live.length ? ` AND (owner IS NULL OR owner NOT IN (${live.map(() => "?").join(", ")}))` : "";
      return db.transaction(async (tx) => {
        const jobs = (await tx.all<{ doc: string }>(`SELECT doc FROM reload_jobs WHERE status IN ('queued', 'running')${keep}`, [...live])).map(parse);
        for (const job of jobs) await save({ ...job, status: "interrupted", phase: "done", finishedAt: now, error: reason }, tx);
        return jobs.length;
      });
    },
    purge: async (olderThanMs) => (await db.run(q.purge, [new Date(clock.now() - olderThanMs).toISOString()])).changes,
  };
}
