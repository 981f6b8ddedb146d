// "Re-run the runs the queue cancelled": for a node's queue cause (tell/grouping's `queue:<node>`), one action per task
// whose run Qlik cancelled while it waited (its open incident's class is `queue`), in chain order (a task after the
// cancelled tasks it waits for, then by when it was cancelled), each waiting for the queue to drain (the cause to
// close) and for the one before it to end. The task's last run is noted now: a task that ran since (its trigger, or its
// chain after an upstream's re-run) is not started again.
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { QrsTask as QrsTaskFull } from "../../platform/qlik/qrs-schemas";
import { eq, or } from "../../platform/qlik/qrs-filter";
import type { ChainGraph } from "../../tell/grouping/chain-graph";
import type { CauseStore } from "../../tell/grouping/cause-store";
import type { StoredChains } from "../../tell/grouping/stored-chains";
import { CANCELLED_IN_QUEUE } from "../../tell/grouping/queue-backlog";
import { type IncidentService, taskSubject } from "../../tell/incidents";
import type { ActionStore, RemediationAction } from "./action-store";

export interface RerunDeps {
  store: ActionStore;
  causes: Pick<CauseStore, "get" | "symptoms">;
  chains: Pick<StoredChains, "refresh" | "graph">;
  incidents: Pick<IncidentService, "openIncident" | "list">;
  qrs: Pick<QrsClient, "listTasksFull">;
  /** Times as messages write them ("02:41 CET"): when a run ran again, in "nothing left to re-run". */
  formatTime?(ms: number): string;
}

/** One cancelled run a re-run is asked for: its task as QRS shows it now, and its incident. */
export interface CancelledRun {
  taskId: string;
  taskName: string;
  incidentId: number;
  task: QrsTaskFull | undefined;
}

export interface RerunRequest {
  causeId: number;
  by: string;
  from: "link" | "rest" | "rule";
  ip?: string;
  /** A verified identity (approval.ts Asker); a rule is its own approval and says true. */
  verified: boolean;
  now: number;
  /**
   * An automatic re-run (a [queue] rule): for each cancelled run in chain order, who re-runs it (the rule's name) or
   * why it is not re-run (no rule matches, the budget, a window, a disabled task, re-run once already). Absent: all are.
   */
  decide?: (c: CancelledRun) => Promise<{ by: string } | { withheld: string }>;
  /** Under the two-person rule: the approval key; the actions wait for a second person. */
  awaiting?: string;
  /**
   * A join (rerun-join.ts): the tasks the pending re-run holds already (lower-case ids) are left out, and the first
   * new action waits for `afterId`, the pending re-run's last, so the runs cancelled later start after those asked for.
   */
  join?: { have: ReadonlySet<string>; afterId: number };
}

export type RerunAnswer =
  | {
      ok: true;
      cause: { id: number; title: string };
      actions: RemediationAction[];
      joined: RemediationAction[];
      /** Runs `decide` left alone, with why. */
      withheld: Array<{ taskId: string; taskName: string; incidentId: number; reason: string }>;
      /** Recorded, waiting for a second person (the two-person rule). */
      awaiting?: boolean;
      /** This ask confirmed another person's (the two-person rule). */
      confirmed?: { firstBy: string; already?: boolean };
    }
  | { ok: false; status: 404 | 409 | 403; message: string; nothingLeft?: boolean };

const ID_BATCH = 20;

export async function requestRerun(deps: RerunDeps, r: RerunRequest): Promise<RerunAnswer> {
  const cause = await deps.causes.get(r.causeId);
  if (!cause) return { ok: false, status: 404, message: `no cause ${r.causeId}` };
  if (!cause.causeKey.startsWith("queue:"))
    return { ok: false, status: 409, message: `cause ${r.causeId} (${cause.title}) is not a node's reload queue: only runs the queue cancelled are re-run` };
  const all = await cancelledRuns(deps, r.causeId);
  const cancelled = r.join ? all.filter((c) => !r.join!.have.has(c.taskId.toLowerCase())) : all;
  if (all.length === 0) return { ok: false, status: 409, message: await nothingLeft(deps, cause), nothingLeft: true };
  if (cancelled.length === 0) return { ok: true, cause: { id: cause.id, title: cause.title }, actions: [], joined: [], withheld: [] };
  const ordered = await inChainOrder(deps, cancelled, r.now);
  const tasks = await fullTasks(
    deps.qrs,
    ordered.map((c) => c.taskId),
  );
  const actions: RemediationAction[] = [];
  const joined: RemediationAction[] = [];
  const withheld: Array<{ taskId: string; taskName: string; incidentId: number; reason: string }> = [];
  const node = cause.causeKey.slice("queue:".length);
  let afterId = r.join?.afterId ?? 0;
  for (const c of ordered) {
    const task = tasks.get(c.taskId.toLowerCase());
    const decided = r.decide ? await r.decide({ taskId: c.taskId, taskName: c.taskName, incidentId: c.incidentId, task }) : { by: r.by };
    if ("withheld" in decided) {
      withheld.push({ taskId: c.taskId, taskName: c.taskName, incidentId: c.incidentId, reason: decided.withheld });
      continue;
    }
    const { added, action } = await deps.store.add({
      ...(r.awaiting ? { awaiting: r.awaiting } : {}),
      incidentId: c.incidentId,
      taskId: c.taskId,
      taskName: c.taskName,
      ...(node ? { node } : {}),
      kind: "rerun",
      causeId: r.causeId,
      afterId,
      seenExecution: task?.operational?.lastExecutionResult?.id ?? "none",
      requestedBy: decided.by,
      requestedFrom: r.from,
      ...(r.ip ? { requestedIp: r.ip } : {}),
      requestedAt: r.now,
      dueAt: r.now,
    });
    (added ? actions : joined).push(action);
    // A run asked for already (another Steward's request a moment before, a person's) keeps the chain order too.
    afterId = action.id;
  }
  return { ok: true, cause: { id: cause.id, title: cause.title }, actions, joined, withheld };
}

