// Approved remediation, the part a person meets: "retry this task in N minutes" asked from an alert's link or REST
// for an open incident of a transient error class, recorded as an action (the incident's timeline of what was done),
// audited as the person who asked, carried out by the worker, ended when the task's next run ends, and told in the
// incident's next message.
import type { Logger } from "pino";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { Clock } from "../../platform/core/clock";
import type { EventBus } from "../../platform/core/bus";
import { isTaskEvent, isWatchdogEvent, type DomainEvent, type DomainEvents } from "../../platform/events/types";
import type { IncidentService } from "../../tell/incidents";
import type { RemedyPort, RetryChoice } from "../../tell/ack-links/remedy-port";
import { spanText } from "../../tell/notify/time-format";
import type { ActionStore, RemediationAction } from "./action-store";
import type { RemediationConfig } from "./config";
import type { Worker } from "./worker";
import { messageLines } from "./lines";
import { rerunLeftReads } from "./rerun-left";
import { rerunPreviewLines, retryPreviewLines } from "./rerun-preview-lines";
import type { CauseProbes } from "./cause-probes";
import { requestRerun, type RerunAnswer, type RerunDeps, type RerunRequest } from "./rerun";
import { type ChainTask, createMoreRequests, NOT_OFFERED, type IncidentActionAnswer, type IncidentActionRequest } from "./more-requests";
import { moreOffers } from "./more-offers";
import { morePreviews, type previewChain, type previewReload } from "./more-preview-lines";
import type { QueuePort } from "./queue-port";
import { type Asker, createApproval } from "./approval";
import { rerunAnswer, retryAnswer } from "./link-answers";
import { closeOnRunEnd } from "./run-end";
import type { ConfirmAnswer, RetryAnswer } from "./answers";
import type { EnginePort } from "./engine-room";
import { type PromiseProjector, previewRerun, type RerunPreviewAnswer } from "./rerun-preview";
import { previewRetry, type RetryPreview } from "./retry-preview";
import { createDirectStarts, type DirectStartAnswer, type DirectStartRequest } from "./direct-start";
import { createRefusals, refusalsTold, toldOnRefusal } from "./refusals";

/** An open incident of a task whose error class a retry is offered for. */
type RetryableIncident = { id: number; title: string; taskId: string };

export type { ConfirmAnswer, RetryAnswer } from "./answers";

export interface RetryRequest {
  incidentId: number;
  delayMs: number;
  by: string;
  from: "link" | "rest";
  ip?: string;
  /** A verified identity (approval.ts Asker): a key, a client certificate, the mail address the link was made for. */
  verified: boolean;
}

