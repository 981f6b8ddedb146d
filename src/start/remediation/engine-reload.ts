// The "reload the app through the Engine" action, the worker's part: the task's app and its reload settings come from
// QRS (a partial reload when the task is one, as the Scheduler would run it), the reload is a job of the one app
// reloader (PUT /v4/app/{id}/reload's: OpenDoc, DoReloadEx, DoSave, audited as app.reload), and the action ends with
// its job. Jobs live in the shared store, so whichever Steward looks closes the action, once.
import type { AuditLog } from "../../platform/audit/audit-log";
import type { Clock } from "../../platform/core/clock";
import type { QrsTask } from "../../platform/qlik/qrs-schemas";
import type { ReloadJob, ReloadRequest } from "../control/reload-jobs";
import type { ActionStore, Claim, RemediationAction } from "./action-store";

/** What the action needs of the app reloader (src/start/control/app-reloader.ts). */
export interface AppReloadPort {
  submit(appId: string, request: ReloadRequest, requestedBy: ReloadJob["requestedBy"]): Promise<ReloadJob>;
  get(jobId: string): Promise<ReloadJob | undefined>;
  list(q: { appId?: string; limit?: number }): Promise<ReloadJob[]>;
}

export interface EngineReloadEnv {
  store: ActionStore;
  clock: Clock;
  audit: AuditLog;
  instanceId: string;
  reloader: AppReloadPort | undefined;
  /** How long a claim is held once the reload is about to be submitted (the worker's lease, or longer). */
  holdMs?: number;
}

type Record_ = (a: RemediationAction, result: "ok" | "failed", details: Record<string, unknown>) => void;
type End = (c: Claim, a: RemediationAction, outcome: string, answer: string) => Promise<void>;

const FINISHED_JOB = new Set(["succeeded", "failed", "interrupted"]);
const how = (partial: boolean) => (partial ? "a partial reload, as the task is set to run" : "a full reload, as the task runs");

/** The Engine reload an action asks for: the task's app, partial when the task is a partial reload in the QMC. */
export function reloadOf(task: Pick<QrsTask, "taskType" | "app" | "isPartialReload">): { appId: string; appName: string; request: ReloadRequest } | undefined {
  if ((task.taskType ?? 0) !== 0 || !task.app?.id) return undefined;
  return {
    appId: task.app.id,
    appName: task.app.name,
    request: { reloadMode: 0, partialReload: task.isPartialReload === true, startQSEoWTaskOnSuccess: [], startQSEoWTaskOnFailure: [] },
  };
}

/** Submits the reload job (or, taken over, adopts the one the Steward before submitted) and records it started. */
export async function startEngineReload(env: EngineReloadEnv, c: Claim, a: RemediationAction, task: QrsTask, end: End, record: Record_): Promise<void> {
  const { reloader, store, clock } = env;
  if (!reloader) return end(c, a, "not started", "this Steward cannot reload apps through the Engine (no qlik: connection to the Engine)");
  const r = reloadOf(task);
  if (!r) return end(c, a, "not started", "the task reloads no app (it is not a reload task): there is nothing to reload through the Engine");
  const requestedBy = { kind: "remediation", name: a.requestedBy, ...(a.requestedIp ? { ip: a.requestedIp } : {}) };
  // Taken over: the Steward before may have submitted the job and stopped before it recorded it.
  if (a.takenFrom !== null) {
    const theirs = (await reloader.list({ appId: r.appId, limit: 20 })).find(
      (j) => j.requestedBy.kind === "remediation" && j.requestedBy.name === a.requestedBy && Date.parse(j.createdAt) >= a.requestedAt,
    );
    if (theirs) {
      const answer = `adopted the Engine reload job ${theirs.jobId} that ${a.takenFrom} submitted before it stopped (not reloaded again)`;
      if (await store.started(c, clock.now(), theirs.jobId, answer)) record(a, "ok", { answer, jobId: theirs.jobId, adopted: true });
      return;
    }
  }
  if (!(await store.seen(c, "engine-reload", clock.now() + (env.holdMs ?? 0)))) return; // Another Steward took the action over: it acts, not this one.
  const job = await reloader.submit(r.appId, r.request, requestedBy);
  const answer = `the Engine took the reload of ${r.appName} (${how(r.request.partialReload)}; reload job ${job.jobId})`;
  if (await store.started(c, clock.now(), job.jobId, answer))
    record(a, "ok", { answer, jobId: job.jobId, appId: r.appId, partialReload: r.request.partialReload });
}

/** What the Engine answered at the end of a reload job, in a person's words. */
export function jobAnswer(job: ReloadJob): { outcome: string; line: string | null; answer: string } {
  const rows = job.rows ? `, ${job.rows.loaded} rows loaded` : "";
  if (job.status === "succeeded")
    return {
      outcome: "succeeded",
      line: job.warning ?? null,
      answer: `the Engine reloaded the app and saved it (reload job ${job.jobId}${rows}${job.warning ? `; ${job.warning}` : ""})`,
    };
  const why = job.error ?? "the Engine gave no reason";
  if (job.status === "interrupted") return { outcome: "aborted", line: why, answer: `the Engine reload was interrupted (reload job ${job.jobId}): ${why}` };
  return { outcome: "failed", line: why, answer: `the Engine reload failed (reload job ${job.jobId}): ${why}` };
}

/** Closes the started Engine reloads whose job has ended (any Steward: the jobs and the actions are shared). */
export async function followEngineReloads(env: EngineReloadEnv, record: Record_): Promise<void> {
  if (!env.reloader) return;
  for (const a of await env.store.startedReloads()) {
    const job = a.executionId ? await env.reloader.get(a.executionId) : undefined;
    if (job && !FINISHED_JOB.has(job.status)) continue;
    const end = job ? jobAnswer(job) : { outcome: "failed", line: null, answer: `the reload job ${a.executionId ?? "?"} is no longer kept` };
    const done = await env.store.reloadEnded(a.id, env.clock.now(), end.outcome, end.line, end.answer);
    if (done) record(done, end.outcome === "succeeded" ? "ok" : "failed", { answer: end.answer, ended: end.outcome, jobId: a.executionId });
  }
}
