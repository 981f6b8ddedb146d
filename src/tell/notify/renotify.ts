// How often an open incident notifies again, per route (`renotify:`): once (the default: later failures update the
// incident and page nothing until it recovers), every failure (Butler's behaviour), the first and then every n-th, or
// the first and then a digest per incident and window. Data sinks (InfluxDB, New Relic) always get every event.
import type { RouteConfig } from "./config";
import type { DomainEvent } from "../../platform/events/types";
import { isTaskEvent } from "../../platform/events/types";
import { ordinal } from "./history-vars";

export type RenotifyDecision = { action: "send" } | { action: "suppress"; reason: string } | { action: "group"; groupKey: string; windowMs: number };

const SEND: RenotifyDecision = { action: "send" };

/** The digest group of one incident's follow-ups on one route (the route column tells routes apart). */
export const incidentGroupKey = (incidentId: number): string => `incident:${incidentId}`;

export function renotifyDecision(mode: RouteConfig["renotify"], event: DomainEvent, traits: { supportsDigest: boolean; dataSink?: boolean }): RenotifyDecision {
  if (traits.dataSink || !isTaskEvent(event)) return SEND;
  // The outcome is paged, never an attempt (issue 76): a failure heard of while QRS shows the run in Retry (a site's
  // own appender that reports every attempt, say) is followed by the run's final result, which every path reports.
  if (isRetriedAttempt(event))
    return {
      action: "suppress",
      reason: "a failed attempt the Scheduler retries: the run's outcome is paged (nothing if a retry succeeds, once if every attempt fails)",
    };
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

/** A failure of one attempt of a run that is still going: QRS shows the run in Retry (status 10). */
export const isRetriedAttempt = (e: DomainEvent): boolean => isTaskEvent(e) && e.outcome !== "succeeded" && e.execution?.statusCode === 10;
