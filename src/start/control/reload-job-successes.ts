// The apps Steward itself reloaded through the Engine (its reload jobs: PUT /v4/app/{id}/reload, a person's "Reload
// the app" from an alert), each with the end of its last successful job: fresh data the watchdog counts at once (issue
// 101: an Engine reload that healed the app pages nothing), on sites whose Engine log Steward does not hear too. Read
// from the shared store: on a cluster, any member's job.
import type { SqlDb } from "../../platform/store/sql";

export function createReloadJobSuccesses(db: SqlDb) {
  /** Per app id, when its last successful reload job since `sinceMs` ended. */
  return async (sinceMs: number): Promise<ReadonlyMap<string, number>> => {
    // finished_at is an ISO time (UTC, fixed width): its text order is its time order.
    const rows = await db.all<{ app_id: string; last: string }>(
      "SELECT app_id, MAX(finished_at) AS last FROM reload_jobs WHERE status = 'succeeded' AND finished_at >= ? GROUP BY app_id",
      [new Date(sinceMs).toISOString()],
    );
    return new Map(rows.map((r) => [String(r.app_id), Date.parse(String(r.last))]));
  };
}

/** The later of each app's reloads in any of the reads (the Engine's log heard, Steward's own jobs). */
export function latestOf(reads: ReadonlyArray<(sinceMs: number) => Promise<ReadonlyMap<string, number>>>) {
  return async (sinceMs: number): Promise<ReadonlyMap<string, number>> => {
    const out = new Map<string, number>();
    for (const m of await Promise.all(reads.map((r) => r(sinceMs)))) for (const [app, ms] of m) out.set(app, Math.max(ms, out.get(app) ?? ms));
    return out;
  };
}
