// Qlik Cloud task schedules whose recurrence rule costs more steps than a look allows: remembered by task
// definition (tenant, id, updatedAt) and reported as a problem, not computed again until the task changes.
import type { RecurrenceBudgetError } from "../../platform/core/rrule";
import type { CloudPlanTask } from "./cloud-plan";
import type { CloudWatchTenant } from "./cloud-task-list";

export interface CostlySchedules {
  /** The problem named for this task definition, if its schedule was too costly. */
  get(key: string): string | undefined;
  has(key: string): boolean;
  /** Remembers a task whose schedule costs more than its budget (until its definition changes) and names it. */
  mark(key: string, t: CloudWatchTenant, task: CloudPlanTask, err: RecurrenceBudgetError): string;
}

export function createCostlySchedules(): CostlySchedules {
  const tooCostly = new Map<string, string>();
  return {
    get: (key) => tooCostly.get(key),
    has: (key) => tooCostly.has(key),
    mark(key, t, task, err) {
      const problem = `task "${task.name}" (Qlik Cloud, ${t.name}): its schedule ${(task.scheduleText ?? "").slice(0, 300)} is not watched: ${err.message}`;
      if (tooCostly.size >= 10_000) tooCostly.clear();
      tooCostly.set(key, problem);
      return problem;
    },
  };
}
