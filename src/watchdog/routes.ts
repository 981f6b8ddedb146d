// REST view of the watchdog: what needs attention now (open conditions), what recently got back on track, and
// per task the next expected start, the learned usual duration and its state.
import { z } from "zod";
import type { Router } from "../http/route";
import type { Watchdog } from "./service";
import type { WatchStore } from "./watch-store";

export function registerWatchdogRoutes(router: Router, deps: { watchdog?: Watchdog; store?: WatchStore; clock: { now(): number } }): void {
  router.route(
    {
      method: "get",
      path: "/v4/watchdog",
      summary: "What did not happen as planned",
      description:
        "Open conditions (missed starts, stopped chains, long runs, stale apps), those closed in the last day, and per task the next expected start and learned usual duration. In a cluster the task list comes from the Steward that holds the watchdog lease; conditions are shared.",
      tags: ["Alerts"],
      scope: "admin",
      query: z.object({}),
      responses: { 200: { description: "the watchdog's view" }, 503: { description: "the watchdog is not configured" } },
    },
    async (c) => {
      if (!deps.watchdog || !deps.store) return c.json({ enabled: false, open: [], recentlyClosed: [], tasks: [], problems: [] });
      const now = deps.clock.now();
      const [open, closed] = await Promise.all([deps.store.openConditions(), deps.store.recentlyClosed(now - 86_400_000)]);
      const s = deps.watchdog.status();
      return c.json({
        enabled: true,
        ...s,
        open: open.map((r) => r.openEvent),
        recentlyClosed: closed.flatMap((r) => (r.closeEvent ? [r.closeEvent] : [])),
        tasks: s.tasks.map((t) => ({
          id: t.id,
          name: t.name,
          appId: t.appId ?? null,
          watched: t.watched,
          nextExpectedAt: t.nextExpectedMs !== undefined ? new Date(t.nextExpectedMs).toISOString() : null,
          usualMs: t.usual ? Math.round(t.usual.medianMs) : null,
          limitMs: t.usual?.limitMs ?? null,
          samples: t.usual?.samples ?? 0,
          runningSince: t.runningSinceMs !== undefined ? new Date(t.runningSinceMs).toISOString() : null,
          lastRunAt: t.lastRunMs !== undefined ? new Date(t.lastRunMs).toISOString() : null,
          lastStatus: t.lastStatus ?? null,
        })),
      });
    },
  );
}
