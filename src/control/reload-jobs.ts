// Persisted app reload jobs (PUT /v4/app/{appId}/reload → GET /v4/app/reloads/{jobId}): request, who asked,
// state, progress, script log tail, outcome and the chained task starts. Survives restarts.
import type { DatabaseSync } from "node:sqlite";
import type { MigrationSet } from "../store/database";
import type { Clock } from "../core/clock";

export type ReloadJobStatus = "queued" | "running" | "succeeded" | "failed" | "interrupted";
export type ReloadPhase = "queued" | "connecting" | "reloading" | "saving" | "starting-chained-tasks" | "done";

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
  ],
};

export interface ReloadJobStore {
  insert(job: ReloadJob): void;
  update(job: ReloadJob): void;
  get(jobId: string): ReloadJob | undefined;
  list(q: { appId?: string; limit?: number }): ReloadJob[];
  /** Jobs left queued or running by a previous process become "interrupted". Returns how many. */
  markInterrupted(reason: string): number;
  /** Deletes finished jobs older than the cutoff. */
  purge(olderThanMs: number): number;
}

export function createReloadJobStore(db: DatabaseSync, clock: Clock): ReloadJobStore {
  const insert = db.prepare("INSERT INTO reload_jobs (id, app_id, status, created_at, finished_at, doc) VALUES (?, ?, ?, ?, ?, ?)");
  const update = db.prepare("UPDATE reload_jobs SET status = ?, finished_at = ?, doc = ? WHERE id = ?");
  const get = db.prepare("SELECT doc FROM reload_jobs WHERE id = ?");
  const unfinished = db.prepare("SELECT doc FROM reload_jobs WHERE status IN ('queued', 'running')");
  const purge = db.prepare("DELETE FROM reload_jobs WHERE finished_at IS NOT NULL AND finished_at < ?");
  const parse = (row: unknown) => JSON.parse(String((row as { doc: string }).doc)) as ReloadJob;
  const save = (job: ReloadJob) => update.run(job.status, job.finishedAt ?? null, JSON.stringify(job), job.jobId);

  return {
    insert: (job) => void insert.run(job.jobId, job.appId, job.status, job.createdAt, job.finishedAt ?? null, JSON.stringify(job)),
    update: (job) => void save(job),
    get: (jobId) => {
      const row = get.get(jobId);
      return row ? parse(row) : undefined;
    },
    list({ appId, limit = 50 }) {
      const n = Math.min(Math.max(limit, 1), 500);
      const rows = appId
        ? db.prepare(`SELECT doc FROM reload_jobs WHERE app_id = ? ORDER BY created_at DESC LIMIT ${n}`).all(appId)
        : db.prepare(`SELECT doc FROM reload_jobs ORDER BY created_at DESC LIMIT ${n}`).all();
      return rows.map(parse);
    },
    markInterrupted(reason) {
      const now = new Date(clock.now()).toISOString();
      const jobs = unfinished.all().map(parse);
      for (const job of jobs) save({ ...job, status: "interrupted", phase: "done", finishedAt: now, error: reason });
      return jobs.length;
    },
    purge(olderThanMs) {
      return Number(purge.run(new Date(clock.now() - olderThanMs).toISOString()).changes);
    },
  };
}