/** The answer to a retry request: the action (new or the one already asked for), or why none was made. */
export interface RemediationService extends RemedyPort {
  requestRetry(r: RetryRequest): Promise<RetryAnswer>;
  requestRerun(r: Omit<RerunRequest, "now">): Promise<RerunAnswer>;
  /** A direct start of one task under the two-person rule (remediation.approval.directStarts: two-person). */
  requestStart(r: DirectStartRequest): Promise<DirectStartAnswer>;
  actionsOf(incidentId: number): Promise<RemediationAction[]>;
  /** The actions of a re-run of a queue cause's cancelled runs, in the order they run. */
  actionsOfCause(causeId: number): Promise<RemediationAction[]>;
  /** The runs a queue cause's queue cancelled that have not run again (open or closed): what a re-run would start. */
  leftToRerun(causeId: number): Promise<Array<{ taskId: string; taskName: string; incidentId: number }>>;
  cancel(actionId: number, by: string): Promise<boolean>;
  /** Reload the open incident's app through the Engine, as its task would (partial or full). */
  requestReload(r: IncidentActionRequest): Promise<IncidentActionAnswer>;
  /** Start a task of the open incident's chain; its follow-ups run as the Scheduler's triggers start them. */
  requestChain(r: IncidentActionRequest & { taskId: string }): Promise<IncidentActionAnswer>;
  /** The tasks of the open incident's chain, heads first (empty: none Steward knows). */
  chainOfIncident(incidentId: number): Promise<ChainTask[]>;
  /** The second person's confirmation of an action waiting under the two-person rule, by its id. */
  confirm(actionId: number, who: Asker): Promise<ConfirmAnswer>;
  /**
   * Whether the event ends the run of an action a person asked for whose outcome no message told yet: held under a
   * cause, it still goes where the cause's page went (src/tell/grouping), so the person learns how it ended.
   */
  endsAnAction(e: DomainEvent): Promise<boolean>;
  /**
   * The cause (its id) a person's re-run was asked under, when the event ends that re-run's run and no message told
   * its outcome yet; undefined otherwise. Its recovery goes where the cause's page went also after the cause closed.
   */
  causeOfUntoldRun(e: DomainEvent): Promise<number | undefined>;
  /** This Steward's next look for due actions (remediation.pollInterval's), run now; resolves when it is done. */
  lookNow(): Promise<void>;
  /** What a retry would do if approved now (dryRun), or why it would be refused: nothing recorded or started. */
  previewRetry(r: Pick<RetryRequest, "incidentId" | "delayMs">): Promise<Extract<RetryAnswer, { ok: false }> | { ok: true; preview: RetryPreview }>;
  /** What a re-run of the cause's cancelled runs would do if approved now (dryRun): nothing recorded or started. */
  previewRerun(causeId: number): Promise<RerunPreviewAnswer>;
  /** What starting the incident's chain again from `taskId` would do if approved now (dryRun), or the request's refusal. */
  previewChain(incidentId: number, taskId: string): ReturnType<typeof previewChain>;
  /** What reloading the incident's app through the Engine would do if approved now (dryRun), or the request's refusal. */
  previewReload(incidentId: number): ReturnType<typeof previewReload>;
  /** The freshness promises' projections (built after remediation): a preview then says when each app would be fresh. */
  seesPromises(project: PromiseProjector): void;
}

export interface ServiceDeps extends Omit<RerunDeps, "store" | "incidents"> {
  store: ActionStore;
  /** A rule's probes of a shared cause: the page of one that gave up names the tasks that waited for it. */
  probes?: CauseProbes;
  worker: Worker;
  /** Whether this Steward reloads apps through the Engine (the worker has the app reloader). */
  canReload?: boolean;
  /** The backed-up Scheduler queues: a chain's start asked while its node's is backed up waits for it to drain. */
  queues?: QueuePort;
  /** Each node's engines, as the worker reads them before a re-run starts: what a preview says the re-run waits for. */
  engines?: EnginePort;
  incidents: IncidentService;
  clock: Clock;
  log: Logger;
  audit: AuditLog;
  bus: EventBus<DomainEvents>;
  formatTime(ms: number): string;
}

/** The events that end an action's run as a message tells it. */
const RUN_ENDS = new Set(["task.failed", "task.aborted", "task.recovered"]);

/**
 * Whether a message offers "Re-run the cancelled runs": a page of a node's open queue cause, or its recovered page
 * (task.on_track) when it names runs Qlik cancelled, since the re-run still acts after the cause closed.
 */
function rerunOffered(e: DomainEvent): boolean {
  if (e.cause?.status === "closed")
    return isWatchdogEvent(e) && e.kind === "task.on_track" && e.condition.type === "queue_backlog" && Number(e.data.cancelled ?? 0) > 0;
  if (e.cause?.status !== "open") return false;
  return e.kind === "scheduler.queue_backlog" || (isTaskEvent(e) && e.errorClass === "queue");
}

const inWords = (ms: number) => (ms <= 0 ? "now" : `in ${spanText(ms)}`);
export type { Asker } from "./approval";

