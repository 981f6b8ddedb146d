// A schedule's fire: its task started through the shared TaskStarter, then logged, audited and recorded as the
// schedule's lastRun. An event trigger's fire first asks whether the data checks of its reload hold it back.
import { describeError } from "../../platform/core/errors";
import type { StartOrigin, TaskStartReport } from "../control/types";
import type { TaskEvent } from "../../platform/events/types";
import { recordHeldFire } from "./held-fire";
import type { RunnerContext } from "./runner-context";
import type { LastRun } from "./schedule-model";
import type { ScheduleRow } from "./schedule-repo";

function failureOf(report: TaskStartReport, taskId: string): string | undefined {
  const started = report.started.find((s) => s.taskId.toLowerCase() === taskId.toLowerCase());
  if (started?.status === "started") return undefined;
  if (started?.error) return `QRS refused the start: ${started.error}`;
  if (report.notFound.length) return `task ${taskId} does not exist in Qlik Sense`;
  if (report.invalid.length) return `task id ${taskId} is not a GUID`;
  if (report.denied.length) return `denied by the start allowlist: ${report.denied[0]!.reason}`;
  return "the task was not started";
}

/** `occurrence`: the planned time this fire stands for (cron: its due time; catch-up: the first missed one). */
export async function fireSchedule(ctx: RunnerContext, row: ScheduleRow, reason: LastRun["reason"], event?: TaskEvent, occurrence?: number): Promise<void> {
  const { deps, fires } = ctx;
  const { clock, log, audit, repo } = deps;
  const taskId = row.definition.qlikSenseTaskId;
  const origin: StartOrigin = reason === "event" ? { kind: "event-trigger", name: row.id } : { kind: "schedule", name: row.id };
  const at = new Date(clock.now()).toISOString();
  let error: string | undefined;
  try {
    error = failureOf(await deps.taskStarter.start({ taskIds: [taskId] }, origin), taskId);
  } catch (err) {
    error = describeError(err);
  }
  const run: LastRun = { at, reason, result: error ? "failed" : "started", taskId, ...(error ? { error } : {}), ...(event ? { eventId: event.id } : {}) };
  fires.inc({ reason, result: run.result });
  const fields = { scheduleId: row.id, schedule: row.definition.name, taskId, reason, ...(event ? { eventId: event.id, sourceTaskId: event.task.id } : {}) };
  if (error) log.warn({ ...fields, error }, "schedule fired; the task did not start");
  else log.info(fields, "schedule fired; task started");
  // Audited first: the audit log keeps the entry through a store outage and writes it when the store is back,
  // whereas the schedule's lastRun below is written now or not at all (the next fire sets it again).
  audit.record({
    actor: { kind: origin.kind, name: row.id },
    action: "schedule.fire",
    target: row.id,
    result: error ? "failed" : "ok",
    details: { ...fields, firedAt: at, ...(occurrence !== undefined ? { occurrence: new Date(occurrence).toISOString() } : {}), ...(error ? { error } : {}) },
  });
  if (!deps.storeOpen()) return;
  try {
    if (await repo.get(row.id)) await repo.setLastRun(row.id, run);
  } catch (err) {
    log.warn({ ...fields, err: describeError(err) }, "cannot record the fire on the schedule (the audit log has it)");
  }
}

/** An event trigger's fire, unless the data checks of the reload that triggered it hold its follow-ups back. */
export async function fireUnlessHeld(ctx: RunnerContext, row: ScheduleRow, e: TaskEvent): Promise<void> {
  const { deps } = ctx;
  let why: string | undefined;
  if (deps.holdBack && e.kind === "task.succeeded") {
    why = await deps.holdBack(e).catch((err: unknown) => `the data checks of the reload could not be read: ${describeError(err)}`);
  }
  if (!why) return fireSchedule(ctx, row, "event", e);
  const { repo, clock, log, audit } = deps;
  await recordHeldFire({ repo, clock, log, audit, fires: ctx.fires, storeOpen: deps.storeOpen }, row, e, why);
}
