// The start allowlist (control.startTaskFilter) at a held direct start's ask: under the two-person rule a start the
// allowlist refuses would wait for a second person and then be refused by the worker, a confirmation for nothing. It
// is refused when asked for instead, and audited as the refusal of an unheld start is (task.start, denied).
import type { AuditActor, AuditLog } from "../../platform/audit/audit-log";
import { AppError, describeError } from "../../platform/core/errors";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { eq } from "../../platform/qlik/qrs-filter";
import type { StartFilter } from "./start-filter";
import { taskCustomProperties, taskTags } from "./task-starter";

/** Why the allowlist refuses a start of this task (a message naming the task and the filter); undefined: it may start. */
export type HeldStartFilter = (taskId: string, actor: AuditActor) => Promise<string | undefined>;

export function createHeldStartFilter(deps: { qrs: Pick<QrsClient, "listTasksFull">; filter: StartFilter; audit: AuditLog }): HeldStartFilter {
  return async (taskId, actor) => {
    if (!deps.filter.enabled) return undefined;
    const [task] = await deps.qrs.listTasksFull(eq("id", taskId)).catch((err: unknown) => {
      throw new AppError("QRS_UNAVAILABLE", `looking up task ${taskId} for the start allowlist: ${describeError(err)}`, { cause: err });
    });
    // A task QRS does not have is answered by the two-person rule's own 404.
    if (!task) return undefined;
    const decision = deps.filter.check({ id: task.id, tags: taskTags(task), customProperties: taskCustomProperties(task) });
    if (decision.allowed) return undefined;
    deps.audit.record({
      actor,
      action: "task.start",
      target: task.id,
      result: "denied",
      details: { taskName: task.name, via: ["id"], reason: decision.reason },
    });
    return `${task.name} (${task.id}) is ${decision.reason}; nothing was held for a second person. To let it start, list its id, one of its tags or one of its custom property values under control.startTaskFilter`;
  };
}