/** A retry refused: the HTTP status, its code and the field of the request it is about. */
type RetryRefusal = Extract<RetryAnswer, { ok: false }>;
const refuse = (status: 404 | 409 | 400 | 403, field: string, message: string): RetryRefusal => ({
  ok: false,
  status,
  code: status === 404 ? "NOT_FOUND" : status === 400 ? "INVALID_INPUT" : status === 403 ? "FORBIDDEN" : "CONFLICT",
  field,
  message,
});

/** A person's re-run ask as the two-person rule sees it. */
const rerunAsker = (r: Omit<RerunRequest, "now">): Asker => ({
  by: r.by,
  from: r.from === "link" ? "link" : "rest",
  verified: r.verified,
  ...(r.ip ? { ip: r.ip } : {}),
});

/** The audit row of a person's retry request (its action, joined to one already asked for, or awaiting a second person). */
function auditRetryRequest(audit: ServiceDeps["audit"], r: RetryRequest, taskId: string, a: { action: RemediationAction; added: boolean; two: boolean }): void {
  audit.record({
    actor: { kind: r.from === "link" ? "link" : "remediation", name: r.by, ...(r.ip ? { ip: r.ip } : {}) },
    action: "remediation.request",
    target: taskId,
    result: "ok",
    details: {
      actionId: a.action.id,
      incidentId: a.action.incidentId,
      kind: "retry",
      from: r.from,
      dueAt: new Date(a.action.dueAt).toISOString(),
      joined: !a.added,
      ...(a.two && a.added ? { awaiting: "a second person" } : {}),
    },
  });
}

/** The audit row of a person's (or a rule's) re-run request: its actions in the order they run, those it joined. */
function auditRerunRequest(audit: ServiceDeps["audit"], r: Omit<RerunRequest, "now">, a: Extract<RerunAnswer, { ok: true }>, two: boolean): void {
  audit.record({
    actor: { kind: r.from === "link" ? "link" : "remediation", name: r.by, ...(r.ip ? { ip: r.ip } : {}) },
    action: "remediation.request",
    target: `cause:${r.causeId}`,
    result: "ok",
    details: {
      kind: "rerun",
      from: r.from,
      order: a.actions.map((x) => ({ actionId: x.id, taskId: x.taskId, taskName: x.taskName })),
      joined: a.joined.map((x) => x.id),
      ...(two ? { awaiting: "a second person" } : {}),
    },
  });
}

/** The open incident a retry may be asked for, or why not: the same refusals for a request and its dry run. */
async function retryable(
  cfg: RemediationConfig,
  incidents: Pick<IncidentService, "get">,
  r: Pick<RetryRequest, "incidentId" | "delayMs">,
): Promise<RetryRefusal | { ok: "retryable"; incident: RetryableIncident }> {
  // remediation.offer false refuses every path alike (REST, the links, MCP through REST), whatever else is asked.
  if (!cfg.offer) return refuse(409, "id", NOT_OFFERED);
  if (r.delayMs < 0 || r.delayMs > cfg.maxDelay)
    return refuse(400, "inMinutes", `a retry may be asked for at most ${spanText(cfg.maxDelay)} ahead (remediation.maxDelay)`);
  const incident = await incidents.get(r.incidentId);
  if (!incident) return refuse(404, "id", `no incident ${r.incidentId}`);
  if (incident.status !== "open") return refuse(409, "id", `incident ${r.incidentId} has recovered: there is nothing to retry`);
  if (!incident.taskId) return refuse(409, "id", `incident ${r.incidentId} is not a task's: there is no task to start`);
  if (!incident.errorClass || !cfg.retryClasses.includes(incident.errorClass as never))
    return refuse(
      409,
      "id",
      `incident ${r.incidentId}'s error class is ${incident.errorClass ?? "not known"}: a retry is offered for ${cfg.retryClasses.join(", ")} (remediation.retryClasses), failures that may heal by themselves`,
    );
  return { ok: "retryable", incident: { id: incident.id, title: incident.title, taskId: incident.taskId } };
}

