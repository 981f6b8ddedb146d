// The end of a wait for a free engine that ran past remediation.engineWait: the action ends not started (its outcome
// then told where the page went, as any outcome with no run), and a re-run's later actions with it, since they would
// wait on the same busy engines. A rule's re-run that gives up so is the rule giving up: audited as such, and its hold
// ends, so what it held (the watchdog's stale apps of the task) is judged again at the next look; no page of the rule
// says so, so it is told where the cause's page went as a person's re-run is (outcome-rows.ts).
import type { AuditLog } from "../../platform/audit/audit-log";
import type { ActionStore, RemediationAction } from "./action-store";
import type { EngineRoom } from "./engine-room";
import { GAVE_UP_WAITING } from "./engine-wait-rows";

export interface WaitedOutDeps {
  store: Pick<ActionStore, "waitedOut" | "waitedOutAfter">;
  audit: AuditLog;
  engineWaitMs: number;
}

type Record = (a: RemediationAction, result: "ok" | "failed", details: { [key: string]: unknown }) => void;

/** "60 minutes": the limit as the outcome names it. */
export const waitWords = (ms: number) => {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
};

export async function endWaitedOut(
  deps: WaitedOutDeps,
  a: RemediationAction,
  w: { room: EngineRoom; since: number },
  now: number,
  record: Record,
): Promise<void> {
  const { room } = w;
  const outcome = `${GAVE_UP_WAITING}${room.node} stayed busy for ${waitWords(deps.engineWaitMs)}`;
  const answer = `${room.busy} of ${room.max} busy at the last look, nothing waiting in the queue; Steward gave up waiting (remediation.engineWait) and started nothing: start it once the node has room`;
  const ended = await deps.store.waitedOut(a.id, now, outcome, answer);
  if (!ended) return; // Another Steward of the cluster ended (or claimed) it at the same look.
  record(ended, "failed", { outcome, answer, waitingSince: new Date(w.since).toISOString() });
  const later =
    a.kind === "rerun" && a.causeId > 0
      ? await deps.store.waitedOutAfter(
          a.causeId,
          a.id,
          now,
          outcome,
          `the re-run of ${a.taskName} before it gave up waiting for a free engine on ${room.node}: nothing was started`,
        )
      : [];
  for (const l of later) record(l, "failed", { outcome, answer: l.qlikAnswer, withActionId: a.id });
  if (a.requestedFrom !== "rule") return;
  for (const r of [ended, ...later])
    deps.audit.record({
      actor: { kind: "remediation", name: r.requestedBy },
      action: "remediation.gave_up",
      target: r.taskId,
      result: "failed",
      details: { incidentId: r.incidentId, actionId: r.id, reason: `not started: ${outcome}` },
    });
}
