// What follows a finished reload job: the data checks of a successful reload, and the chained tasks started
// through the one TaskStarter (held back when a block check of the reload failed).
import type { ReloadInput } from "../../watch/checks/reload-input";
import { describeError } from "../../platform/core/errors";
import type { ReloadEnv } from "./reload-progress";
import type { ChainedStart, ReloadJob } from "./reload-jobs";

/**
 * The data checks of a successful reload: started for every job; with tasks to start on success, their verdict
 * is awaited, and a reason is returned when they hold the tasks back (a block check failed).
 */
export async function checkData(env: ReloadEnv, job: ReloadJob, signal: AbortSignal): Promise<string | undefined> {
  const { deps, log, iso } = env;
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

/** The tasks to start after the reload (on success or on failure), unless the data checks hold them back. */
export async function startChained(env: ReloadEnv, job: ReloadJob, success: boolean, heldBack?: string): Promise<ChainedStart | undefined> {
  const { deps, log } = env;
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
