// When a due action may start. A re-run waits for the one before it in chain order to end. A re-run of the queue's
// cancelled runs and a chain's start wait until the node they run on has a free engine and nothing waiting there
// (engine-room.ts), their row saying what they wait for; where that node's Scheduler limit is unknown, until its queue
// drained (the queue's cause closed, no backlog open), as before the limit was read. The wait for an engine is bounded
// (remediation.engineWait) from the first look that found the queue empty and every engine busy: a wait in Qlik's queue
// ends by itself (its queue timeout), an admin's long reloads may hold the engines for hours. A retry starts at its
// time: it was asked for one.
import type { Logger } from "pino";
import { describeError } from "../../platform/core/errors";
import type { IncidentService } from "../../tell/incidents";
import type { ActionStore, RemediationAction } from "./action-store";
import { type EnginePort, type EngineRoom, hasFreeEngine, waitingNote } from "./engine-room";
import { type QueuePort, waitsForQueue } from "./queue-port";

export interface ReadinessDeps {
  store: Pick<ActionStore, "finished" | "noteWaiting" | "waitingSince">;
  incidents: Pick<IncidentService, "causeStatus">;
  queues?: QueuePort;
  engines?: EnginePort;
  log: Logger;
  /** How long an action waits for a free engine once the node's queue is empty (undefined: for ever). */
  engineWaitMs?: number;
}

/**
 * `room`: the node's engines when they were looked at (the start's answer names them). `waitedOut`: not ready, and it
 * has waited for a free engine since `since`, past the limit: the action ends, not started.
 */
export type Readiness = { ready: false; waitedOut?: { room: EngineRoom; since: number } } | { ready: true; room?: EngineRoom };

const NOT_YET: Readiness = { ready: false };

export async function readiness(deps: ReadinessDeps, a: RemediationAction, now: number): Promise<Readiness> {
  if (a.afterId !== 0 && !(await deps.store.finished(a.afterId))) return NOT_YET;
  const room = await roomFor(deps, a, now);
  if (room === "unreadable") return NOT_YET;
  if (room) {
    if (hasFreeEngine(room)) return { ready: true, room };
    const note = waitingNote(room);
    if (note !== a.qlikAnswer) await deps.store.noteWaiting(a.id, note);
    if (room.waiting > 0 || deps.engineWaitMs === undefined) return NOT_YET;
    const since = a.waitingSince ?? (await deps.store.waitingSince(a.id, now));
    return now - since >= deps.engineWaitMs ? { ready: false, waitedOut: { room, since } } : NOT_YET;
  }
  if (a.causeId > 0 && (await deps.incidents.causeStatus(a.causeId)) === "open") return NOT_YET;
  if (await waitsForQueue(deps.queues, a)) return NOT_YET;
  return { ready: true };
}

/** The engines of the node a re-run or a chain's start runs on; undefined when not known (no node, no limit). */
async function roomFor(deps: ReadinessDeps, a: RemediationAction, now: number): Promise<EngineRoom | undefined | "unreadable"> {
  // One taken over (its claimer stopped) was found ready when it was claimed: it may have started its run already.
  if ((a.kind !== "rerun" && a.kind !== "chain") || a.status !== "pending" || !a.node || !deps.engines) return undefined;
  try {
    return await deps.engines.roomOn(a.node, now);
  } catch (err) {
    // QRS did not answer: nothing can be started through it now either; the next pass looks again.
    deps.log.warn({ actionId: a.id, node: a.node, err: describeError(err) }, "could not read the node's runs from QRS; the action waits for the next look");
    return "unreadable";
  }
}
