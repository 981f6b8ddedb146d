// Two actions a person asks for on an open incident of a reload task, besides the retry: reload the task's app through
// the Engine (partial or full, as the task would), and start the incident's chain again from one of its tasks (the
// chain the watchdog read from QRS's task-event triggers; the Scheduler's triggers run the rest). Each is checked here,
// at the request (a 4xx naming the field when it cannot be done), recorded as an action and audited as the person.
import type { AuditLog } from "../../platform/audit/audit-log";
import type { Clock } from "../../platform/core/clock";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { eq } from "../../platform/qlik/qrs-filter";
import type { IncidentService } from "../../tell/incidents";
import type { StoredChains } from "../../tell/grouping/stored-chains";
import type { ActionStore, RemediationAction } from "./action-store";
import type { Approval } from "./approval";
import { reloadOf } from "./engine-reload";
import { recordAsk } from "./record-ask";
import { type QueuePort, queueFor } from "./queue-port";

export interface IncidentActionRequest {
  incidentId: number;
  by: string;
  from: "link" | "rest";
  ip?: string;
  /** A verified identity (approval.ts Asker): a key, a client certificate, the mail address the link was made for. */
  verified: boolean;
}

export type IncidentActionAnswer =
  | {
      ok: true;
      added: boolean;
      action: RemediationAction;
      /** Recorded, waiting for a second person (the two-person rule). */
      awaiting?: boolean;
      /** This ask confirmed another person's (the two-person rule). */
      confirmed?: { firstBy: string; already: boolean };
    }
  | { ok: false; status: 404 | 409 | 400 | 403; code: "NOT_FOUND" | "CONFLICT" | "INVALID_INPUT" | "FORBIDDEN"; field: string; message: string };

/** A task of an incident's chain, as the link's page and the dashboard offer it. */
export interface ChainTask {
  id: string;
  name: string;
  /** How many tasks of the chain run before it (0: a head). */
  depth: number;
}

export interface MoreRequestDeps {
  store: ActionStore;
  clock: Clock;
  audit: AuditLog;
  incidents: Pick<IncidentService, "get">;
  qrs: Pick<QrsClient, "listTasksFull">;
  chains: Pick<StoredChains, "refresh" | "graph">;
  /** Whether this Steward reloads apps through the Engine (qlik: configured with its Engine). */
  canReload: boolean;
  /** The nodes whose Scheduler queue is backed up (the watchdog's queue look); absent without the watchdog. */
  queues?: QueuePort;
  /** remediation.offer: false, no action is offered and each request is refused. */
  offer: boolean;
  /** The two-person rule (remediation.approval.reload, .chain). */
  approval: Pick<Approval, "needsTwo" | "press">;
  poke(): Promise<void>;
}

/** Why every action is refused while remediation.offer is false: the same words on REST, the links' pages and MCP. */
export const NOT_OFFERED = "remediation is not offered on this site (remediation.offer is false): no action is taken, from a link, REST, the dashboard or MCP";

const refuse = (status: 404 | 409 | 400 | 403, field: string, message: string): Extract<IncidentActionAnswer, { ok: false }> => ({
  ok: false,
  status,
  code: status === 404 ? "NOT_FOUND" : status === 400 ? "INVALID_INPUT" : status === 403 ? "FORBIDDEN" : "CONFLICT",
  field,
  message,
});

/** The open task incident a request names, or why it cannot be acted on (`asked`: a request, refused when not offered). */
async function openTaskIncident(deps: Pick<MoreRequestDeps, "offer" | "incidents">, id: number, asked = true) {
  if (asked && !deps.offer) return refuse(409, "id", NOT_OFFERED);
  const incident = await deps.incidents.get(id);
  if (!incident) return refuse(404, "id", `no incident ${id}`);
  if (incident.status !== "open") return refuse(409, "id", `incident ${id} has recovered: there is nothing to do`);
  if (!incident.taskId) return refuse(409, "id", `incident ${id} is not a task's: there is no task to act on`);
  return { ...incident, taskId: incident.taskId };
}

/**
 * The node a chain's start runs on, as far as Steward can tell: the one the task last ran on (QRS's
 * executingNodeName), where the worker waits for a free engine (readiness.ts). When that node's queue is backed up
 * now, the note says so; a task that never ran may be sent to any node, so any backed-up queue holds it.
 */
async function placeOf(deps: Pick<MoreRequestDeps, "qrs" | "queues">, taskId: string): Promise<{ node?: string; note?: string }> {
  const [task] = await deps.qrs.listTasksFull(eq("id", taskId));
  const last = task?.operational?.lastExecutionResult?.executingNodeName ?? undefined;
  const queues = deps.queues ? await deps.queues.backedUp() : [];
  const q = queues.length > 0 ? queueFor(queues, last) : undefined;
  if (!q) return last ? { node: last } : {};
  const since = new Date(q.sinceMs).toISOString();
  return { node: q.node, note: `waiting for the Scheduler queue of ${q.node} to drain (backed up since ${since}) before starting the task` };
}

