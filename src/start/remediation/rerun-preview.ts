// What a re-run of a queue cause's cancelled runs would do if approved now, said before anyone confirms (issue 105):
// the runs in the order they would start, on which node, what they wait for there (the queue, a free engine, as the
// worker's readiness reads it), and for each freshness promise whose chain they feed when its app is now expected to
// be fresh with them and without them. Nothing is recorded or started.
import type { IncidentService } from "../../tell/incidents";
import type { PendingRun } from "../../watch/freshness/chain-eta";
import type { NodeEngines } from "../../watch/freshness/engine-free";
import type { FreshnessProjection } from "../../watch/freshness/projection";
import { type EnginePort, type EngineRoom, hasFreeEngine, waitingNote } from "./engine-room";
import { cancelledRuns, inChainOrder, nothingLeft, type RerunDeps } from "./rerun";

/** The freshness promises' projections with extra runs due (src/watch/freshness, through the composition root). */
export type PromiseProjector = (extra: readonly PendingRun[]) => Promise<readonly FreshnessProjection[]>;

export interface RerunPreviewDeps extends Pick<RerunDeps, "causes" | "chains" | "store"> {
  incidents: Pick<IncidentService, "openIncident" | "causeStatus" | "list">;
  engines?: EnginePort;
  promises?: () => PromiseProjector | undefined;
  formatTime(ms: number): string;
}

export interface RerunPreview {
  dryRun: true;
  cause: { id: number; title: string };
  node: string;
  /** In the order they would start; each after the one before it ended. */
  runs: Array<{ order: number; taskId: string; taskName: string; incidentId: number; after?: string }>;
  /** The node's engines now; absent when its Scheduler limit is unknown (the re-run then waits for the queue to drain). */
  engines?: { busy: number; max: number; waiting: number; free: boolean };
  /** When the first would start, in words: "now: 1 of 2 engines busy, none waiting", or what it waits for. */
  startsWhen: string;
  /** Each promised app whose projection the re-run changes: its expected fresh time, or what still holds it up. */
  promises: Array<{
    promise: string;
    appId: string;
    deadline: string;
    expectedIfApproved?: string;
    expectedWithout?: string;
    /** Why no fresh time can be told even with the re-run (absent when one can). */
    heldUpBy?: string;
    text: string;
  }>;
}

export type RerunPreviewAnswer = { ok: true; preview: RerunPreview } | { ok: false; status: 404 | 409; message: string };

export async function previewRerun(deps: RerunPreviewDeps, causeId: number, now: number): Promise<RerunPreviewAnswer> {
  const cause = await deps.causes.get(causeId);
  if (!cause) return { ok: false, status: 404, message: `no cause ${causeId}` };
  if (!cause.causeKey.startsWith("queue:"))
    return { ok: false, status: 409, message: `cause ${causeId} (${cause.title}) is not a node's reload queue: only runs the queue cancelled are re-run` };
  const cancelled = await cancelledRuns(deps, causeId);
  if (cancelled.length === 0) return { ok: false, status: 409, message: await nothingLeft(deps, cause) };
  const ordered = await inChainOrder(deps, cancelled, now);
  const node = cause.causeKey.slice("queue:".length);
  const room = node && deps.engines ? await deps.engines.roomOn(node, now).catch(() => undefined) : undefined;
  const open = (await deps.incidents.causeStatus(causeId)) === "open";
  const startsWhen = room
    ? hasFreeEngine(room)
      ? `now: ${room.busy} of ${room.max} engines busy on ${room.node}, none waiting`
      : waitingNote(room)
    : open
      ? `once the Scheduler queue of ${node} has drained (its cause is open; the node's engine limit is not known)`
      : "now";
  return {
    ok: true,
    preview: {
      dryRun: true,
      cause: { id: cause.id, title: cause.title },
      node,
      runs: ordered.map((c, i) => ({
        order: i + 1,
        taskId: c.taskId,
        taskName: c.taskName,
        incidentId: c.incidentId,
        ...(i > 0 ? { after: ordered[i - 1]!.taskName } : {}),
      })),
      ...(room ? { engines: { busy: room.busy, max: room.max, waiting: room.waiting, free: hasFreeEngine(room) } } : {}),
      startsWhen,
      promises: await promisesFed(deps, rerunRuns(ordered, now, room)),
    },
  };
}

/** Why no fresh time is told when the projection names nothing missed: a start or a duration it needs is not known. */
export const UNKNOWN_DURATION =
  "a run it waits for has no usual duration learned yet (the watchdog learns it from five successful runs), or the node's engines are not known";

/** A node's engines as the projection counts them: when one frees for a run started now (absent: not known). */
export const enginesOf = (room: EngineRoom | undefined): NodeEngines | undefined =>
  room?.runs ? { max: room.max, running: room.runs.running, queued: room.runs.queued } : undefined;

/**
 * The re-run's runs as the projection counts them: the first once the node has an engine free (at once when its
 * engines are not known: the worker then waits for the queue to drain, and the fresh time is no better than a guess
 * there), each next one once the one before it ended.
 */
function rerunRuns(ordered: ReadonlyArray<{ taskId: string }>, now: number, room: EngineRoom | undefined): PendingRun[] {
  const engines = enginesOf(room);
  return ordered.map((c, i) =>
    i === 0 ? { taskId: c.taskId, dueMs: now, ...(engines ? { engines } : {}) } : { taskId: c.taskId, dueMs: now, afterTaskIds: [ordered[i - 1]!.taskId] },
  );
}

/**
 * The promised apps whose projection the runs change (its expected fresh time, or what holds it up): projected with
 * the runs due and without them. A retry's preview asks it too (retry-preview.ts).
 */
export async function promisesFed(deps: Pick<RerunPreviewDeps, "promises" | "formatTime">, runs: readonly PendingRun[]): Promise<RerunPreview["promises"]> {
  const project = deps.promises?.();
  if (!project) return [];
  const [without, withRuns] = await Promise.all([project([]), project(runs)]);
  const before = new Map(without.map((p) => [`${p.promise}\u0000${p.appId}`, p]));
  const out: RerunPreview["promises"] = [];
  for (const p of withRuns) {
    const b = before.get(`${p.promise}\u0000${p.appId}`);
    if (b?.expectedMs === p.expectedMs && b?.missed === p.missed) continue;
    // "About": a projection from usual durations is no closer than its minute, so it is said to the nearest one.
    const about = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms / 60_000) * 60_000);
    const [withMs, withoutMs] = [about(p.expectedMs), about(b?.expectedMs)];
    const heldUpBy = withMs === undefined ? (p.missed ?? UNKNOWN_DURATION) : undefined;
    const text =
      withMs !== undefined
        ? `${p.promise} fresh at about ${deps.formatTime(withMs)} if approved now${withoutMs !== undefined ? ` (${deps.formatTime(withoutMs)} without)` : " (not expected without it)"}`
        : `${p.promise}: when it would be fresh if approved now is not known yet (${heldUpBy})`;
    out.push({
      promise: p.promise,
      appId: p.appId,
      deadline: new Date(p.deadlineMs).toISOString(),
      ...(withMs !== undefined ? { expectedIfApproved: new Date(withMs).toISOString() } : {}),
      ...(withoutMs !== undefined ? { expectedWithout: new Date(withoutMs).toISOString() } : {}),
      ...(heldUpBy ? { heldUpBy } : {}),
      text,
    });
  }
  return out;
}
