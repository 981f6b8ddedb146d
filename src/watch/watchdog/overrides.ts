// Per-task settings from QMC custom properties on the task (StewardMaxDuration, StewardExpectSuccessWithin,
// StewardGrace, StewardWatch=off). A value Steward cannot read is a problem naming the task, never an exception.
import { parseDuration } from "./duration";

export interface WatchOverrides {
  maxDurationMs?: number;
  expectSuccessWithinMs?: number;
  graceMs?: number;
  /** false = StewardWatch off: no watchdog alert for this task. */
  watch?: boolean;
}

export interface OverrideProblem {
  taskId: string;
  taskName: string;
  property: string;
  value: string;
  message: string;
}

const DURATION_KEYS = {
  stewardmaxduration: "maxDurationMs",
  stewardexpectsuccesswithin: "expectSuccessWithinMs",
  stewardgrace: "graceMs",
} as const;

/** QRS task JSON: `customProperties: [{ value, definition: { name } }]`; anything else in there is skipped. */
export function readOverrides(task: { id: string; name: string; customProperties?: unknown }): { overrides: WatchOverrides; problems: OverrideProblem[] } {
  const overrides: WatchOverrides = {};
  const problems: OverrideProblem[] = [];
  const cps = Array.isArray(task.customProperties) ? task.customProperties : [];
  for (const cp of cps) {
    const name = typeof cp?.definition?.name === "string" ? (cp.definition.name as string) : undefined;
    if (!name) continue;
    const key = name.toLowerCase();
    const value = typeof cp.value === "string" ? cp.value : String(cp.value);
    const problem = (message: string) => problems.push({ taskId: task.id, taskName: task.name, property: name, value, message });
    if (key in DURATION_KEYS) {
      const d = parseDuration(value);
      if (d.ok) overrides[DURATION_KEYS[key as keyof typeof DURATION_KEYS]] = d.ms;
      else problem(d.error);
    } else if (key === "stewardwatch") {
      const v = value.trim().toLowerCase();
      if (v === "off" || v === "false" || v === "no") overrides.watch = false;
      else if (v === "on" || v === "true" || v === "yes") overrides.watch = true;
      else problem(`'${value}' is neither on nor off`);
    }
  }
  return { overrides, problems };
}
