// A datagram that named no execution, matched to QRS's run by time: that run's own key is claimed too, so two such
// datagrams of one run are announced once (issue 66).
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { Counter } from "../../platform/core/metrics";
import type { TaskEvent } from "../../platform/events/types";
import type { RunReport } from "../events/enrich-task-event";
import type { IntakeStore } from "./intake-store";
import type { RunReservations } from "./run-reservations";

export interface MatchedRunClaimDeps {
  reservations: Pick<RunReservations, "reserve" | "claimStored" | "giveUp" | "markedSeen">;
  store: Pick<IntakeStore, "markSeen">;
  clock: Clock;
  log: Logger;
  dedupe: { ttlMs: number };
  counters: { deduplicated: Counter };
}

/**
 * The matched run's key when it is now claimed here; "duplicate" when the run is claimed or handled already (the
 * datagram is then remembered under its own key and counted as a duplicate); "error" when the store failed;
 * undefined when there is nothing to claim (the datagram named its execution).
 *
 * Why: two appenders with their own date patterns (a current and a legacy appender file side by side) send one log
 * event with different date text, so the two datagrams' stand-in keys differ; enriched side by side, neither finds
 * the other's run announced yet.
 */
export function createMatchedRunClaim(deps: MatchedRunClaimDeps) {
  const { reservations, log } = deps;
  return async (report: RunReport, key: string, event: TaskEvent): Promise<string | "duplicate" | "error" | undefined> => {
    if (report.executionIdAsSent === undefined || event.id === key) return undefined;
    let claimed: boolean;
    try {
      claimed = reservations.reserve(event.id, event.executionId) && (await reservations.claimStored(event.id, event.executionId, report.source));
    } catch (err) {
      log.error({ executionId: event.executionId, err: describeError(err) }, "could not claim the run a datagram without an ExecutionId was matched to");
      return "error";
    }
    if (claimed) return event.id;
    deps.counters.deduplicated.inc({ source: report.source });
    try {
      await deps.store.markSeen([{ key, executionId: report.executionId }], report.source, deps.clock.now(), deps.dedupe.ttlMs);
      reservations.markedSeen(key);
    } catch (err) {
      // Not remembered under its own key: a repeat of this datagram is matched again and found announced then.
      log.warn({ executionId: event.executionId, err: describeError(err) }, "could not remember a duplicate datagram of a run");
      await reservations.giveUp(key);
    }
    return "duplicate";
  };
}
