// The administrator's view of the freshness promises (GET /v4/freshness, /ui/freshness): every promise and every
// app it names, with its state now (fresh, warning, breached, or not seen yet), the data's time, the next deadline
// and, while late, why and when the app is expected. The same facts /status shows users, with the promise and the
// reason beside them.
import type { AppFreshness, FreshnessConditionRow } from "./freshness-store";
import type { JudgedPromise } from "./judge";
import { promisedApps } from "./judge";

export type AdminFreshnessState = "fresh" | "warning" | "breached" | "unknown";

export interface AdminFreshnessRow {
  promise: string;
  /** "07:00 Mon, Tue (Europe/Stockholm)" or "never older than 2 h, …". */
  promiseText: string;
  app: { id: string; name: string; stream: string | null };
  state: AdminFreshnessState;
  /** The last successful reload (ISO-8601), or null. */
  dataAsOf: string | null;
  lastSuccessTask: string | null;
  /** The last failed reload, when it is later than the last success. */
  failedAt: string | null;
  /** The next time the promise is judged for this app: the next deadline, or when the data becomes too old. */
  nextDeadline: string | null;
  /** While late: the deadline missed or about to be, since when, why, and when the app is now expected. */
  open: { deadline: string; since: string; why: string | null; expectedAt: string | null; failed: boolean } | null;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function nextDeadline(p: JudgedPromise, a: AppFreshness, nowMs: number): number | undefined {
  if (p.deadlines) return p.deadlines.after(nowMs);
  if (p.maxAge && a.lastSuccessMs !== undefined) return p.maxAge.hours.firstActiveAtOrAfter(Math.max(nowMs, a.lastSuccessMs + p.maxAge.maxAgeMs));
  return undefined;
}

export function adminFreshnessView(
  promises: readonly JudgedPromise[],
  apps: readonly AppFreshness[],
  open: readonly FreshnessConditionRow[],
  nowMs: number,
): AdminFreshnessRow[] {
  const rows: AdminFreshnessRow[] = [];
  for (const p of promises) {
    for (const a of promisedApps(p, apps)) {
      const cond = open.find((c) => c.promise === p.name && c.appId === a.appId);
      const event = cond?.breachEvent ?? cond?.warnEvent;
      const failedLater = a.lastFailMs !== undefined && (a.lastSuccessMs ?? -1) < a.lastFailMs;
      const state: AdminFreshnessState = cond ? (cond.level === "breached" ? "breached" : "warning") : a.lastSuccessMs === undefined ? "unknown" : "fresh";
      rows.push({
        promise: p.name,
        promiseText: p.text,
        app: { id: a.appId, name: a.appName, stream: a.stream ?? null },
        state,
        dataAsOf: iso(a.lastSuccessMs),
        lastSuccessTask: a.lastSuccessTask ?? null,
        failedAt: failedLater ? iso(a.lastFailMs) : null,
        nextDeadline: iso(nextDeadline(p, a, nowMs)),
        open: cond
          ? {
              deadline: new Date(cond.deadlineMs).toISOString(),
              since: new Date(cond.openedMs).toISOString(),
              why: typeof event?.data.why === "string" ? event.data.why : null,
              expectedAt: typeof event?.data.expectedAt === "string" ? event.data.expectedAt : null,
              failed: event?.data.failed === true,
            }
          : null,
      });
    }
  }
  const rank: Record<AdminFreshnessState, number> = { breached: 0, warning: 1, unknown: 2, fresh: 3 };
  return rows.sort((x, y) => rank[x.state] - rank[y.state] || x.app.name.localeCompare(y.app.name) || x.promise.localeCompare(y.promise));
}
