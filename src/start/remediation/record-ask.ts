// A person's ask for a task's start, reload or chain, recorded as an action (waiting for a second person under the
// two-person rule, else due now) and audited: one row and one audit entry, whether a direct start (direct-start.ts) or
// an incident's reload or chain (more-requests.ts) asked.
import type { AuditLog } from "../../platform/audit/audit-log";
import type { Clock } from "../../platform/core/clock";
import type { ActionKind, ActionStore, RemediationAction } from "./action-store";
import type { Asker } from "./approval";

export interface RecordAskDeps {
  store: ActionStore;
  clock: Clock;
  audit: AuditLog;
}

export interface Ask {
  kind: ActionKind;
  /** 0: a direct start, which belongs to no incident. */
  incidentId: number;
  taskId: string;
  taskName: string;
  /** The two-person rule's key: the action waits for a second person. */
  awaiting?: string;
  /** The node whose Scheduler queue the action waits for. */
  node?: string;
}

/** `details`: what the audit entry says beside the action, knowing whether the ask added one or joined one under way. */
export async function recordAsk(
  deps: RecordAskDeps,
  r: Pick<Asker, "by" | "from" | "ip">,
  ask: Ask,
  details: (added: boolean) => Record<string, unknown> = () => ({}),
): Promise<{ added: boolean; action: RemediationAction }> {
  const now = deps.clock.now();
  const { added, action } = await deps.store.add({
    ...(ask.awaiting ? { awaiting: ask.awaiting } : {}),
    incidentId: ask.incidentId,
    taskId: ask.taskId,
    taskName: ask.taskName,
    kind: ask.kind,
    ...(ask.node ? { node: ask.node } : {}),
    requestedBy: r.by,
    requestedFrom: r.from,
    ...(r.ip ? { requestedIp: r.ip } : {}),
    requestedAt: now,
    dueAt: now,
  });
  deps.audit.record({
    actor: { kind: r.from === "link" ? "link" : "remediation", name: r.by, ...(r.ip ? { ip: r.ip } : {}) },
    action: "remediation.request",
    target: ask.taskId,
    result: "ok",
    details: {
      actionId: action.id,
      ...(ask.incidentId !== 0 ? { incidentId: ask.incidentId } : {}),
      kind: ask.kind,
      from: r.from,
      joined: !added,
      ...details(added),
      ...(ask.awaiting && added ? { awaiting: "a second person" } : {}),
    },
  });
  return { added, action };
}
