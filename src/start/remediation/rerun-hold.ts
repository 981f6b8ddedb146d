// Never a loop of re-runs: a run a [queue] rule re-ran once the queue drained, and that Qlik cancelled in the queue
// again, is not re-run a second time (auto-rerun.ts refuses it) and pages once, "re-run once, cancelled again". Its
// failure gets a threshold its two failures reach, and the threshold's origin (remediation.rules[i]) tells the queue's
// grouping rule to send it rather than fold it into the new backlog as one more cancellation (src/tell/grouping).
import type { AuditLog } from "../../platform/audit/audit-log";
import type { TaskEvent } from "../../platform/events/types";
import { PAGE_AFTER_MAX_WINDOW_MS, type PageAfter } from "../../tell/notify/page-after";
import type { RemediationAction } from "./action-store";

export async function rerunHold(e: TaskEvent, done: readonly RemediationAction[], index: number, deps: { audit: AuditLog }): Promise<PageAfter | undefined> {
  // A re-run that failed for a reason of its own (a script error) is the task's own failure, paged as any.
  if ((e.kind !== "task.failed" && e.kind !== "task.aborted") || e.errorClass !== "queue") return undefined;
  const rerun = done.find((a) => a.kind === "rerun" && a.status === "ended");
  if (!rerun) return undefined; // the first cancellation: a symptom of the backlog, re-run once the queue drained
  deps.audit.record({
    actor: { kind: "remediation", name: rerun.requestedBy },
    action: "remediation.gave_up",
    target: e.task.id,
    result: "failed",
    details: { incidentId: e.incident?.id, actionId: rerun.id, reason: "re-run once, cancelled again: not re-run a second time" },
  });
  return { failures: 2, withinMs: PAGE_AFTER_MAX_WINDOW_MS, from: `remediation.rules[${index}]` };
}
