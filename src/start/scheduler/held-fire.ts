// An event trigger the data checks held back (a block check of the triggering reload failed): logged,
// counted, audited and recorded as the schedule's lastRun (result "held"), and no task started.
import type { Logger } from "pino";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { Clock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { Counter } from "../../platform/core/metrics";
import type { TaskEvent } from "../../platform/events/types";
import type { ScheduleRepo, ScheduleRow } from "./schedule-repo";

export interface HeldFireDeps {
  repo: ScheduleRepo;
  clock: Clock;
  log: Logger;
  audit: AuditLog;
  fires: Counter;
  storeOpen: () => boolean;
}

export async function recordHeldFire(deps: HeldFireDeps, row: ScheduleRow, e: TaskEvent, why: string): Promise<void> {
  const taskId = row.definition.qlikSenseTaskId;
  const at = new Date(deps.clock.now()).toISOString();
  const fields = { scheduleId: row.id, schedule: row.definition.name, taskId, reason: "event", eventId: e.id, sourceTaskId: e.task.id };
  deps.fires.inc({ reason: "event", result: "held" });
  deps.log.warn({ ...fields, why }, "event trigger held back by the data checks of the reload: the task is not started");
  deps.audit.record({
    actor: { kind: "event-trigger", name: row.id },
    action: "schedule.held",
    target: row.id,
    result: "denied",
    details: { ...fields, heldAt: at, why },
  });
  if (!deps.storeOpen()) return;
  try {
    if (await deps.repo.get(row.id)) await deps.repo.setLastRun(row.id, { at, reason: "event", result: "held", taskId, error: why, eventId: e.id });
  } catch (err) {
    deps.log.warn({ ...fields, err: describeError(err) }, "cannot record the held fire on the schedule (the audit log has it)");
  }
}
