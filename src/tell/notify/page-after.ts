// Tolerance for known-flaky sources (issue 76): "page after N failures within a window", per route (`pageAfter:`) or
// per task or app (`incidents.pageAfter`). Decided from the event alone (the task's failures the history lists), so
// every Steward of a cluster and every retry of a delivery decides the same: failures below the threshold are held
// (recorded, listed in the page when it goes), the failure that reaches it pages once for the incident, and an
// incident that never reached it recovers without a page, since nobody was told it had failed.
import { z } from "zod";
import { DurationSchema } from "../../platform/core/duration";
import type { DomainEvent, TaskEvent } from "../../platform/events/types";
import { isTaskEvent } from "../../platform/events/types";

/** How far back a window may reach: the history lists the failures among a task's last 50 runs of the last 7 days. */
export const PAGE_AFTER_MAX_WINDOW_MS = 7 * 86_400_000;

export const pageAfterSchema = () =>
  z.strictObject({
    failures: z
      .number()
      .int()
      .min(1)
      .max(50)
      .describe("Failed runs of the task within `within` before the first page (1: every incident pages at its 1st failure, the default)."),
    within: DurationSchema.refine((ms) => ms <= PAGE_AFTER_MAX_WINDOW_MS, { message: "at most 7d (the run history the count is read from)" }).describe(
      "The window the failures are counted in, ending at the failure being judged, e.g. 1h.",
    ),
  });

/** A threshold as the decision takes it, with where it was configured (shown in reasons and pages). */
export interface PageAfter {
  failures: number;
  withinMs: number;
  /** The config key, e.g. "routes.on-call.pageAfter" or "incidents.pageAfter[0]". */
  from: string;
}

export type PageAfterState =
  /** Below the threshold: held back. */
  | { state: "held"; count: number }
  /** This failure reaches the threshold: the incident's first page; `held` the earlier failures it counts. */
  | { state: "reached"; held: number[] }
  /** An earlier failure of the incident reached it: the route's renotify decides. */
  | { state: "after" }
  /** The recovery of an incident that never reached it: nothing was paged, so nothing recovers. */
  | { state: "unpaged-recovery" };

const runAt = (e: TaskEvent) => {
  const stop = Date.parse(e.execution?.stopTime ?? "");
  return Number.isFinite(stop) ? stop : Date.parse(e.receivedAt);
};

/** The failures of `times` (sorted ascending) within the window that ends at `at`, `at` itself included. */
const countAt = (times: readonly number[], at: number, withinMs: number) => times.filter((f) => f > at - withinMs && f <= at).length;

/** Whether one of the incident's earlier failures reached the threshold (it paged then). */
function reachedBefore(earlier: readonly number[], openedAt: number, p: PageAfter): boolean {
  return earlier.some((f) => f >= openedAt && countAt(earlier, f, p.withinMs) >= p.failures);
}

/** Where the event stands against the threshold; undefined when none applies (1 failure, or not a run's failure or recovery). */
export function pageAfterState(p: PageAfter | undefined, event: DomainEvent): PageAfterState | undefined {
  if (!p || p.failures <= 1 || !isTaskEvent(event) || !event.incident) return undefined;
  const earlier = (event.history?.recentFailures ?? [])
    .map(Date.parse)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const openedAt = Date.parse(event.incident.openedAt);
  if (event.kind === "task.recovered") return reachedBefore(earlier, openedAt, p) ? undefined : { state: "unpaged-recovery" };
  if (event.kind !== "task.failed" && event.kind !== "task.aborted") return undefined;
  const at = runAt(event);
  if (reachedBefore(earlier, openedAt, p)) return { state: "after" };
  const all = [...earlier.filter((f) => f < at), at];
  const count = countAt(all, at, p.withinMs);
  if (count < p.failures) return { state: "held", count };
  return { state: "reached", held: all.filter((f) => f > at - p.withinMs && f < at) };
}

/** Where a remediation rule's hold says it comes from (src/start/remediation/auto.ts): `remediation.rules[i]`. */
const RULE_HOLD = "remediation.rules";

/**
 * The threshold of an event on a route: the route's own, else the task's or app's (incidents.pageAfter). A remediation
 * rule's hold is the incident's, not one route's: while the rule's retries are still to come (its failure held), or
 * when they healed it before any page (an unpaged recovery), no route pages it, whatever its own window; once the rule
 * gave up, the route's own window decides as for any failure.
 */
export function pageAfterFor(routePageAfter: PageAfter | undefined, event: DomainEvent): PageAfter | undefined {
  const own = isTaskEvent(event) ? event.pageAfter : undefined;
  if (!routePageAfter) return own;
  if (own?.from.startsWith(RULE_HOLD)) {
    const state = pageAfterState(own, event)?.state;
    if (state === "held" || state === "unpaged-recovery") return own;
  }
  return routePageAfter;
}

/**
 * Where a failure stands against a remediation rule's hold: `held` while the rule's retries are still to come, `gave
 * up` on the failure that pages once the rule's retries are spent; undefined when no rule holds it.
 */
export function ruleHoldOf(event: DomainEvent): "held" | "gave up" | undefined {
  const own = isTaskEvent(event) ? event.pageAfter : undefined;
  if (!own?.from.startsWith(RULE_HOLD)) return undefined;
  const state = pageAfterState(own, event)?.state;
  return state === "held" || state === "unpaged-recovery" ? "held" : state === "reached" ? "gave up" : undefined;
}

/** "1h", "30m", "2d": the window as the config writes it. */
export function spanWords(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}
