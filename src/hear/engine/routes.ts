// GET /v4/engine-reloads: who reloaded what outside the schedule (the hub, the data load editor, the Engine API), as
// the Engine's lines told Steward: time, app, user, node, outcome, and whether and why it was alerted. The dashboard,
// the reports and the assistant read it.
import { z } from "zod";
import type { Clock } from "../../platform/core/clock";
import type { Router } from "../../platform/http/route";
import type { EngineReloadStore, HeardReload } from "./reload-store";

const Query = z.object({
  sinceHours: z.coerce
    .number()
    .min(0)
    .max(24 * 31)
    .default(24)
    .describe("Reloads that ended in the last N hours (default 24, at most 31 days)"),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe("At most this many, newest first (default 100)"),
  appId: z.string().trim().min(1).max(100).optional().describe("One app's reloads"),
  outcome: z.enum(["succeeded", "failed"]).optional().describe("Only successful or only failed ones"),
});

/** A heard reload as the API answers it. */
export function reloadView(r: HeardReload) {
  return {
    endedAt: new Date(r.endedMs).toISOString(),
    ...(r.startedMs !== undefined ? { startedAt: new Date(r.startedMs).toISOString(), durationMs: r.endedMs - r.startedMs } : {}),
    app: { id: r.appId, name: r.appName ?? null, stream: r.stream ?? null, published: r.published ?? null },
    user: r.user || null,
    node: r.node,
    outcome: r.outcome,
    alerted: r.alerted,
    reason: r.reason ?? null,
    failingLines: r.lines,
  };
}

export function registerEngineReloadRoutes(router: Router, deps: { store?: EngineReloadStore; clock: Clock }): void {
  router.route(
    {
      method: "get",
      path: "/v4/engine-reloads",
      summary: "Reloads outside the Scheduler: who reloaded what, when, where, with what outcome",
      description:
        "Reloads the Engine's reload lines reported (steward appender-xml --engine on each node) that the Scheduler did not run: from the hub, the data load editor or the Engine API. Newest first, with whether each failure was alerted (app.reload_failed) and why or why not.",
      tags: ["apps"],
      scope: "read",
      query: Query,
      responses: { 200: { description: "the reloads, newest first" } },
    },
    async (c, { query }) => {
      if (!deps.store) return c.json({ reloads: [], note: "engineReloads.enabled is off" });
      const rows = await deps.store.list({
        sinceMs: deps.clock.now() - query.sinceHours * 3_600_000,
        limit: query.limit,
        ...(query.appId ? { appId: query.appId } : {}),
        ...(query.outcome ? { outcome: query.outcome } : {}),
      });
      return c.json({ reloads: rows.map(reloadView) });
    },
  );
}
