// The runs still to come that Steward itself will start or is running, as the freshness projection reads them through
// the composition root: the retries, re-runs and chain starts remediation has due or is starting (a person asked, or a
// rule did), so a chain that a due retry continues is not called stopped and a promise it can still keep is not told
// "late" (issue 102); and Steward's own Engine reloads of an app (a person's "Reload the app", before its job is
// submitted, and every reload job queued or running, PUT /v4/app/{id}/reload's too), so an app being reloaded is not
// told "will be late" while the reload can make it. An ask waiting for a second person is not due yet; a reload that
// failed or was interrupted, and an action that ended, are not read. The reload jobs that succeeded lately come with
// them: the judge counts such a reload as the app's (fresh data, as a Scheduler's reload), whichever member ran it. One
// statement a look (the judge looks every 30 s; a site at rest reads nothing more).
import type { Clock } from "../../platform/core/clock";
import type { SqlDb } from "../../platform/store/sql";

export interface DueRun {
  taskId: string;
  dueMs: number;
}

/** An Engine reload Steward will start (an action: its task's app) or runs (a job: its app). */
export interface OwnEngineReload {
  appId?: string;
  taskId?: string;
  startMs: number;
  running: boolean;
}

/** A reload job of Steward's that succeeded: when the Engine began and ended. */
export interface OwnReloadDone {
  appId: string;
  startMs?: number;
  endMs: number;
}

export interface RunsToCome {
  runs: DueRun[];
  reloads: OwnEngineReload[];
  done: OwnReloadDone[];
}

/** At most this many: a queue's re-run asks for 200 at most, and a projection needs only the tasks of its chains. */
const LIMIT = 500;
/** The reloader runs a few jobs at once and queues the rest: more than this waiting is no site's day. */
const JOB_LIMIT = 100;
/**
 * A succeeded job is read for this long after it ended: many looks of the judge (and one taking over), and the app list
 * read from QRS every 15 minutes knows the reload's end after that.
 */
export const DONE_WINDOW_MS = 60 * 60_000;

// A reload action once started is its job: the job's row says whether it still runs (the action closes a poll later).
const QUERY = `SELECT * FROM (SELECT kind, task_id, due_at, CAST(NULL AS TEXT) AS app_id, CAST(NULL AS TEXT) AS doc FROM remediation_actions
    WHERE status IN ('pending', 'claimed', 'started') AND NOT (kind = 'reload' AND status = 'started') ORDER BY due_at LIMIT ${LIMIT}) AS actions
  UNION ALL
  SELECT * FROM (SELECT 'job' AS kind, CAST(NULL AS TEXT) AS task_id, CAST(NULL AS BIGINT) AS due_at, app_id, doc FROM reload_jobs
    WHERE status IN ('queued', 'running') OR (status = 'succeeded' AND finished_at >= ?) ORDER BY created_at DESC LIMIT ${JOB_LIMIT}) AS jobs`;

type Row = { kind: string; task_id: string | null; due_at: number | string | null; app_id: string | null; doc: string | null };

type JobDoc = { status?: string; createdAt?: string; startedAt?: string; finishedAt?: string };

/** A job's start: when the Engine began (running), else when it was asked for (queued). */
function jobReload(row: Row, job: JobDoc): OwnEngineReload | undefined {
  const running = job.status === "running";
  const startMs = Date.parse((running ? job.startedAt : undefined) ?? job.createdAt ?? "");
  return Number.isFinite(startMs) ? { appId: String(row.app_id), startMs, running } : undefined;
}

/** A succeeded job's times (ISO, as the reloader wrote them). */
function jobDone(row: Row, job: JobDoc): OwnReloadDone | undefined {
  const endMs = Date.parse(job.finishedAt ?? "");
  const startMs = Date.parse(job.startedAt ?? "");
  if (!Number.isFinite(endMs)) return undefined;
  return { appId: String(row.app_id), ...(Number.isFinite(startMs) && startMs <= endMs ? { startMs } : {}), endMs };
}

/**
 * `staleAfterMs`: the reloader cancels a reload running longer (control.reload.timeoutMs); a job queued or running
 * longer is a stopped Steward's that nobody marked interrupted yet, no run to come.
 */
export function createPendingRuns(db: SqlDb, clock: Clock, staleAfterMs = 7_200_000): () => Promise<RunsToCome> {
  return async () => {
    const out: RunsToCome = { runs: [], reloads: [], done: [] };
    // finished_at is an ISO time (UTC, fixed width): its text order is its time order.
    for (const r of await db.all<Row>(QUERY, [new Date(clock.now() - DONE_WINDOW_MS).toISOString()])) {
      if (r.kind === "job") {
        const doc = JSON.parse(String(r.doc)) as JobDoc;
        const done = doc.status === "succeeded" ? jobDone(r, doc) : undefined;
        const job = doc.status === "succeeded" ? undefined : jobReload(r, doc);
        if (done) out.done.push(done);
        if (job && job.startMs >= clock.now() - staleAfterMs) out.reloads.push(job);
      } else if (r.kind === "reload") out.reloads.push({ taskId: String(r.task_id), startMs: Number(r.due_at), running: false });
      else out.runs.push({ taskId: String(r.task_id), dueMs: Number(r.due_at) });
    }
    out.runs.sort((a, b) => a.dueMs - b.dueMs);
    return out;
  };
}
