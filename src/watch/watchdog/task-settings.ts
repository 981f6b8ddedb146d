// A task's effective watchdog settings: its QMC custom properties (StewardGrace, StewardMaxDuration,
// StewardExpectSuccessWithin, StewardWatch) win, then the first config rule that names the task or its app.
import type { WatchdogConfig, WatchRule } from "./config";
import type { WatchedApp, WatchedTask } from "./qrs-plan";
import { globMatch } from "../../platform/core/glob";

export interface TaskSettings {
  watch: boolean;
  /** When not watched: what says so, in words for the watchdog's page ("StewardWatch=off on the task", a config rule). */
  watchOffBy?: string;
  /** Raise task.disabled when the task is turned off (a rule's `disabled: false` says no). */
  reportDisabled: boolean;
  graceMs?: number;
  maxDurationMs?: number;
  maxDurationFrom?: "StewardMaxDuration" | "config";
  expectSuccessWithinMs?: number;
}

const lower = (s: string) => s.toLowerCase();

function ruleNames(rule: WatchRule, task: WatchedTask | undefined, app: WatchedApp | undefined): boolean {
  const hasTaskKey = rule.taskIds || rule.taskNames || rule.taskTags;
  const hasAppKey = rule.appIds || rule.appTags;
  if (!hasTaskKey && !hasAppKey) return true;
  if (task) {
    if (rule.taskIds?.some((id) => lower(id) === task.id)) return true;
    if (rule.taskNames?.some((n) => globMatch(n, task.name))) return true;
    if (rule.taskTags?.some((t) => task.tags.some((x) => lower(x) === lower(t)))) return true;
  }
  if (app) {
    if (rule.appIds?.some((id) => lower(id) === app.id)) return true;
    if (rule.appTags?.some((t) => app.tags.some((x) => lower(x) === lower(t)))) return true;
  }
  return false;
}

export function settingsFor(cfg: WatchdogConfig, task: WatchedTask | undefined, app: WatchedApp | undefined): TaskSettings {
  const index = cfg.rules.findIndex((r) => ruleNames(r, task, app));
  const rule = index >= 0 ? cfg.rules[index] : undefined;
  const o = task?.overrides ?? {};
  const maxFrom = o.maxDurationMs !== undefined ? "StewardMaxDuration" : rule?.maxDuration !== undefined ? "config" : undefined;
  const grace = o.graceMs ?? rule?.grace;
  const max = o.maxDurationMs ?? rule?.maxDuration;
  const within = o.expectSuccessWithinMs ?? rule?.expectSuccessWithin;
  const watch = o.watch ?? rule?.watch ?? true;
  const offBy = o.watch === false ? "StewardWatch=off on the task" : `excluded by the config: watchdog.rules[${index}] says watch: false`;
  return {
    watch,
    ...(watch ? {} : { watchOffBy: offBy }),
    reportDisabled: rule?.disabled ?? true,
    ...(grace !== undefined ? { graceMs: grace } : {}),
    ...(max !== undefined && maxFrom ? { maxDurationMs: max, maxDurationFrom: maxFrom } : {}),
    ...(within !== undefined ? { expectSuccessWithinMs: within } : {}),
  };
}