/** The cancelled runs in the order a re-run starts them: a task after the cancelled tasks its chains wait for, then by when it was cancelled. */
export async function inChainOrder<C extends { taskId: string; firstAt: number }>(deps: Pick<RerunDeps, "chains">, cancelled: readonly C[], now: number) {
  await deps.chains.refresh(now);
  return chainOrder(cancelled, deps.chains.graph());
}

/** The same order from a graph at hand (the config rehearsal's, read from the store): pure, so both order alike. */
export function chainOrder<C extends { taskId: string; firstAt: number }>(cancelled: readonly C[], graph: Pick<ChainGraph, "upstreamOf"> | undefined) {
  const ids = new Set(cancelled.map((c) => c.taskId));
  // How many of the cancelled tasks run before this one in its chains: 0 first.
  const depth = (taskId: string) => (graph ? graph.upstreamOf(taskId).filter((u) => ids.has(u.toLowerCase())).length : 0);
  return cancelled.map((c) => ({ ...c, depth: depth(c.taskId) })).sort((a, b) => a.depth - b.depth || a.firstAt - b.firstAt);
}

/**
 * The runs the cause's queue cancelled that have not run again: its failed tasks whose incident is still open with the
 * queue's class (a run since, by anyone, closed it or gave it another class). Open or closed, the cause holds them.
 */
export async function cancelledRuns(
  deps: Pick<RerunDeps, "causes"> & { incidents: Pick<IncidentService, "openIncident"> },
  causeId: number,
): Promise<Array<{ taskId: string; taskName: string; incidentId: number; firstAt: number }>> {
  const cancelled: Array<{ taskId: string; taskName: string; incidentId: number; firstAt: number }> = [];
  for (const s of await deps.causes.symptoms(causeId)) {
    if (!s.taskId || (s.kind !== CANCELLED_IN_QUEUE && s.kind !== "task.failed") || cancelled.some((c) => c.taskId === s.taskId)) continue;
    const incident = await deps.incidents.openIncident(taskSubject(s.taskId));
    if (incident?.errorClass === "queue") cancelled.push({ taskId: s.taskId, taskName: s.taskName ?? s.taskId, incidentId: incident.id, firstAt: s.firstAt });
  }
  return cancelled;
}

/**
 * Said when every run the queue cancelled has run again: which ran, how (a re-run's outcome, or its own run) and when
 * ("nothing left to re-run: …: Load sales ran again at 02:41 (its trigger or its chain)").
 */
export async function nothingLeft(
  deps: Pick<RerunDeps, "causes" | "store" | "formatTime"> & { incidents?: Pick<IncidentService, "list"> },
  cause: { id: number; title: string; openedAt?: number },
): Promise<string> {
  const node = cause.title.replace(/^reload queue backed up on /, "");
  const actions = await deps.store.ofCause(cause.id);
  const ran: Array<{ name: string; taskId: string }> = [];
  for (const s of await deps.causes.symptoms(cause.id))
    if (s.taskId && s.kind === CANCELLED_IN_QUEUE && !ran.some((r) => r.name === (s.taskName ?? s.taskId)))
      ran.push({ name: s.taskName ?? s.taskId, taskId: s.taskId });
  const at = (ms: number | null | undefined) => (ms && deps.formatTime ? ` at ${deps.formatTime(ms)}` : "");
  const how = await Promise.all(
    ran.map(async ({ name: n, taskId }) => {
      const a = actions.filter((x) => x.taskName === n).at(-1);
      if (!a) return `${n} ran again${at(await ranAgainAt(deps, taskId, cause.openedAt))} (its trigger or its chain)`;
      if (a.status === "skipped") return `${n} ran again on its own (its trigger or its chain), not started by the re-run`;
      return `${n}: re-run asked by ${a.requestedBy}, ${a.status}${a.outcome ? ` (${a.outcome})` : ""}${a.status === "ended" ? at(a.endedAt) : ""}`;
    }),
  );
  const list = how.length === 0 ? "" : `: ${how.join("; ")}`;
  return `nothing left to re-run: every run the queue of ${node} cancelled (cause #${cause.id}) has run again since, or no longer fails${list}`;
}

/** When the task's run the queue cancelled ran again: its incident's close (the newest since the cause opened). */
async function ranAgainAt(deps: { incidents?: Pick<IncidentService, "list"> }, taskId: string, since: number | undefined): Promise<number | undefined> {
  if (!deps.incidents) return undefined;
  const [newest] = await deps.incidents.list({ taskId, limit: 1, ...(since !== undefined ? { since } : {}) });
  return newest?.status === "closed" ? (newest.closedAt ?? undefined) : undefined;
}

/** Each task as QRS shows it now, by lower-case id (its last execution result: "none" before its first run). */
async function fullTasks(qrs: RerunDeps["qrs"], taskIds: string[]): Promise<Map<string, QrsTaskFull>> {
  const out = new Map<string, QrsTaskFull>();
  for (let i = 0; i < taskIds.length; i += ID_BATCH) {
    const batch = taskIds.slice(i, i + ID_BATCH);
    for (const t of await qrs.listTasksFull(or(...batch.map((id) => eq("id", id))))) out.set(t.id.toLowerCase(), t);
  }
  return out;
}
