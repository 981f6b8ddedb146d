// Schedules the demo creates in Steward's own scheduler, so the dashboard has something to toggle and the
// terminal shows Steward starting tasks itself: a fast cron, two office-hours crons and an event trigger.
import type { AuditActor } from "../../platform/audit/audit-log";
import type { Scheduler } from "../../start/scheduler";
import type { ScheduleInput } from "../../start/scheduler";
import type { TaskModel } from "../../sim";

const DEMO_ACTOR: AuditActor = { kind: "system", name: "demo" };

export async function createDemoSchedules(scheduler: Scheduler, tasks: readonly TaskModel[]): Promise<number> {
  const byName = (part: string) => tasks.find((t) => t.enabled && t.name.includes(part));
  const sales = byName("Sales dashboard");
  const ledger = byName("General ledger");
  const payable = byName("Accounts payable");
  const inventory = byName("Inventory on hand");
  const inputs: ScheduleInput[] = [];
  if (sales) inputs.push({ name: "Sales dashboard every 45 s (demo)", cronSchedule: "*/45 * * * * *", qlikSenseTaskId: sales.id, tags: ["demo", "sales"] });
  if (ledger) {
    inputs.push({ name: "Finance close, weekdays 05:30", cronSchedule: "30 5 * * 1-5", qlikSenseTaskId: ledger.id, tags: ["finance"] });
    inputs.push({
      name: "General ledger hourly, 03:00–15:00",
      cronSchedule: "0 * * * *",
      timeWindow: { from: "03:00", to: "15:00" },
      qlikSenseTaskId: ledger.id,
      tags: ["finance", "hourly"],
      startupState: "stopped",
    });
  }
  if (payable && inventory) {
    inputs.push({
      name: "After Accounts payable fails, reload Inventory on hand",
      qlikSenseTaskId: inventory.id,
      trigger: { on: ["failed"], taskIds: [payable.id], taskTags: [] },
      tags: ["event-trigger"],
    });
  }
  for (const input of inputs) await scheduler.create(input, DEMO_ACTOR);
  return inputs.length;
}
