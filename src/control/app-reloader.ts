// Runs app reloads through the Engine as persisted jobs: OpenDoc, DoReloadEx (DoReload on older engines) with
// progress polling and a timeout, DoSave on success, then the chained tasks through the one TaskStarter.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { AuditLog } from "../audit/audit-log";
import type { ReloadSchema } from "../config/sections/control";
import type { Clock } from "../core/clock";
import { AppError, describeError } from "../core/errors";
import type { Component } from "../core/lifecycle";
import type { MetricsRegistry } from "../core/metrics";
import type { EngineClient } from "../qlik/engine-client";
import { GLOBAL_HANDLE, openDoc } from "../qlik/engine-doc";
import { EngineRpcError, type EngineSession } from "../qlik/engine-session";
import { isGuid } from "../qlik/qrs-filter";
import type { ChainedStart, ReloadJob, ReloadJobStore, ReloadRequest } from "./reload-jobs";
import type { TaskStarter } from "./types";
import type { ReloadInput } from "../checks/reload-input";

/** What the reloader needs of the data checks: they run after every successful reload; chained starts wait. */
export interface ReloadDataChecks {
  afterReload(input: ReloadInput): Promise<unknown>;
  holdBack(input: ReloadInput): Promise<string | undefined>;
}
import type { z } from "zod";

export interface AppReloaderDeps {
  engine: EngineClient;
  starter: TaskStarter;
  jobs: ReloadJobStore;
  /** The Steward instances alive in the cluster (their running jobs are theirs); unset: only this one. */
  liveInstances?: () => Promise<readonly string[]>;
  audit: AuditLog;
  log: Logger;
  metrics: MetricsRegistry;
  clock: Clock;
  cfg: z.infer<typeof ReloadSchema>;
  dataChecks?: ReloadDataChecks;
}

export interface AppReloader extends Component {
  submit(appId: string, request: ReloadRequest, requestedBy: ReloadJob["requestedBy"]): Promise<ReloadJob>;
  get(jobId: string): Promise<ReloadJob | undefined>;
  list(q: { appId?: string; limit?: number }): Promise<ReloadJob[]>;
}

