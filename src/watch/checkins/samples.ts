// A sample check-in event per kind, for `steward alert` previews, POST /v4/alerts/test and the template check: an
// ERP extract that feeds the demo site's sales app.
import type { CheckinCondition, CheckinEventKind, WatchdogEvent } from "../../platform/events/types";
import { checkinEvent } from "./checkin-event";

const SAMPLE_CONDITION: Record<CheckinEventKind, CheckinCondition> = {
  "checkin.missed": "checkin_missed",
  "checkin.failed": "checkin_failed",
  "checkin.running_long": "checkin_running_long",
  "checkin.recovered": "checkin_missed",
};

export function syntheticCheckinEvent(kind: CheckinEventKind, o: { host?: string; nowMs?: number; condition?: CheckinCondition } = {}): WatchdogEvent {
  const nowMs = o.nowMs ?? Date.now();
  const type = o.condition ?? SAMPLE_CONDITION[kind];
  const opened = nowMs - 20 * 60_000;
  return checkinEvent({
    kind,
    condition: { type, key: `${type}:erp-extract`, openedAtMs: opened, ...(kind === "checkin.recovered" ? { closedAtMs: nowMs } : {}) },
    nowMs,
    host: o.host ?? "steward1.corp.example",
    check: "erp-extract",
    feeds: { tasks: ["Reload Sales dashboard"], apps: ["Sales dashboard"] },
    details: {
      ...(type === "checkin_missed" ? { expectedAtMs: opened - 15 * 60_000, graceMs: 15 * 60_000, schedule: "cron 0 5 * * 1-5 (Europe/Stockholm)" } : {}),
      ...(type === "checkin_failed" ? { failedAtMs: opened, exitCode: 2, log: "ORA-12541: TNS:no listener" } : {}),
      ...(type === "checkin_running_long" ? { startedAtMs: opened - 2 * 3_600_000, maxDurationMs: 2 * 3_600_000 } : {}),
      ...(kind === "checkin.recovered" ? { resolution: "checked in 25 min after it was due" } : {}),
    },
  });
}
