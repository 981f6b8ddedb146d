// Runs app reloads through the Engine as persisted jobs: OpenDoc, DoReloadEx (DoReload on older engines) with
// progress polling and a timeout, DoSave on success, then the chained tasks through the one TaskStarter.
import { randomUUID } from "node:crypto";
import { sleep, wallClock } from "../../platform/core/clock";
import { AppError, describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import { GLOBAL_HANDLE, openDoc } from "../../platform/qlik/engine-doc";
import { EngineRpcError, type EngineSession } from "../../platform/qlik/engine-session";
import { isGuid } from "../../platform/qlik/qrs-filter";
import type { ReloadJob, ReloadRequest } from "./reload-jobs";
import type { AppReloaderDeps } from "./app-reloader-types";
import { checkData, startChained } from "./reload-followups";
import { createReloadLog, followReload, type ProgressData, type ReloadEnv } from "./reload-progress";

export type { AppReloaderDeps, ReloadDataChecks } from "./app-reloader-types";

export interface AppReloader extends Component {
  submit(appId: string, request: ReloadRequest, requestedBy: ReloadJob["requestedBy"]): Promise<ReloadJob>;
  get(jobId: string): Promise<ReloadJob | undefined>;
  list(q: { appId?: string; limit?: number }): Promise<ReloadJob[]>;
  /**
   * In a cluster: the jobs a member that is gone (killed mid-reload) left queued or running become "interrupted" now,
   * not when a Steward next starts. Alone, nothing: only this Steward runs jobs, and its start marks the ones before it.
   */
  interruptGone(): Promise<number>;
}

export function createAppReloader(deps: AppReloaderDeps): AppReloader {
  const log = deps.log.child({ module: "app-reload" });
  const { cfg, jobs } = deps;
  const queue: ReloadJob[] = [];
  /** Job writes in the order they were made (progress is saved often; the store may be remote). */
  let writes: Promise<void> = Promise.resolve();
  const persist = (job: ReloadJob) => {
    const snapshot = structuredClone(job);
    writes = writes
      .then(() => jobs.update(snapshot))
      .catch((err) => log.warn({ jobId: job.jobId, err: describeError(err) }, "could not save the reload job's state"));
  };
  const running = new Map<string, AbortController>();
  const outcomes = deps.metrics.counter("steward_app_reloads_total", "App reloads through the Engine by result.");
  deps.metrics.gaugeFn("steward_app_reloads_running", "App reloads running now.", () => running.size);
  let accepting = false;
  const iso = () => new Date(deps.clock.now()).toISOString();
  const env: ReloadEnv = { deps, log, iso };

  function pump() {
    while (accepting && running.size < cfg.maxConcurrent && queue.length > 0) {
      const job = queue.shift()!;
      const jobId = job.jobId;
      const abort = new AbortController();
      running.set(jobId, abort);
      void run(job, abort.signal).finally(() => {
        running.delete(jobId);
        pump();
      });
    }
  }

  async function run(job: ReloadJob, signal: AbortSignal): Promise<void> {
    const started = deps.clock.now();
    const rlog = createReloadLog(cfg.logTailLines);
    const save = (patch: Partial<ReloadJob>) => {
      Object.assign(job, patch, { scriptLogTail: [...rlog.tail] });
      persist(job);
    };
    save({ status: "running", phase: "connecting", startedAt: iso() });
    const success = await reloadOnEngine(env, job, signal, started, rlog, save);
    const durationMs = deps.clock.now() - started;
    if (!success && !job.error) job.error = "the load script failed (DoReload returned false; the Engine reported no script error)";
    const interrupted = signal.aborted;
    // With tasks to start on success, the data checks of the reload decide first.
    const waitsForChecks = success && !interrupted && deps.dataChecks !== undefined && job.request.startQSEoWTaskOnSuccess.length > 0;
    save({
      status: interrupted ? "interrupted" : success ? "succeeded" : "failed",
      durationMs,
      phase: interrupted ? "done" : waitsForChecks ? "checking-data" : "starting-chained-tasks",
    });
    outcomes.inc({ result: job.status });
    deps.audit.record({
      actor: job.requestedBy,
      action: "app.reload",
      target: job.appId,
      result: success ? "ok" : "failed",
      details: {
        jobId: job.jobId,
        partialReload: job.request.partialReload,
        reloadMode: job.request.reloadMode,
        durationMs,
        ...(job.error ? { error: job.error } : {}),
      },
    });
    const heldBack = success && !interrupted ? await checkData(env, job, signal) : undefined;
    if (waitsForChecks) save({ phase: "starting-chained-tasks" });
    if (!interrupted) job.chained = await startChained(env, job, success, heldBack);
    save({ phase: "done", finishedAt: iso() });
    await writes;
  }

  return {
    name: "app-reloader",
    async start() {
      const live = deps.liveInstances ? await deps.liveInstances() : [];
      const n = await jobs.markInterrupted("Steward stopped while this reload was queued or running", live);
      if (n > 0) log.warn({ jobs: n }, "reload jobs from the previous run were interrupted");
      await jobs.purge(cfg.keepJobsDays * 86_400_000);
      accepting = true;
      pump();
    },
    async stop(budgetMs) {
      accepting = false;
      for (const a of running.values()) a.abort("Steward is stopping");
      const deadline = Date.now() + budgetMs;
      while (running.size > 0 && Date.now() < deadline) await sleep(wallClock, 20);
      await writes;
    },
    async submit(appId, request, requestedBy) {
      if (!isGuid(appId)) throw new AppError("BAD_REQUEST", "Invalid app ID format", { details: "App ID must be a valid GUID" });
      const bad = [...request.startQSEoWTaskOnSuccess, ...request.startQSEoWTaskOnFailure].filter((id) => !isGuid(id));
      if (bad.length)
        throw new AppError("BAD_REQUEST", "Invalid task ID format", {
          details: `Task ID must be a valid GUID; got ${bad.map((b) => JSON.stringify(b)).join(", ")}`,
        });
      if (!accepting) throw new AppError("UNAVAILABLE", "app reloads are not accepted right now (Steward is starting or stopping)");
      const job: ReloadJob = {
        jobId: randomUUID(),
        appId: appId.toLowerCase(),
        status: "queued",
        phase: "queued",
        request,
        requestedBy,
        createdAt: iso(),
        scriptLogTail: [],
      };
      await jobs.insert(job);
      const view = structuredClone(job);
      queue.push(job);
      pump();
      return view;
    },
    get: (jobId) => jobs.get(jobId),
    list: (q) => jobs.list(q),
    async interruptGone() {
      const live = deps.liveInstances ? await deps.liveInstances() : [];
      // No member list (alone, or the store unreachable): nobody else's jobs to judge.
      if (live.length === 0) return 0;
      const n = await jobs.markInterrupted("the Steward running this reload stopped (it left the cluster) while the reload was queued or running", live);
      if (n > 0) log.warn({ jobs: n }, "reload jobs of a Steward that left the cluster were interrupted");
      return n;
    },
  };
}

/** What DoReloadEx answers (the row counts and the memory flag on engines from 2024). */
interface ReloadResult {
  qSuccess?: boolean;
  qScriptLogFile?: string;
  qNbrOfLoadedRows?: number;
  qNbrOfStoredRows?: number;
  qEndedWithMemoryConstraint?: boolean;
}

/**
 * The Engine's own counts on the job, and a warning for a success worth a look: "succeeded but loaded 0 rows" (a
 * source that answered empty, a WHERE that matched nothing) is invisible in a Scheduler's task result.
 */
function noteRows(job: ReloadJob, r: ReloadResult | undefined, log: ReloadEnv["log"]): void {
  const loaded = r?.qNbrOfLoadedRows;
  if (typeof loaded === "number" && Number.isFinite(loaded)) job.rows = { loaded, stored: Number(r?.qNbrOfStoredRows ?? 0) };
  if (r?.qEndedWithMemoryConstraint === true) job.endedWithMemoryConstraint = true;
  const warnings = [
    ...(job.rows?.loaded === 0 ? ["the reload succeeded but the Engine loaded no rows: check the script's sources and filters"] : []),
    ...(job.endedWithMemoryConstraint ? ["the reload ended constrained by the memory it was allowed"] : []),
  ];
  if (warnings.length === 0) return;
  job.warning = warnings.join("; ");
  log.warn({ jobId: job.jobId, appId: job.appId, rows: job.rows, warning: job.warning }, "app reload succeeded with a warning");
}

/** Opens the app and reloads it (DoReloadEx, or DoReload on engines before 2018), then saves it; true on success. */
async function reloadOnEngine(
  env: ReloadEnv,
  job: ReloadJob,
  signal: AbortSignal,
  started: number,
  rlog: ReturnType<typeof createReloadLog>,
  save: (patch: Partial<ReloadJob>) => void,
): Promise<boolean> {
  const { deps, log } = env;
  let session: EngineSession | undefined;
  let success = false;
  const { pushLines, noteError, scriptErrors } = rlog;
  try {
    session = await deps.engine.openSession(`/app/${encodeURIComponent(job.appId)}`);
    const doc = await openDoc(session, job.appId, false);
    save({ phase: "reloading" });
    const { reloadMode, partialReload } = job.request;
    // Without this the Engine keeps script errors to itself: GetProgress reports them (qErrorData) only when
    // asked to. Halting on an error (except in mode 2, "ignore errors") is what a scheduled reload does anyway.
    await session.call(GLOBAL_HANDLE, "ConfigureReload", [reloadMode !== 2, true, false]).catch((err) => {
      log.debug({ jobId: job.jobId, err: describeError(err) }, "ConfigureReload failed; script errors may not be reported");
    });
    let req = session.request<{ qResult?: ReloadResult; qReturn?: boolean }>(
      doc,
      "DoReloadEx",
      [{ qMode: reloadMode, qPartial: partialReload, qDebug: false }],
      { timeoutMs: 0, signal },
    );
    const outcome = await followReload(env, session, req, signal, started, pushLines, save, noteError).catch(async (err) => {
      // Engines before DoReloadEx (2018) only know DoReload.
      if (!(err instanceof EngineRpcError) || err.rpcCode !== -32601) throw err;
      req = session!.request(doc, "DoReload", [reloadMode, partialReload, false], { timeoutMs: 0, signal });
      return followReload(env, session!, req, signal, started, pushLines, save, noteError);
    });
    success = outcome.qResult?.qSuccess ?? outcome.qReturn === true;
    if (outcome.qResult?.qScriptLogFile) job.scriptLogFile = outcome.qResult.qScriptLogFile;
    if (success) noteRows(job, outcome.qResult, log);
    if (!success) {
      // The reload answer says only "false"; the error the script stopped at is in the final progress data.
      const final = await session.call<{ qProgressData?: ProgressData }>(GLOBAL_HANDLE, "GetProgress", [req.id]).catch(() => undefined);
      for (const e of final?.qProgressData?.qErrorData ?? []) noteError(e);
      if (scriptErrors.length > 0) job.error = `the load script failed: ${scriptErrors.join("; ")}`;
    }
    if (success) {
      save({ phase: "saving" });
      await session.call(doc, "DoSave", []);
      job.saved = true;
    }
  } catch (err) {
    success = false;
    job.error = signal.aborted ? `stopped: ${String(signal.reason ?? "Steward is stopping")}` : describeError(err);
    log.warn({ jobId: job.jobId, appId: job.appId, err: job.error }, "app reload failed");
  } finally {
    await session?.close().catch(() => undefined);
  }
  return success;
}
