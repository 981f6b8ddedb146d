// A rule retries a cause, not each task: when failures share one (the same data source, as grouping's same-source
// rule finds it), the first failure is the cause's probe and is retried as the rule says; the others wait, held, and
// are retried together once the probe's task ran well again. So the budget is spent on one task while the source is
// still down, not on every task of it, and "the source came back" runs everything again.
import type { AuditLog } from "../../platform/audit/audit-log";
import type { CauseSummary } from "../../platform/events/cause-summary";
import type { TaskEvent } from "../../platform/events/types";
import { causeSourceOf } from "../../tell/grouping/source";
import type { ActionStore } from "./action-store";
import type { CauseProbes, ProbeWaiter } from "./cause-probes";
import { HOUR } from "./rule-match";

/** Past the rule's delays and this, a probe nobody ended (its incident resolved by hand, its Steward gone) expires. */
const PROBE_SLACK_MS = 6 * HOUR;

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
 * A failure (the first of its incident) of a task whose cause has a probe: "waits" for another task's open probe,
 * "given up" when the rule gave up on the cause within the hour (a task of it failing again pages as without a rule,
 * folded into the cause's page, rather than starting the same retries over), else its cause (to be its probe), if any.
 */
export async function causeGate(
  deps: CauseRetryDeps,
  e: TaskEvent,
  rule: string,
  facts: Omit<ProbeWaiter, "heldAt">,
  now: number,
  retrySpanMs: number,
): Promise<"waits" | "given up" | { causeKey: string | undefined }> {
  const causeKey = retryCauseOf(e);
  const latest = causeKey ? await deps.probes.latest(causeKey) : undefined;
  if (!causeKey || !latest) return { causeKey };
  if (latest.status === "probing" && now - latest.openedAt > retrySpanMs + PROBE_SLACK_MS) {
    await deps.probes.end(latest.id, "expired", now);
    return { causeKey };
  }
  if (latest.status === "probing") {
    if (latest.taskId === facts.taskId.toLowerCase()) return { causeKey };
    await deps.probes.wait(latest.id, facts, now);
    return "waits";
  }
  if (latest.status !== "gave_up" || latest.endedAt === null || now - latest.endedAt >= HOUR) return { causeKey };
  deps.audit.record({
    actor: { kind: "remediation", name: `rule:${rule}` },
    action: "remediation.withheld",
    target: e.task.id,
    result: "denied",
    details: {
      incidentId: facts.incidentId,
      cause: causeKey,
      reason: `the rule gave up on this cause at ${new Date(latest.endedAt).toISOString()} (its probe ${latest.taskName} was not healed by its retries)`,
    },
  });
  return "given up";
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
