// Which checks apply after a reload: a check applies to an app when any of its attachments matches the app
// (id or name, tag, stream, custom property), the reload task (id or name, tag) or a check set named by the
// StewardChecks custom property of the app or the task. Names compare case-insensitively, as in the QMC.
import type { DataCheckConfig, DataChecksConfig } from "./config";
import type { NameValue } from "../../platform/events/types";

export interface CheckTarget {
  app: { id: string; name: string; stream?: string; tags: string[]; customProperties: NameValue[] };
  task?: { id: string; name: string; tags: string[]; customProperties: NameValue[] };
}

const lower = (s: string) => s.trim().toLowerCase();
const anyOf = (have: readonly string[], want: readonly string[] | undefined) => {
  if (!want?.length) return false;
  const set = new Set(have.map(lower));
  return want.some((w) => set.has(lower(w)));
};

/** The values of the StewardChecks custom property on the app and the task; "a, b" names two. */
export function namedSets(customProperty: string, t: CheckTarget): string[] {
  const name = lower(customProperty);
  const cps = [...t.app.customProperties, ...(t.task?.customProperties ?? [])];
  return cps.filter((cp) => lower(cp.name) === name).flatMap((cp) => cp.value.split(",").map(lower).filter(Boolean));
}

export function checkApplies(c: DataCheckConfig, t: CheckTarget, sets: readonly string[]): boolean {
  const { app, task } = t;
  if (anyOf([app.id, app.name], c.apps)) return true;
  if (anyOf(app.tags, c.appTags)) return true;
  if (app.stream && anyOf([app.stream], c.streams)) return true;
  if (c.appCustomProperties?.some((w) => app.customProperties.some((cp) => lower(cp.name) === lower(w.name) && lower(cp.value) === lower(w.value))))
    return true;
  if (task && anyOf([task.id, task.name], c.tasks)) return true;
  if (task && anyOf(task.tags, c.taskTags)) return true;
  // A StewardChecks value names a set the check belongs to, or the check itself.
  return anyOf(sets, [...(c.sets ?? []), c.name]);
}

export function applicableChecks(cfg: DataChecksConfig, t: CheckTarget): DataCheckConfig[] {
  const sets = namedSets(cfg.customProperty, t);
  return cfg.checks.filter((c) => checkApplies(c, t, sets));
}

/** The StewardChecks values that name neither a set nor a check: worth a warning (a typo in the QMC). */
export function unknownSets(cfg: DataChecksConfig, t: CheckTarget): string[] {
  const known = new Set(cfg.checks.flatMap((c) => [...(c.sets ?? []), c.name]).map(lower));
  return namedSets(cfg.customProperty, t).filter((s) => !known.has(s));
}
