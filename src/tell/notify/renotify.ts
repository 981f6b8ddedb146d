// How often an open incident notifies again, per route (`renotify:`): once (the default: later failures update the
// incident and page nothing until it recovers), every failure (Butler's behaviour), the first and then every n-th, or
// the first and then a digest per incident and window. Data sinks (InfluxDB, New Relic) always get every event.
import type { RouteConfig } from "./config";
import type { DomainEvent } from "../../platform/events/types";
import { isTaskEvent } from "../../platform/events/types";
import { isRetriedAttempt } from "../../platform/events/retried-attempt";
import { ordinal } from "./history-vars";
import { type PageAfter, pageAfterFor, pageAfterState, spanWords } from "./page-after";

export type RenotifyDecision = { action: "send" } | { action: "suppress"; reason: string } | { action: "group"; groupKey: string; windowMs: number };

const SEND: RenotifyDecision = { action: "send" };

/** The digest group of one incident's follow-ups on one route (the route column tells routes apart). */
export const incidentGroupKey = (incidentId: number): string => `incident:${incidentId}`;

export function renotifyDecision(
  mode: RouteConfig["renotify"],
  event: DomainEvent,
  traits: { supportsDigest: boolean; dataSink?: boolean },
  pageAfter?: PageAfter,
): RenotifyDecision {
  if (traits.dataSink || !isTaskEvent(event)) return SEND;
  // A test alert (steward alert test, POST /v4/alerts/test) always goes: it tries the route, it repeats nothing.
  if (event.source === "test") return SEND;
  // The outcome is paged, never an attempt (issue 76): a failure heard of while QRS shows the run in Retry (a site's
  // own appender that reports every attempt, say) is followed by the run's final result, which every path reports.
  if (isRetriedAttempt(event))
    return {
      action: "suppress",
      reason: "a failed attempt the Scheduler retries: the run's outcome is paged (nothing if a retry succeeds, once if every attempt fails)",
    };
  const tolerance = tolerated(pageAfterFor(pageAfter, event), event);
  if (tolerance) return tolerance;
  // An acknowledged incident is quiet on every route, renotify: every included, until it recovers.
  if (mode === "every" && !event.incident?.acknowledgedAt) return SEND;
  const incident = event.incident;
  // Only follow-ups of an open incident are thinned out; the recovery and warnings always go.
  if (incident?.status !== "open" || event.kind === "task.recovered" || event.kind === "task.warning") return SEND;
  const n = incident.failures;
  if (n <= 1) return SEND;
  if (incident.acknowledgedAt)
    return {
      action: "suppress",
      reason: `renotify: incident ${incident.id} was acknowledged by ${incident.acknowledgedBy || "someone"}; its recovery will be sent`,
    };
  if (mode === "every") return SEND;
  // Nobody was told of the incident yet (its alerts were held: a window, a silence, a threshold): this one pages.
  if (mode === "once" && incident.paged === false) return SEND;
  if (mode === "once")
    return {
      action: "suppress",
      reason: `renotify: incident ${incident.id} paged at its 1st failure and is still open; this ${ordinal(n)} failure updates it (renotify: every pages each one)`,
    };
  if ("nth" in mode) {
    if (n % mode.nth === 0) return SEND;
    return {
      action: "suppress",
      reason: `renotify: incident ${incident.id} notifies on the 1st failure and every ${ordinal(mode.nth)}; this is the ${ordinal(n)}`,
    };
  }
  if (traits.supportsDigest) return { action: "group", groupKey: incidentGroupKey(incident.id), windowMs: mode.digest };
  return {
    action: "suppress",
    reason: `renotify: incident ${incident.id} sends its 1st failure here and folds the rest into a digest, which this channel cannot show`,
  };
}

/**
 * What a "page after N failures" threshold decides before renotify does: a failure below it is held, the one that
 * reaches it is the incident's page (whatever its number), a recovery of an incident that never reached it is not
 * sent; after the page, renotify decides as for any incident.
 */
function tolerated(p: PageAfter | undefined, event: DomainEvent): RenotifyDecision | undefined {
  const s = pageAfterState(p, event);
  if (!s || !p || !isTaskEvent(event)) return undefined;
  const window = `${p.failures} failures within ${spanWords(p.withinMs)} (${p.from})`;
  switch (s.state) {
    case "held":
      return { action: "suppress", reason: `held: ${ordinal(s.count)} of ${window}; listed in the page if the task gets there` };
    case "reached":
      // Acknowledged while its failures were held: someone knows; the acknowledgement's rule below holds it.
      return event.incident?.acknowledgedAt ? undefined : SEND;
    case "unpaged-recovery":
      return { action: "suppress", reason: `recovered before reaching ${window}: its failures were held, nothing was paged` };
    default:
      return undefined;
  }
}
