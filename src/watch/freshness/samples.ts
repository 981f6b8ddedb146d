// A sample freshness event per kind, for previews, POST /v4/alerts/test and the template check: the demo site's
// sales app, fed by an ERP extract that has not checked in.
import type { FreshnessCondition, FreshnessEventKind, WatchdogEvent } from "../../platform/events/types";
import { freshnessEvent } from "./freshness-event";

export function syntheticFreshnessEvent(kind: FreshnessEventKind, o: { host?: string; nowMs?: number; level?: FreshnessCondition } = {}): WatchdogEvent {
  const nowMs = o.nowMs ?? Date.now();
  const level = o.level ?? (kind === "app.freshness_warning" ? "freshness_warning" : "freshness_breached");
  const deadlineMs = nowMs - (kind === "app.freshness_warning" ? -30 * 60_000 : 10 * 60_000);
  return freshnessEvent({
    kind,
    level,
    finding: {
      key: "freshness:sales-morning:0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11",
      promise: "sales-morning",
      app: {
        appId: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11",
        appName: "Sales dashboard",
        stream: "Sales",
        tags: ["Finance"],
        lagsMs: [40 * 60_000],
        lastSuccessMs: kind === "app.freshness_recovered" ? nowMs - 60_000 : nowMs - 25 * 3_600_000,
        lastSuccessTask: "Reload Sales dashboard",
      },
      deadlineMs,
      cycleStartMs: deadlineMs - 2 * 3_600_000,
      upstream: [{ check: "erp-extract", dueMs: deadlineMs - 2 * 3_600_000, state: kind === "app.freshness_recovered" ? "done" : "not_checked_in" }],
      usualLagMs: 40 * 60_000,
    },
    promiseText: "07:00 Mon, Tue, Wed, Thu, Fri (Europe/Stockholm)",
    openedAtMs: deadlineMs - 30 * 60_000,
    ...(kind === "app.freshness_recovered" ? { closedAtMs: nowMs } : {}),
    nowMs,
    host: o.host ?? "steward1.corp.example",
    alsoFeeds: ["Finance"],
  });
}
