// The administrator's view of the freshness promises (GET /v4/freshness, /ui/freshness): every promise and every
// app it names, with its state now (fresh, at risk, late, not known yet: states.ts), the data's time, the next
// deadline and, while late, why; and the judge's projection: when the app is now expected to be fresh, and whether
// the deadline will be missed. The same facts /status shows users, with the promise and the reason beside them.
import type { AppFreshness, FreshnessConditionRow } from "./freshness-store";
import type { JudgedPromise } from "./judge";
import { promisedApps } from "./judge";
import type { FreshnessProjection } from "./projection";
import { projectionKey } from "./projection-store";
import { FRESHNESS_RANK, type FreshnessState } from "./states";
import { type FreshnessVerdict, freshnessState } from "./verdicts";

export type AdminFreshnessState = FreshnessState;

/** The projection as the API gives it. */
export interface ExpectedView {
  /** The deadline it is about. */
  deadline: string;
  /** When the app is now expected to be fresh (ISO-8601), or null when Steward cannot tell. */
  at: string | null;
  /** The expected time has passed and the app is still not fresh. */
  overdue: boolean;
  /** The deadline will be (or was) missed: why, for the administrator; null while it can still be kept. */
  willMiss: string | null;
  /** The same for users (what /status says). */
  willMissForUsers: string | null;
  /** The cause that holds the app's chain up (the dashboard's Causes page), open (ended null) or ended this cycle. */
  cause: { id: number; title: string; since: string; ended: string | null } | null;
}

/** A projection (or an expected time an alert gave) as the API shows it; overdue once its time has passed. */
export function expectedView(p: FreshnessProjection, nowMs: number): ExpectedView {
  return {
    deadline: new Date(p.deadlineMs).toISOString(),
    at: p.expectedMs === undefined ? null : new Date(p.expectedMs).toISOString(),
    overdue: p.expectedMs !== undefined && p.expectedMs < nowMs,
    willMiss: p.missed ?? null,
    willMissForUsers: p.missedForUsers ?? null,
    cause: p.cause
      ? {
          id: p.cause.id,
          title: p.cause.title,
          since: new Date(p.cause.sinceMs).toISOString(),
          ended: p.cause.endedMs === undefined ? null : new Date(p.cause.endedMs).toISOString(),
        }
      : null,
  };
}

export interface AdminFreshnessRow {
  promise: string;
  /** "07:00 Mon, Tue (Europe/Stockholm)" or "never older than 2 h, …". */
  promiseText: string;
  app: { id: string; name: string; stream: string | null };
  state: AdminFreshnessState;
  /**
   * The data's time (ISO-8601), or null: the last successful reload, or for a "never older than" promise whose chain
   * failed after it, no later than that failure (its verdict's data age).
   */
  dataAsOf: string | null;
  lastSuccessTask: string | null;
  /** The last failed reload, when it is later than the last success. */
  failedAt: string | null;
  /** The next time the promise is judged for this app: the next deadline, or when the data becomes (became) too old. */
  nextDeadline: string | null;
  /** Not fresh although it may have reloaded, with no alert open yet: what holds its data up (a run of its chain failed). */
  heldBy: string | null;
  /** While late or at risk: the deadline missed or about to be, since when, why, and when the alert expected the app. */
  open: { deadline: string; since: string; why: string | null; expectedAt: string | null; failed: boolean } | null;
  /** While the app is not fresh for the deadline at hand and its chain has begun: the judge's projection now. */
  expected: ExpectedView | null;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * A "never older than" promise's next deadline is when its data becomes (or, while late, became) too old: the judge's
 * verdict, which counts the data's age through the chain (a refresh of a failed run's inputs is no newer data); from
 * the last reload only while the judge has not looked.
 */
function nextDeadline(p: JudgedPromise, a: AppFreshness, nowMs: number, verdict: FreshnessVerdict | undefined): number | undefined {
  if (p.deadlines) return p.deadlines.after(nowMs);
  if (!p.maxAge) return undefined;
  if (verdict?.maxAge) return verdict.deadlineMs;
  if (a.lastSuccessMs !== undefined) return p.maxAge.hours.firstActiveAtOrAfter(Math.max(nowMs, a.lastSuccessMs + p.maxAge.maxAgeMs));
  return undefined;
}

export function adminFreshnessView(
  promises: readonly JudgedPromise[],
  apps: readonly AppFreshness[],
  open: readonly FreshnessConditionRow[],
  nowMs: number,
  projections: ReadonlyMap<string, FreshnessProjection> = new Map(),
  verdicts: ReadonlyMap<string, FreshnessVerdict> = new Map(),
): AdminFreshnessRow[] {
  const rows: AdminFreshnessRow[] = [];
  for (const p of promises) {
    for (const a of promisedApps(p, apps)) {
      const cond = open.find((c) => c.promise === p.name && c.appId === a.appId);
      const event = cond?.breachEvent ?? cond?.warnEvent;
      const failedLater = a.lastFailMs !== undefined && (a.lastSuccessMs ?? -1) < a.lastFailMs;
      const verdict = verdicts.get(projectionKey(p.name, a.appId));
      const state: AdminFreshnessState = freshnessState(cond?.level, verdict, a);
      const projection = projections.get(projectionKey(p.name, a.appId));
      rows.push({
        promise: p.name,
        promiseText: p.text,
        app: { id: a.appId, name: a.appName, stream: a.stream ?? null },
        state,
        dataAsOf: iso(verdict?.dataAsOfMs ?? a.lastSuccessMs),
        lastSuccessTask: a.lastSuccessTask ?? null,
        failedAt: failedLater ? iso(a.lastFailMs) : null,
        nextDeadline: iso(nextDeadline(p, a, nowMs, verdict)),
        heldBy: !cond && verdict && !verdict.fresh ? (verdict.heldBy ?? null) : null,
        open: cond
          ? {
              deadline: new Date(cond.deadlineMs).toISOString(),
              since: new Date(cond.openedMs).toISOString(),
              why: typeof event?.data.why === "string" ? event.data.why : null,
              expectedAt: typeof event?.data.expectedAt === "string" ? event.data.expectedAt : null,
              failed: event?.data.failed === true,
            }
          : null,
        expected: projection ? expectedView(projection, nowMs) : null,
      });
    }
  }
  return rows.sort((x, y) => FRESHNESS_RANK[x.state] - FRESHNESS_RANK[y.state] || x.app.name.localeCompare(y.app.name) || x.promise.localeCompare(y.promise));
}
