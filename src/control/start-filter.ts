// The start allowlist (Butler's startTaskFilter), additive as Butler documents but does not implement: a task
// may start when its id is listed, or it carries a listed tag, or a listed custom property value.
import type { StartTaskFilterConfig } from "../config/sections/control";
import type { NameValue } from "../events/types";

export interface FilterableTask {
  id: string;
  tags: string[];
  customProperties: NameValue[];
}

export type FilterDecision = { allowed: true; because: string } | { allowed: false; reason: string };

export interface StartFilter {
  readonly enabled: boolean;
  check(task: FilterableTask): FilterDecision;
}

export function createStartFilter(cfg: StartTaskFilterConfig): StartFilter {
  // Task ids compare case-insensitively (GUIDs); tags and custom property values exactly, as the QMC shows them.
  const ids = new Set(cfg.taskIds.map((id) => id.toLowerCase()));
  const tags = new Set(cfg.tags);
  const cps = new Set(cfg.customProperties.map((cp) => `${cp.name}\u0000${cp.value}`));
  return {
    enabled: cfg.enabled,
    check(task) {
      if (!cfg.enabled) return { allowed: true, because: "start allowlist disabled" };
      if (ids.has(task.id.toLowerCase())) return { allowed: true, because: "task id is on the allowlist" };
      const tag = task.tags.find((t) => tags.has(t));
      if (tag !== undefined) return { allowed: true, because: `tag ${tag} is on the allowlist` };
      const cp = task.customProperties.find((c) => cps.has(`${c.name}\u0000${c.value}`));
      if (cp) return { allowed: true, because: `custom property ${cp.name}=${cp.value} is on the allowlist` };
      return { allowed: false, reason: "not on the start allowlist (control.startTaskFilter): neither its id, a tag nor a custom property value is listed" };
    },
  };
}
