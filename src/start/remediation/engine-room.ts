// Whether a node can run a reload now, read from QRS when Steward is about to start one there: fewer reloads executing
// on the node (execution results Started, AbortInitiated or Aborting, with an app) than its Scheduler's Max concurrent
// reloads (maxConcurrentEngines in /qrs/schedulerservice/full, as the watchdog's queue look reads it), and none waiting
// there (Queued, or Triggered and not started yet). Started into a full node a run only waits in Qlik's queue, and
// Qlik cancels it past the node's queue timeout. Asked by whichever Steward of a cluster is about to claim the action.
import type { Logger } from "pino";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { nodeOf } from "../../tell/grouping/node-down";
import { and, compare } from "../../platform/qlik/qrs-filter";
import { QrsRowsSchema } from "../../platform/qlik/qrs-schemas";
import { readExecutions, STATUS } from "../../watch/watchdog/observations";
import { createSchedulerSettings } from "../../watch/watchdog/scheduler-settings";

export interface EngineRoom {
  /** The node as the action names it. */
  node: string;
  /** Reloads executing there now. */
  busy: number;
  /** The node's Max concurrent reloads. */
  max: number;
  /** Runs waiting there for an engine (or about to start). */
  waiting: number;
  /** The reloads holding the engines (their task, since when) and the waiting runs' tasks, oldest first: a preview's "when". */
  runs?: { running: Array<{ taskId: string; sinceMs: number }>; queued: string[] };
}

export interface EnginePort {
  /** The node's engines now; undefined when its Scheduler limit is unknown (QRS refused or lacks the settings call). */
  roomOn(node: string, now: number): Promise<EngineRoom | undefined>;
}

/** The limits are read again at most this often while an action waits (an admin may raise them meanwhile). */
const SETTINGS_EVERY_MS = 5 * 60_000;

export const hasFreeEngine = (r: EngineRoom) => r.busy < r.max && r.waiting === 0;

/** What a pending action waits for, on its row until a Steward starts it. */
export function waitingNote(r: EngineRoom): string {
  const busy = `${r.busy} of ${r.max} busy`;
  if (r.waiting === 0) return `waiting for a free engine on ${r.node}: ${busy}`;
  const runs = r.waiting === 1 ? "1 run waiting" : `${r.waiting} runs waiting`;
  return `waiting for the Scheduler queue of ${r.node} to drain (${runs}) and for a free engine there: ${busy}`;
}

/** What the start's answer says of the wait, once the node had room. */
export const roomFound = (r: EngineRoom) => `, once ${r.node} had a free engine (${r.busy} of ${r.max} busy, none waiting)`;

const HOLDS_ENGINE = new Set<number>([STATUS.Started, STATUS.AbortInitiated, STATUS.Aborting]);
const WAITS = new Set<number>([STATUS.Triggered, STATUS.Queued]);

export function createEngineRooms(qrs: Pick<QrsClient, "getJson">, log: Logger): EnginePort {
  const settings = createSchedulerSettings(
    log,
    SETTINGS_EVERY_MS,
    "remediation: each node's Scheduler settings (GET /qrs/schedulerservice/full) could not be read; a re-run or a chain's start waits for its node's queue to drain, without knowing whether an engine is free",
  );
  return {
    async roomOn(node, now) {
      await settings.refresh(qrs, now);
      const max = settings.of(node).maxConcurrentEngines;
      if (max === undefined) return undefined;
      const self = nodeOf(node);
      const running: Array<{ taskId: string; sinceMs: number }> = [];
      const queued: Array<{ taskId: string; sinceMs: number }> = [];
      // Only the node's runs in progress (its host name starts with the short name): a site's night may have hundreds.
      const filter = and(compare("status", "ge", STATUS.Triggered), compare("status", "le", STATUS.Aborting), compare("executingNodeName", "sw", self));
      for (const e of readExecutions(await qrs.getJson("executionresult/full", QrsRowsSchema, { filter: filter.expression })).executions) {
        // A run no node has taken yet waits for a Scheduler, not for this node's engines.
        if (!e.node || nodeOf(e.node) !== self) continue;
        // Only reloads take an engine (the QMC's "Max concurrent reloads"): an external program's run has no app.
        if (HOLDS_ENGINE.has(e.status) && e.appId) running.push({ taskId: e.taskId, sinceMs: e.startMs ?? e.createdMs });
        else if (WAITS.has(e.status)) queued.push({ taskId: e.taskId, sinceMs: e.createdMs });
      }
      queued.sort((a, b) => a.sinceMs - b.sinceMs);
      return { node, busy: running.length, max, waiting: queued.length, runs: { running, queued: queued.map((q) => q.taskId) } };
    },
  };
}
