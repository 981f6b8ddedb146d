// Wires the task-event intake into the app: lifecycle components (in start order) and readiness checks.
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { Readiness } from "../../platform/core/readiness";
import { createTaskIntake, type IntakeSetupConfig, type TaskIntake, type TaskIntakeDeps } from "./task-intake";

export function setupIntake(config: IntakeSetupConfig, deps: TaskIntakeDeps & { lifecycle: Lifecycle; readiness: Readiness }): TaskIntake {
  const intake = createTaskIntake(config, deps);
  for (const c of intake.components) deps.lifecycle.add(c);
  for (const r of intake.readiness) deps.readiness.register(r);
  return intake;
}
