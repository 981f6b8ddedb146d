// What starting an incident's chain again or reloading its app through the Engine would do if approved now, said
// before anyone confirms (issue 105, dryRun): the runs in the order they would start (the task chosen, then the tasks
// its triggers start after it), on which node, what the first waits for there, and each freshness promise whose
// expected time it changes. The same refusals as the request. Nothing is recorded or started.
import type { StoredChains } from "../../tell/grouping/stored-chains";
import type { PendingRun } from "../../watch/freshness/chain-eta";
import { type EnginePort, type EngineRoom, hasFreeEngine, waitingNote } from "./engine-room";
import type { ChainTask, IncidentActionAnswer, MoreRequests } from "./more-requests";
import { enginesOf, promisesFed, type RerunPreview, type RerunPreviewDeps } from "./rerun-preview";

export interface MorePreviewDeps extends Pick<RerunPreviewDeps, "promises" | "formatTime"> {
  more: Pick<MoreRequests, "reloadable" | "chainStart" | "placeOf">;
  chains: Pick<StoredChains, "graph">;
  engines?: EnginePort;
}

type Refusal = Extract<IncidentActionAnswer, { ok: false }>;

export interface ChainPreview {
  dryRun: true;
  incident: { id: number; title: string };
  /** The node the first task last ran on (the worker waits for a free engine there); absent when not known. */
  node?: string;
  engines?: { busy: number; max: number; waiting: number; free: boolean };
  /** When the first would start, in words: "now: …", or what it waits for. */
  startsWhen: string;
  /** The chosen task first, then each task its triggers start after it; `after`: the tasks it waits for. */
  runs: Array<{ order: number; taskId: string; taskName: string; after?: string }>;
  promises: RerunPreview["promises"];
}

export interface ReloadPreview {
  dryRun: true;
  incident: { id: number; title: string };
  task: { id: string; name: string };
  app: { id: string; name: string };
  reload: "partial" | "full";
  startsWhen: string;
  promises: RerunPreview["promises"];
}

const enginesView = (room: EngineRoom) => ({ busy: room.busy, max: room.max, waiting: room.waiting, free: hasFreeEngine(room) });
const names = (xs: readonly string[]) => (xs.length <= 1 ? (xs[0] ?? "") : `${xs.slice(0, -1).join(", ")} and ${xs.at(-1)}`);

/** The tasks a start from `start` runs, nearest first: it, then its downstream in the chain, each with what it waits for. */
function chainRuns(chains: MorePreviewDeps["chains"], chain: readonly ChainTask[], start: ChainTask) {
  const graph = chains.graph();
  const inChain = new Set(chain.map((t) => t.id));
  const down = (graph?.downstreamOf(start.id) ?? []).filter((d) => inChain.has(d.id));
  const set = new Set([start.id, ...down.map((d) => d.id)]);
  const ups = (id: string) => (graph?.upstreamOf(id) ?? []).filter((u) => set.has(u));
  const tasks = [{ id: start.id, name: start.name }, ...down.map((d) => ({ id: d.id, name: d.name }))];
  const depth = (id: string) => ups(id).length;
  return tasks
    .map((t, k) => ({ ...t, k, waits: ups(t.id) }))
    .sort((a, b) => depth(a.id) - depth(b.id) || a.k - b.k)
    .map((t) => {
      // Named: the tasks it waits for directly (not those that only wait for each other before it).
      const direct = t.waits.filter((u) => !t.waits.some((v) => v !== u && ups(v).includes(u)));
      return { ...t, direct: direct.map((u) => graph?.task(u)?.name ?? u) };
    });
}

export async function previewChain(
  deps: MorePreviewDeps,
  incidentId: number,
  taskId: string,
  now: number,
): Promise<Refusal | { ok: true; preview: ChainPreview }> {
  const checked = await deps.more.chainStart(incidentId, taskId);
  if ("ok" in checked) return checked;
  const { incident, chain, start } = checked;
  const place = await deps.more.placeOf(start.id).catch(() => ({}) as { node?: string; note?: string });
  const room = place.node && deps.engines ? await deps.engines.roomOn(place.node, now).catch(() => undefined) : undefined;
  const startsWhen =
    place.note ?? (room ? (hasFreeEngine(room) ? `now: ${room.busy} of ${room.max} engines busy on ${room.node}, none waiting` : waitingNote(room)) : "now");
  const runs = chainRuns(deps.chains, chain, start);
  const engines = enginesOf(room);
  const pending: PendingRun[] = runs.map((r, i) =>
    i === 0 ? { taskId: r.id, dueMs: now, ...(engines ? { engines } : {}) } : { taskId: r.id, dueMs: now, afterTaskIds: r.waits },
  );
  return {
    ok: true,
    preview: {
      dryRun: true,
      incident: { id: incident.id, title: incident.title },
      ...(place.node ? { node: place.node } : {}),
      ...(room ? { engines: enginesView(room) } : {}),
      startsWhen,
      runs: runs.map((r, i) => ({ order: i + 1, taskId: r.id, taskName: r.name, ...(r.direct.length > 0 ? { after: names(r.direct) } : {}) })),
      promises: await promisesFed(deps, pending),
    },
  };
}

export async function previewReload(deps: MorePreviewDeps, incidentId: number, now: number): Promise<Refusal | { ok: true; preview: ReloadPreview }> {
  const checked = await deps.more.reloadable(incidentId);
  if ("ok" in checked) return checked;
  const { incident, reload } = checked;
  // An Engine reload starts no task: the Scheduler's triggers do not follow it, so only the app's own promises change.
  const promises = (await promisesFed(deps, [{ taskId: incident.taskId, dueMs: now }])).filter((p) => p.appId.toLowerCase() === reload.appId.toLowerCase());
  const partial = reload.request.partialReload === true;
  return {
    ok: true,
    preview: {
      dryRun: true,
      incident: { id: incident.id, title: incident.title },
      task: { id: incident.taskId, name: incident.title },
      app: { id: reload.appId, name: reload.appName },
      reload: partial ? "partial" : "full",
      startsWhen: `reloaded now through the Engine (${partial ? "a partial reload, as the task is set to run" : "a full reload, as the task runs"}), without waiting for the Scheduler's queue; the task's own status in the QMC does not change`,
      promises,
    },
  };
}