export function createRemediationService(cfg: RemediationConfig, deps: ServiceDeps): RemediationService {
  const { store, clock } = deps;
  const log = deps.log.child({ module: "remediation" });
  const classes = new Set<string>(cfg.retryClasses);
  const links = new Set<string>(cfg.links);
  const approval = createApproval(cfg, { store, clock, audit: deps.audit, formatTime: deps.formatTime, poke: () => deps.worker.poke() });
  const requestStart = createDirectStarts({ ...deps, store, approval, poke: () => deps.worker.poke() });
  // A refusal at asking is told where the page went (refusals.ts), whichever path asked (a link, REST, the dashboard, MCP).
  const refusedAsk = createRefusals({ store, incidents: deps.incidents, clock, log: deps.log, poke: () => deps.worker.poke() });
  const more = refusalsTold(
    createMoreRequests({ ...deps, canReload: deps.canReload === true, offer: cfg.offer, approval, poke: () => deps.worker.poke() }),
    refusedAsk,
  );
  const { refusalIncident, ...left } = rerunLeftReads({ causes: deps.causes, incidents: deps.incidents, store, formatTime: deps.formatTime });

  closeOnRunEnd(deps.bus, store, clock, log, () => deps.worker.poke());

  const requestRetry = toldOnRefusal(askRetry, "retry", refusedAsk, async (r) => r.incidentId);
  // A person's re-run refused is told where the cause's page went, nothing left to re-run too (rerun-left.ts).
  const rerun = toldOnRefusal(askRerun, "rerun", refusedAsk, async (r) => (r.from === "rule" ? undefined : await refusalIncident(r.causeId)));

  async function askRetry(r: RetryRequest): Promise<RetryAnswer> {
    const checked = await retryable(cfg, deps.incidents, r);
    if (checked.ok !== "retryable") return checked;
    const { incident } = checked;
    const key = `retry:incident:${incident.id}`;
    const two = approval.needsTwo("retry");
    const press = async (): Promise<RetryAnswer | undefined> => {
      const p = await approval.press("retry", key, r);
      if (p.step === "refused") return refuse(403, "approval", p.message);
      if (p.step === "confirmed" && p.actions[0])
        return { ok: true, added: false, action: p.actions[0], confirmed: { firstBy: p.firstBy, already: p.already === true } };
      return undefined;
    };
    if (two) {
      const answered = await press();
      if (answered) return answered;
    }
    const now = clock.now();
    const { added, action } = await store.add({
      ...(two ? { awaiting: key } : {}),
      incidentId: incident.id,
      taskId: incident.taskId,
      taskName: incident.title,
      kind: "retry",
      requestedBy: r.by,
      requestedFrom: r.from,
      ...(r.ip ? { requestedIp: r.ip } : {}),
      requestedAt: now,
      dueAt: now + r.delayMs,
    });
    auditRetryRequest(deps.audit, r, incident.taskId, { action, added, two });
    // Two people pressing first at once on two Stewards: the second's row joined the first's, so it confirms it.
    if (two && !added && action.status === "awaiting") return (await press()) ?? { ok: true, added, action, awaiting: true };
    // One waiting for a second person is looked at too: it expires at a look, and its expiry is told (action-updates.ts).
    if (added) await deps.worker.poke();
    return { ok: true, added, action, ...(two && added ? { awaiting: true } : {}) };
  }

  async function askRerun(r: Omit<RerunRequest, "now">): Promise<RerunAnswer> {
    // A person's re-run is an offer (refused with remediation.offer false); a rule's is not.
    if (!cfg.offer && r.from !== "rule") return { ok: false, status: 409, message: NOT_OFFERED };
    const key = `rerun:cause:${r.causeId}`;
    const two = approval.needsTwo("rerunCancelled") && r.from !== "rule";
    if (two) {
      const p = await approval.press("rerunCancelled", key, rerunAsker(r));
      if (p.step === "refused") return { ok: false, status: 403, message: p.message };
      if (p.step === "confirmed") {
        const cause = await deps.causes.get(r.causeId);
        return { ok: true, cause: { id: r.causeId, title: cause?.title ?? `cause ${r.causeId}` }, actions: p.actions, joined: [], withheld: [], confirmed: p };
      }
    }
    const a = await requestRerun({ ...deps, store, incidents: deps.incidents }, { ...r, now: clock.now(), ...(two ? { awaiting: key } : {}) });
    if (!a.ok) return a;
    auditRerunRequest(deps.audit, r, a, two);
    if (a.actions.length > 0) await deps.worker.poke();
    return two ? { ...a, awaiting: true } : a;
  }

  let projector: PromiseProjector | undefined;
  return {
    requestRetry,
    ...moreOffers(cfg, more),
    async previewRetry(r) {
      const checked = await retryable(cfg, deps.incidents, r);
      if (checked.ok !== "retryable") return checked;
      return { ok: true, preview: await previewRetry({ ...deps, promises: () => projector }, checked.incident, r.delayMs, clock.now()) };
    },
    previewRerun: (causeId) => previewRerun({ ...deps, store, promises: () => projector }, causeId, clock.now()),
    ...morePreviews({ ...deps, more, promises: () => projector }),
    async retryPreview(incidentId) {
      const checked = await retryable(cfg, deps.incidents, { incidentId, delayMs: 0 });
      if (checked.ok !== "retryable") return undefined;
      const p = await previewRetry({ ...deps, promises: () => projector }, checked.incident, 0, clock.now());
      return retryPreviewLines(p, deps.formatTime);
    },
    async rerunPreview(causeId) {
      const p = await previewRerun({ ...deps, store, promises: () => projector }, causeId, clock.now());
      return p.ok ? rerunPreviewLines(p.preview, deps.formatTime) : undefined;
    },
    seesPromises: (project) => {
      projector = project;
    },
    requestRerun: rerun,
    requestStart,
    needsTwoPeople: (action: "retry" | "rerun" | "reload" | "chain") => approval.needsTwo(action === "rerun" ? "rerunCancelled" : action),
    offersRerun: (e: DomainEvent) => links.has("rerun") && cfg.offer && rerunOffered(e),
    rerun: async (req) => rerunAnswer(await rerun(req)),
    ...left,
    actionsOf: (id) => store.ofIncident(id),
    confirm: (id, who) => approval.confirmAction(id, who),
    lookNow: () => deps.worker.pass(),
    actionsOfCause: (id) => store.ofCause(id),
    async cancel(id, by) {
      const done = await store.cancel(id, clock.now(), by);
      if (done) deps.audit.record({ actor: { kind: "remediation", name: by }, action: "remediation.cancel", target: String(id), result: "ok" });
      // Its outcome is told where its page went (action-updates.ts) at the worker's next look.
      if (done) await deps.worker.poke();
      return done;
    },
    offersRetry(e: DomainEvent) {
      if (!links.has("retry") || !cfg.offer || !isTaskEvent(e) || e.incident?.status !== "open") return false;
      return e.errorClass !== undefined && classes.has(e.errorClass);
    },
    retryChoices(): RetryChoice[] {
      return cfg.retryIn.map((ms) => ({ id: String(Math.round(ms / 1000)), label: inWords(ms), delayMs: ms }));
    },
    retry: async (req) => retryAnswer(await requestRetry(req), clock.now(), deps.formatTime),
    // A run's failure, or the recovery that closed its incident (its success alone is not what a route takes).
    endsAnAction: async (e) => isTaskEvent(e) && e.source !== "test" && RUN_ENDS.has(e.kind) && (await store.untoldRunOf(e.task.id)),
    async causeOfUntoldRun(e) {
      if (!isTaskEvent(e) || e.source === "test" || !RUN_ENDS.has(e.kind)) return undefined;
      const causeId = await store.untoldRunCause(e.task.id);
      return causeId > 0 ? causeId : undefined;
    },
    lines: (e, to) => messageLines({ store, causes: deps.causes, formatTime: deps.formatTime, probes: deps.probes }, e, to),
  };
}