interface ProgressData {
  qPersistentProgress?: string;
  qTransientProgress?: string;
  qErrorData?: Array<{ qErrorString?: string; qLine?: string }>;
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
    const tail: string[] = [];
    const pushLines = (text: string) => {
      for (const line of text.split(/\r?\n/)) if (line.trim()) tail.push(line);
      if (tail.length > cfg.logTailLines) tail.splice(0, tail.length - cfg.logTailLines);
    };
    // Script errors the Engine reported (GetProgress qErrorData), each once, for the job's error text.
    const scriptErrors: string[] = [];
    const noteError = (e: { qErrorString?: string; qLine?: string }) => {
      if (!e.qErrorString) return;
      const text = `${e.qErrorString}${e.qLine ? ` (at: ${e.qLine.trim()})` : ""}`;
      if (scriptErrors.includes(text)) return;
      scriptErrors.push(text);
      pushLines(`Error: ${text}`);
    };
    const save = (patch: Partial<ReloadJob>) => {
      Object.assign(job, patch, { scriptLogTail: [...tail] });
      persist(job);
    };
    save({ status: "running", phase: "connecting", startedAt: iso() });
    let session: EngineSession | undefined;
    let success = false;
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
      let req = session.request<{ qResult?: { qSuccess?: boolean; qScriptLogFile?: string }; qReturn?: boolean }>(
        doc,
        "DoReloadEx",
        [{ qMode: reloadMode, qPartial: partialReload, qDebug: false }],
        { timeoutMs: 0, signal },
      );
      const outcome = await followReload(session, req, signal, started, pushLines, save, noteError).catch(async (err) => {
        // Engines before DoReloadEx (2018) only know DoReload.
        if (!(err instanceof EngineRpcError) || err.rpcCode !== -32601) throw err;
        req = session!.request(doc, "DoReload", [reloadMode, partialReload, false], { timeoutMs: 0, signal });
        return followReload(session!, req, signal, started, pushLines, save, noteError);
      });
      success = outcome.qResult?.qSuccess ?? outcome.qReturn === true;
      if (outcome.qResult?.qScriptLogFile) job.scriptLogFile = outcome.qResult.qScriptLogFile;
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
    const heldBack = success && !interrupted ? await checkData(job, signal) : undefined;
    if (waitsForChecks) save({ phase: "starting-chained-tasks" });
    if (!interrupted) job.chained = await startChained(job, success, heldBack);
    save({ phase: "done", finishedAt: iso() });
    await writes;
  }

  /** Waits for the reload answer while polling GetProgress; cancels the reload past the timeout. */
  async function followReload<T>(
    session: EngineSession,
    req: { id: number; result: Promise<T> },
    signal: AbortSignal,
    started: number,
    pushLines: (t: string) => void,
    save: (p: Partial<ReloadJob>) => void,
    noteError: (e: { qErrorString?: string; qLine?: string }) => void,
  ): Promise<T> {
    let done = false;
    let lastPersistent = "";
    const poll = async () => {
      while (!done && !signal.aborted) {
        await new Promise((r) => setTimeout(r, cfg.progressIntervalMs));
        if (done) return;
        const elapsedMs = deps.clock.now() - started;
        if (elapsedMs > cfg.timeoutMs) {
          await session.call(GLOBAL_HANDLE, "CancelReload", []).catch(() => undefined);
          throw new AppError("TIMEOUT", `the reload ran longer than control.reload.timeoutMs (${cfg.timeoutMs} ms) and was cancelled`);
        }
        try {
          const r = await session.call<{ qProgressData?: ProgressData }>(GLOBAL_HANDLE, "GetProgress", [req.id]);
          const p = r.qProgressData ?? {};
          const text = p.qPersistentProgress ?? "";
          // Engines send persistent progress either as increments or as the whole text so far.
          const fresh = lastPersistent && text.startsWith(lastPersistent) ? text.slice(lastPersistent.length) : text;
          if (text) lastPersistent = text;
          if (fresh) pushLines(fresh);
          for (const e of p.qErrorData ?? []) noteError(e);
          const lastMessage = (p.qTransientProgress || fresh.trim().split(/\r?\n/).at(-1) || undefined)?.trim();
          save({ progress: { elapsedMs, ...(lastMessage ? { lastMessage } : {}) } });
        } catch (err) {
          if (done || signal.aborted) return;
          log.debug({ err: describeError(err) }, "GetProgress failed; the reload goes on");
        }
      }
    };
    const poller = poll();
    try {
      return await Promise.race([req.result, poller.then(() => req.result)]);
    } finally {
      done = true;
      await poller.catch(() => undefined);
    }
  }

  /**
   * The data checks of a successful reload: started for every job; with tasks to start on success, their verdict
   * is awaited, and a reason is returned when they hold the tasks back (a block check failed).
   */
  async function checkData(job: ReloadJob, signal: AbortSignal): Promise<string | undefined> {
    const checks = deps.dataChecks;
    if (!checks) return undefined;
    const input: ReloadInput = { reload: { kind: "reload-job", id: job.jobId, at: iso() }, appId: job.appId };
    if (job.request.startQSEoWTaskOnSuccess.length === 0) {
      void checks
        .afterReload(input)
        .catch((err) => log.warn({ jobId: job.jobId, err: describeError(err) }, "the data checks of the reload could not be started"));
      return undefined;
    }
    // A check run that cannot even be recorded leaves the data unverified: the chained tasks wait for the next reload.
    const verdict = checks.holdBack(input).catch((err) => `the data checks of the reload could not be run: ${describeError(err)}`);
    // Stopping Steward does not wait for a long queue of checks: the job is then interrupted, nothing starts.
    const stopped = new Promise<string>((resolve) =>
      signal.addEventListener("abort", () => resolve("Steward stopped while the data checks ran"), { once: true }),
    );
    return Promise.race([verdict, stopped]);
  }

  async function startChained(job: ReloadJob, success: boolean, heldBack?: string): Promise<ChainedStart | undefined> {
    const ids = success ? job.request.startQSEoWTaskOnSuccess : job.request.startQSEoWTaskOnFailure;
    if (ids.length === 0) return undefined;
    const on = success ? "success" : "failure";
    if (heldBack) {
      log.warn({ jobId: job.jobId, appId: job.appId, taskIds: ids, why: heldBack }, "chained tasks held back by the data checks of the reload");
      deps.audit.record({
        actor: { kind: "chain", name: job.jobId },
        action: "task.held",
        target: ids.join(","),
        result: "denied",
        details: { jobId: job.jobId, appId: job.appId, taskIds: ids, why: heldBack },
      });
      return { on, started: [], notFound: [], denied: [], heldBack };
    }
    try {
      const r = await deps.starter.start(
        { taskIds: ids },
        { kind: "chain", name: job.jobId, actor: { kind: "chain", name: `app reload ${job.jobId} (${job.requestedBy.kind}:${job.requestedBy.name})` } },
      );
      return {
        on,
        started: r.started.map(({ taskId, taskName, status, error }) => ({ taskId, taskName, status, ...(error ? { error } : {}) })),
        notFound: r.notFound,
        denied: r.denied,
      };
    } catch (err) {
      log.warn({ jobId: job.jobId, err: describeError(err) }, "chained task start failed");
      return { on, started: [], notFound: [], denied: [], error: describeError(err) };
    }
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
      while (running.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
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
  };
}
