// A rule retries a cause, not each task: when failures share one (the same data source, as grouping's same-source
// rule finds it), the first failure is the cause's probe and is retried as the rule says; the others wait, held, and
// are retried together once the probe's task ran well again. So the budget is spent on one task while the source is
// still down, not on every task of it, and "the source came back" runs everything again.
import type { AuditLog } from "../../platform/audit/audit-log";
import type { CauseSummary } from "../../platform/events/cause-summary";
import type { TaskEvent } from "../../platform/events/types";
import { causeSourceOf } from "../../tell/grouping/source";
import type { ActionStore } from "./action-store";
import type { CauseProbes } from "./cause-probes";

export interface CauseRetryDeps {
  store: ActionStore;
  probes: CauseProbes;
  audit: AuditLog;
  poke(): Promise<void>;
}

/** The cause the failure shares with others (grouping's key of a same-source cause), if its log names a source. */
export function retryCauseOf(e: TaskEvent): string | undefined {
  if (!e.errorClass) return undefined;
  const source = causeSourceOf(e);
  return source ? `source:${e.errorClass}|${source.toLowerCase()}` : undefined;
}

/**
 * The incident is its cause's open probe and its task ran well (its retry, or any run of it): the source is back, so
 * every task that waited for it is retried now. Once on the whole site (the probe ends in one UPDATE).
 */
export async function releaseWaiters(deps: CauseRetryDeps, incidentId: number, now: number): Promise<void> {
  const probe = await deps.probes.ofIncident(incidentId);
  if (probe?.status !== "probing" || !(await deps.probes.end(probe.id, "released", now))) return;
  const tried = (await deps.store.ofIncident(incidentId)).filter((a) => a.requestedFrom === "rule");
  const followsId = tried.at(-1)?.id;
  if (followsId === undefined) return;
  const waiters = await deps.probes.waiters(probe.id);
  for (const w of waiters) {
    const { added, action } = await deps.store.add({
      incidentId: w.incidentId,
      taskId: w.taskId,
      taskName: w.taskName,
      ...(w.node ? { node: w.node } : {}),
      kind: "retry",
      requestedBy: `rule:${probe.ruleName}`,
      requestedFrom: "rule",
      requestedAt: now,
      dueAt: now,
      followsId,
    });
    if (!added) continue; // a person's retry of the task is pending: theirs runs
    deps.audit.record({
      actor: { kind: "remediation", name: `rule:${probe.ruleName}` },
      action: "remediation.request",
      target: w.taskId,
      result: "ok",
      details: {
        actionId: action.id,
        incidentId: w.incidentId,
        kind: "retry",
        from: "rule",
        attempt: 1,
        dueAt: new Date(now).toISOString(),
        cause: probe.causeKey,
        followsProbe: followsId,
        probeTask: probe.taskName,
      },
    });
  }
  if (waiters.length > 0) await deps.poke();
}

/** The probe's retries are spent (or stopped): the probe's failure is the cause's one page; its waiters stay held. */
export async function probeGaveUp(deps: CauseRetryDeps, incidentId: number, why: string, now: number): Promise<void> {
  const probe = await deps.probes.ofIncident(incidentId);
  if (probe?.status !== "probing" || !(await deps.probes.end(probe.id, "gave_up", now))) return;
  const waiters = await deps.probes.waiters(probe.id);
  deps.audit.record({
    actor: { kind: "remediation", name: `rule:${probe.ruleName}` },
    action: "remediation.gave_up",
    target: probe.taskId,
    result: "ok",
    details: { incidentId, cause: probe.causeKey, reason: why, waiting: waiters.length },
  });
}

/** What the rule is trying for the cause now (its open probe's next retry and who waits), for the cause's pages. */
export async function causeTrying(deps: Pick<CauseRetryDeps, "store" | "probes">, causeKey: string): Promise<CauseSummary["trying"]> {
  const probe = await deps.probes.open(causeKey);
  if (!probe) return undefined;
  const next = (await deps.store.ofIncident(probe.incidentId)).find((a) => a.requestedFrom === "rule" && (a.status === "pending" || a.status === "claimed"));
  if (!next) return undefined;
  const waiting = (await deps.probes.waiters(probe.id)).length;
  return { task: probe.taskName, at: new Date(next.dueAt).toISOString(), rule: probe.ruleName, waiting };
}
