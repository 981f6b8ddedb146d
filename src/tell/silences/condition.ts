// Which lasting condition an event opens or closes (a task failing until it succeeds, a watchdog condition until
// task.on_track, a service stopped until started, a data check failing until it passes). A silenced alert is sent
// when its silence ends only while its condition lasts; an event that opens no condition is a moment that passed.
import type { DomainEvent } from "../../platform/events/types";
import { isDataCheckEvent, isServiceEvent, isTaskEvent, isWatchdogEvent } from "../../platform/events/types";

export interface ConditionRole {
  key: string;
  role: "opens" | "closes";
}

export function conditionOf(e: DomainEvent): ConditionRole | undefined {
  if (isTaskEvent(e)) {
    const key = `task:${e.task.id.toLowerCase()}`;
    if (e.kind === "task.failed" || e.kind === "task.aborted") return { key, role: "opens" };
    // A success that closed the task's incident is followed by its task.recovered: that one ends the condition.
    if (e.kind === "task.succeeded" && e.incident?.status === "closed") return undefined;
    if (e.kind === "task.succeeded" || e.kind === "task.recovered") return { key, role: "closes" };
    return undefined;
  }
  if (isWatchdogEvent(e)) return { key: `watch:${e.condition.key}`, role: e.kind === "task.on_track" ? "closes" : "opens" };
  if (isServiceEvent(e))
    return { key: `service:${e.host.toLowerCase()}|${e.service.name.toLowerCase()}`, role: e.kind === "service.stopped" ? "opens" : "closes" };
  if (isDataCheckEvent(e)) {
    const key = `check:${e.app.id.toLowerCase()}|${e.check?.name.toLowerCase() ?? "*"}`;
    return { key, role: e.kind === "data.check_passed" ? "closes" : "opens" };
  }
  return undefined;
}
