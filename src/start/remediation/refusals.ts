// Refusals at asking (issue 101): a person's ask that is refused before anything is recorded (the two-person rule
// refusing the same person, the incident recovered, the failure's class not offered, a reload or a chain that cannot
// be done, a re-run refused while a run is left or with nothing left to re-run) is recorded on the incident as an action ended without a run, outcome
// "refused when asked" and the reason as its answer. So the path that tells the worker's refusals tells it too, once,
// where the page went (action-updates.ts), naming who asked; the incident's actions and the morning report list it.
// Not told: a double press (the same person asking for the same thing on the incident within a minute, or the
// two-person rule refusing whoever asks within a minute of the ask it waits on), an ask of no verified person (a typed
// name, a keyless call), an ask while remediation.offer is false, and a malformed or unknown request (4xx other than
// 403 and 409): nobody on call waits for those.
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { IncidentService } from "../../tell/incidents";
import type { ActionKind, ActionStore } from "./action-store";
import { type MoreRequests, NOT_OFFERED } from "./more-requests";

export const REFUSED = "refused when asked";
/** A second press of the same person on the same incident's action within this is a double click, not news. */
export const DOUBLE_PRESS_MS = 60_000;

export interface RefusedAsk {
  incidentId: number;
  kind: ActionKind;
  by: string;
  from: string;
  ip?: string;
  status: number;
  reason: string;
}

export interface RefusalDeps {
  store: Pick<ActionStore, "addRefused">;
  incidents: Pick<IncidentService, "get">;
  clock: Clock;
  log: Logger;
  /** The worker's look: it tells the refusal once its settle has passed. */
  poke(): Promise<void>;
}

/** Tells a refused answer to a person's ask of `kind` on the incident (`a`: the answer's status and message). */
export type TellRefusal = (
  r: { incidentId: number; by: string; from: string; ip?: string; verified: boolean },
  kind: ActionKind,
  a: { status: number; message: string },
) => Promise<void>;

export function createRefusals(deps: RefusalDeps): TellRefusal {
  const tell = recordRefusal(deps);
  // Only a verified person is named to the others on call: a name typed on a channel's link, or a call without a key,
  // could be anyone's. A site that turned the offers off (remediation.offer) refuses every ask: none is news.
  return async (r, kind, a) => {
    if (!r.verified || a.message === NOT_OFFERED) return;
    await tell({ incidentId: r.incidentId, kind, by: r.by, from: r.from, ...(r.ip ? { ip: r.ip } : {}), status: a.status, reason: a.message });
  };
}

type Refused = { ok: false; status: number; message: string };

/**
 * `ask`, its refusals told on the incident `incidentOf` names for the request (undefined: not told, as a rule's ask:
 * nobody waits for it).
 */
export function toldOnRefusal<R extends { by: string; from: string; ip?: string; verified: boolean }, A extends { ok: true } | Refused>(
  ask: (r: R) => Promise<A>,
  kind: ActionKind,
  tell: TellRefusal,
  incidentOf: (r: R) => Promise<number | undefined>,
): (r: R) => Promise<A> {
  return async (r) => {
    const a = await ask(r);
    if (a.ok) return a;
    const incidentId = await incidentOf(r).catch(() => undefined);
    if (incidentId !== undefined) await tell({ ...r, incidentId }, kind, a as Refused);
    return a;
  };
}

/** The reload and chain requests, each refusal told (whichever path asked: a link, REST, the dashboard, MCP). */
export function refusalsTold<M extends Pick<MoreRequests, "requestReload" | "requestChain">>(more: M, tell: TellRefusal): M {
  return {
    ...more,
    async requestReload(r) {
      const a = await more.requestReload(r);
      if (!a.ok) await tell(r, "reload", a);
      return a;
    },
    async requestChain(r) {
      const a = await more.requestChain(r);
      if (!a.ok) await tell(r, "chain", a);
      return a;
    },
  };
}

function recordRefusal(deps: RefusalDeps) {
  const log = deps.log.child({ module: "remediation" });
  return async function tellRefusal(ask: RefusedAsk): Promise<void> {
    if (ask.status !== 403 && ask.status !== 409) return;
    try {
      const incident = await deps.incidents.get(ask.incidentId);
      if (!incident?.taskId) return;
      const now = deps.clock.now();
      const recorded = await deps.store.addRefused(
        {
          incidentId: incident.id,
          taskId: incident.taskId,
          taskName: incident.title,
          kind: ask.kind,
          requestedBy: ask.by,
          requestedFrom: ask.from,
          ...(ask.ip ? { requestedIp: ask.ip } : {}),
          requestedAt: now,
          dueAt: now,
        },
        REFUSED,
        ask.reason,
        now - DOUBLE_PRESS_MS,
        ask.status === 403,
      );
      if (recorded) await deps.poke();
    } catch (err) {
      // The ask was answered already; only its telling is lost.
      log.warn({ incidentId: ask.incidentId, err: describeError(err) }, "could not record a refused ask to tell it where the page went");
    }
  };
}