export function createMoreRequests(deps: MoreRequestDeps) {
  const { store, clock } = deps;

  async function record(
    r: IncidentActionRequest,
    kind: "reload" | "chain",
    incidentId: number,
    taskId: string,
    taskName: string,
    details = {},
    place: { node?: string; note?: string } = {},
  ) {
    // The two-person rule: the first verified person's ask waits; a second, different one confirms it (approval.ts).
    // A chain's start names its task in the key: a second person starting from another task asks for something else.
    const key = `${kind}:incident:${incidentId}${kind === "chain" ? `:${taskId.toLowerCase()}` : ""}`;
    const two = deps.approval.needsTwo(kind);
    if (two) {
      const p = await deps.approval.press(kind, key, r);
      if (p.step === "refused") return refuse(403, "approval", p.message);
      if (p.step === "confirmed" && p.actions[0])
        return { ok: true as const, added: false, action: p.actions[0], confirmed: { firstBy: p.firstBy, already: p.already === true } };
    }
    const recorded = await recordAsk(
      deps,
      r,
      { kind, incidentId, taskId, taskName, ...(two ? { awaiting: key } : {}), ...(place.node ? { node: place.node } : {}) },
      (added) => ({
        ...details,
        ...(place.note && added ? { waitsForQueueOf: place.node } : {}),
      }),
    );
    const { added } = recorded;
    let { action } = recorded;
    // The incident's actions show it waiting, and for what, until the worker starts it once the queue has drained.
    if (place.note && added) action = (await store.noteWaiting(action.id, place.note)) ?? action;
    // One waiting for a second person is looked at too: it expires at a look, and its expiry is told (action-updates.ts).
    if (added) await deps.poke();
    if (two) return { ok: true as const, added, action, ...(added ? { awaiting: true } : {}) };
    return { ok: true as const, added, action };
  }

  /** The tasks of the incident's chain: its task, the tasks it waits for, and every task that runs after any of them. */
  async function chainOf(taskId: string): Promise<ChainTask[]> {
    await deps.chains.refresh(clock.now());
    const graph = deps.chains.graph();
    const id = taskId.toLowerCase();
    if (!graph?.task(id)) return [];
    const roots = [id, ...graph.upstreamOf(id)];
    const ids = new Set<string>(roots);
    for (const r of roots) for (const d of graph.downstreamOf(r)) ids.add(d.id);
    if (ids.size < 2) return [];
    return [...ids]
      .map((t) => ({ id: t, name: graph.task(t)?.name ?? t, depth: graph.upstreamOf(t).filter((u) => ids.has(u)).length }))
      .sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name));
  }

  return {
    chainOf,
    /** The chain of an open incident's task (empty: not in a chain Steward knows, or the incident is not open). */
    async chainOfIncident(incidentId: number): Promise<ChainTask[]> {
      // A read: a chain link's page lists the tasks, and its confirmation is refused with the reason when not offered.
      const incident = await openTaskIncident(deps, incidentId, false);
      return "ok" in incident ? [] : chainOf(incident.taskId);
    },

    reloadable,
    chainStart,
    placeOf: (taskId: string) => placeOf(deps, taskId),

    async requestReload(r: IncidentActionRequest): Promise<IncidentActionAnswer> {
      const checked = await reloadable(r.incidentId);
      if ("ok" in checked) return checked;
      const { incident, reload } = checked;
      return record(r, "reload", incident.id, incident.taskId, incident.title, { appId: reload.appId, partialReload: reload.request.partialReload });
    },

    async requestChain(r: IncidentActionRequest & { taskId: string }): Promise<IncidentActionAnswer> {
      const checked = await chainStart(r.incidentId, r.taskId);
      if ("ok" in checked) return checked;
      const { incident, start } = checked;
      // A node's backed-up queue or busy engines would only hold the start (and Qlik cancel it past the queue's timeout):
      // it waits until its node has a free engine (the worker looks again), as a re-run of the queue's cancelled runs does.
      return record(r, "chain", incident.id, start.id, start.name, { chainOf: incident.taskId }, await placeOf(deps, start.id));
    },
  };

  /** The open incident whose app can be reloaded through the Engine, and how; or why not (a request's and a dry run's refusal). */
  async function reloadable(incidentId: number) {
    const incident = await openTaskIncident(deps, incidentId);
    if ("ok" in incident) return incident;
    if (!deps.canReload) return refuse(409, "id", "this Steward cannot reload apps through the Engine: its qlik: connection has no Engine");
    const [task] = await deps.qrs.listTasksFull(eq("id", incident.taskId));
    if (!task) return refuse(409, "id", `QRS no longer has the task of incident ${incidentId}`);
    const reload = reloadOf(task);
    if (!reload) return refuse(409, "id", `${task.name} is not a reload task: there is no app to reload through the Engine`);
    return { incident, reload };
  }

  /** The chain task a start from `taskId` names, with the incident's chain; or why it cannot be started. */
  async function chainStart(incidentId: number, taskId: string) {
    const incident = await openTaskIncident(deps, incidentId);
    if ("ok" in incident) return incident;
    const chain = await chainOf(incident.taskId);
    if (chain.length === 0) return refuse(409, "id", `the task of incident ${incidentId} is in no chain Steward knows (QRS task-event triggers)`);
    const start = chain.find((t) => t.id === taskId.toLowerCase());
    if (!start)
      return refuse(
        400,
        "taskId",
        `task ${taskId} is not in the chain of incident ${incidentId}: pick one of ${chain.map((t) => `${t.name} (${t.id})`).join(", ")}`,
      );
    return { incident, chain, start };
  }
}

export type MoreRequests = ReturnType<typeof createMoreRequests>;
