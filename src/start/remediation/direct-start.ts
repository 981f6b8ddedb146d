// A direct start of one task (Butler's POST /v4/reloadtask/{id}/start) under the two-person rule
// (remediation.approval.directStarts: two-person): the first person's start is recorded as an action waiting for a
// second, different person, who confirms it by asking for the same start or by the action's id; then one Steward of
// the site starts it once, as any remediation action. The action belongs to no incident (0).
import type { AuditLog } from "../../platform/audit/audit-log";
import type { Clock } from "../../platform/core/clock";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { eq } from "../../platform/qlik/qrs-filter";
import type { ActionStore, RemediationAction } from "./action-store";
import type { Approval, Asker } from "./approval";
import { recordAsk } from "./record-ask";

export interface DirectStartRequest extends Asker {
  taskId: string;
}

/** awaiting: recorded, waits for a second person; confirmed: this start confirmed another person's (it now runs). */
export type DirectStartAnswer =
  | { ok: true; action: RemediationAction; awaiting: boolean; confirmed?: { firstBy: string; already: boolean } }
  | { ok: false; status: 403 | 404; code: "FORBIDDEN" | "NOT_FOUND"; field: string; message: string };

export interface DirectStartDeps {
  store: ActionStore;
  approval: Approval;
  qrs: Pick<QrsClient, "listTasksFull">;
  clock: Clock;
  audit: AuditLog;
  poke(): Promise<void>;
}

export function createDirectStarts(deps: DirectStartDeps) {
  const { approval } = deps;
  return async function requestStart(r: DirectStartRequest): Promise<DirectStartAnswer> {
    const taskId = r.taskId.toLowerCase();
    const key = `start:task:${taskId}`;
    const press = async (): Promise<DirectStartAnswer | undefined> => {
      const p = await approval.press("directStarts", key, r);
      if (p.step === "refused") return { ok: false, status: 403, code: "FORBIDDEN", field: "approval", message: p.message };
      if (p.step === "confirmed" && p.actions[0])
        return { ok: true, action: p.actions[0], awaiting: false, confirmed: { firstBy: p.firstBy, already: p.already === true } };
      return undefined;
    };
    const answered = await press();
    if (answered) return answered;
    // The task is looked up before anything is recorded: a second person should confirm a start of a task that exists.
    const [task] = await deps.qrs.listTasksFull(eq("id", taskId));
    if (!task) return { ok: false, status: 404, code: "NOT_FOUND", field: "taskId", message: `QRS has no task ${taskId}` };
    const { added, action } = await recordAsk(deps, r, { kind: "start", incidentId: 0, taskId, taskName: task.name, awaiting: key });
    // Two people starting first at once on two Stewards: the second's row joined the first's, so it confirms it.
    if (!added && action.status === "awaiting") return (await press()) ?? { ok: true, action, awaiting: true };
    // An action of the task already under way (a retry, a confirmed start): this start joins it, nothing starts twice.
    if (added) await deps.poke();
    return { ok: true, action, awaiting: action.status === "awaiting" };
  };
}
