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

/** The composite triggers that wait for a task, by the upstream task id their rules name. */
export type CompositeIndex = Map<string, Array<{ task: TaskState; tr: CompositeTriggerModel }>>;

/**
 * Indexes the repository's composite triggers by the tasks their rules name, in the order the repository lists its
 * tasks and each task its triggers. A site of thousands of tasks finishes thousands of runs a day: looking through
 * every task's triggers for each finished run cost most of a simulated day's time. The site model fixes the composite
 * triggers and their rules (the control API only turns them on or off, or deletes a task: both checked when a run
 * finishes), so the index is built once.
 */
export function indexCompositeTriggers(repo: Repository): CompositeIndex {
  const index: CompositeIndex = new Map();
  for (const task of repo.tasks.values()) {
    for (const tr of task.model.triggers) {
      if (tr.type !== "composite") continue;
      for (const upId of new Set(tr.rules.map((r) => r.taskId))) {
        const list = index.get(upId) ?? [];
        index.set(upId, list);
        list.push({ task, tr });
      }
    }
  }
  return index;
}

/**
 * Task `upId` finished with `status` at `atMs`: marks the rules that waited for it and fires each trigger whose
 * rules are now all met (its time constraint scaled by `windowScale`), forgetting what it had seen.
 */
export function onTaskFinished(
  repo: Repository,
  index: CompositeIndex,
  met: RulesMet,
  upId: string,
  status: number,
  atMs: number,
  windowScale: number,
  fire: (task: TaskState, triggerId: string) => void,
): void {
  for (const { task, tr } of index.get(upId) ?? []) {
    if (!tr.enabled || repo.tasks.get(task.model.id.toLowerCase()) !== task) continue;
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
