// The start allowlist (Butler's startTaskFilter), additive as Butler documents but does not implement: a task
// may start when its id is listed, or it carries a listed tag, or a listed custom property value.
import type { StartTaskFilterConfig } from "./config";
import type { NameValue } from "../../platform/events/types";

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
  // Everything compares case-insensitively, as QRS filters (start by tag or custom property) and route filters do:
  // a task that a start request finds by tag "daily" must not then be refused because the list says "Daily".
  const lc = (s: string) => s.toLowerCase();
  const ids = new Set(cfg.taskIds.map(lc));
  const tags = new Set(cfg.tags.map(lc));
  const cps = new Set(cfg.customProperties.map((cp) => `${lc(cp.name)}\u0000${lc(cp.value)}`));
  return {
    enabled: cfg.enabled,
    check(task) {
      if (!cfg.enabled) return { allowed: true, because: "start allowlist disabled" };
      if (ids.has(lc(task.id))) return { allowed: true, because: "task id is on the allowlist" };
      const tag = task.tags.find((t) => tags.has(lc(t)));
      if (tag !== undefined) return { allowed: true, because: `tag ${tag} is on the allowlist` };
      const cp = task.customProperties.find((c) => cps.has(`${lc(c.name)}\u0000${lc(c.value)}`));
      if (cp) return { allowed: true, because: `custom property ${cp.name}=${cp.value} is on the allowlist` };
      return { allowed: false, reason: "not on the start allowlist (control.startTaskFilter): neither its id, a tag nor a custom property value is listed" };
    },
  };
}
