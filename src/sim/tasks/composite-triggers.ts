// Task-event (composite) triggers: a trigger fires once each of its rules (task X finished with success or
// failure) was met within the trigger's time constraint.
import type { Repository, TaskState } from "../repo/repository";
import type { CompositeTriggerModel } from "../site/model";

/** A rule's state (1 success, 2 failure) as the QRS final status it waits for (7 FinishedSuccess, 8 FinishedFail). */
const COMPOSITE_STATUS = { 1: 7, 2: 8 } as const;

const windowMs = (c: CompositeTriggerModel) =>
  ((c.timeConstraint.days * 24 + c.timeConstraint.hours) * 60 + c.timeConstraint.minutes) * 60_000 + c.timeConstraint.seconds * 1000;

/** Per composite trigger: when each of its rules was last met. */
export type RulesMet = Map<string, Map<string, number>>;

/**
 * Task `upId` finished with `status` at `atMs`: marks the rules that waited for it and fires each trigger whose
 * rules are now all met (its time constraint scaled by `windowScale`), forgetting what it had seen.
 */
export function onTaskFinished(
  repo: Repository,
  met: RulesMet,
  upId: string,
  status: number,
  atMs: number,
  windowScale: number,
  fire: (task: TaskState, triggerId: string) => void,
): void {
  for (const task of repo.tasks.values()) {
    for (const tr of task.model.triggers) {
      if (tr.type !== "composite" || !tr.enabled) continue;
      const rule = tr.rules.find((r) => r.taskId === upId && COMPOSITE_STATUS[r.ruleState] === status);
      if (!rule) continue;
      const seen = met.get(tr.id) ?? new Map<string, number>();
      met.set(tr.id, seen);
      seen.set(rule.id, atMs);
      const win = windowMs(tr) * windowScale;
      if (tr.rules.every((r) => (seen.get(r.id) ?? -Infinity) >= atMs - (win > 0 ? win : Infinity))) {
        seen.clear();
        fire(task, tr.id);
      }
    }
  }
}
