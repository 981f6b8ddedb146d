// The administrator's view of the check-ins: each check's schedule, next due time, latest pings with their logs,
// and the open and recently closed conditions (GET /v4/checkins, admin scope: logs may hold anything a job printed).
import { z } from "zod";
import type { Clock } from "../../platform/core/clock";
import type { Router } from "../../platform/http/route";
import type { CheckinStore } from "./checkin-store";
import { type JudgedCheck, nextDue } from "./judge";
import type { CheckinFeeds, CheckinService } from "./service";

export interface CheckinStatusDeps {
  checks: ReadonlyArray<JudgedCheck & { feeds: CheckinFeeds }>;
  store?: CheckinStore;
  service?: CheckinService;
  clock: Clock;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function registerCheckinStatusRoutes(router: Router, deps: CheckinStatusDeps): void {
  router.route(
    {
      method: "get",
      path: "/v4/checkins",
      summary: "Check-ins of the jobs before Qlik",
      description:
        "Each check's schedule, the time its next check-in is due, its latest start, success and failure, its newest pings (with logs), and the open and recently closed conditions. Conditions are judged on the Steward holding the watchdog lease; pings to any Steward count.",
      tags: ["Alerts"],
      scope: "read",
      query: z.object({ pings: z.coerce.number().int().min(0).max(100).default(5).describe("Newest pings per check, with their logs.") }),
      responses: { 200: { description: "the check-ins' view" } },
    },
    async (c, { query }) => {
      const store = deps.store;
      if (!store) return c.json({ enabled: false, checks: [], open: [], recentlyClosed: [] });
      const now = deps.clock.now();
      const [states, open, closed] = await Promise.all([store.states(), store.openConditions(), store.recentlyClosed(now - 86_400_000)]);
      const checks = [];
      for (const check of deps.checks) {
        const s = states.get(check.name);
        const ran = Math.max(s?.lastStartMs ?? -Infinity, s?.lastSuccessMs ?? -Infinity, s?.lastFailMs ?? -Infinity);
        const since = Number((await store.getMeta(`since:${check.name}`)) ?? now);
        checks.push({
          name: check.name,
          enabled: check.enabled,
          schedule: check.schedule.text,
          graceMs: check.graceMs,
          maxDurationMs: check.maxDurationMs ?? null,
          feeds: check.feeds,
          nextDueAt: iso(nextDue(check, ran, since)),
          lastStartAt: iso(s?.lastStartMs),
          lastSuccessAt: iso(s?.lastSuccessMs),
          lastFailAt: iso(s?.lastFailMs),
          lastExitCode: s?.lastExit ?? null,
          pings: (await store.pings(check.name, query.pings)).map((p) => ({
            kind: p.kind,
            at: iso(p.atMs),
            exitCode: p.exitCode ?? null,
            source: p.source,
            steward: p.steward,
            log: p.body ?? null,
            bodyBytes: p.bodyBytes,
            truncated: p.truncated,
          })),
        });
      }
      return c.json({
        enabled: true,
        lastJudgedAt: iso(deps.service?.lastJudgedAt()),
        lastError: deps.service?.lastError() ?? null,
        checks,
        open: open.map((r) => r.openEvent),
        recentlyClosed: closed.flatMap((r) => (r.closeEvent ? [r.closeEvent] : [])),
      });
    },
  );
}
