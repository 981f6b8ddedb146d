// Automatic remediation, off unless `remediation.rules` has a rule: the incidents service asks it about each failure
// of an open incident (FailureHold) before the failure reaches the bus. A failure a rule matches is retried after the
// rule's next delay, and its page waits: the failure gets a "page after N failures" threshold one above the failures so
// far, so it is held, and a retry that heals recovers an incident nobody was told of (no page). When the rule's retries
// are spent (or the budget, a maintenance window or a disabled task stops the next one), the threshold is the failures
// so far: this failure pages once, with every attempt. Never a loop: an incident gets at most the rule's retries.
// Failures that share a cause (one data source) are retried through one probe task first (cause-retry.ts).
import type { AuditLog } from "../../platform/audit/audit-log";
import type { TaskEvent } from "../../platform/events/types";
import { PAGE_AFTER_MAX_WINDOW_MS, type PageAfter } from "../../tell/notify/page-after";
import type { FailureHold } from "../../tell/incidents";
import type { ActionStore } from "./action-store";
import type { CauseProbes } from "./cause-probes";
import { causeGate, probeGaveUp, releaseWaiters } from "./cause-retry";
import { isRerunRule, type RemediationConfig } from "./config";
import { rerunHold } from "./rerun-hold";
import { HOUR, ruleMatches, ruleName, type StopDeps, stopper } from "./rule-match";

/** The window the held failures are counted in: the retries' delays, plus their runs and the intake's lateness. */
const SLACK_MS = 6 * HOUR;

export interface AutoDeps extends StopDeps {
  store: ActionStore;
  probes: CauseProbes;
  audit: AuditLog;
  /** Looks for due actions and arms the timer for the new one. */
  poke(): Promise<void>;
}

const factsOf = (e: TaskEvent) => ({ errorClass: e.errorClass, task: e.task });

export function createFailureHold(cfg: RemediationConfig, deps: AutoDeps): FailureHold | undefined {
  if (cfg.rules.length === 0) return undefined;
  return async (e) => {
    if (e.source === "test" || !e.incident) return undefined;
    const now = deps.clock.now();
    // This run may be the one a retry started: its action ends now, before the next is decided (the bus hears it later).
    const outcome = e.kind === "task.succeeded" ? "succeeded" : e.kind === "task.failed" ? "failed" : "aborted";
    await deps.store.ended(e.task.id, now, outcome, e.errorLine ?? null, e.executionId);
    const done = (await deps.store.ofIncident(e.incident.id)).filter((a) => a.requestedFrom === "rule");
    const i = cfg.rules.findIndex((r) => ruleMatches(r, factsOf(e)));
    const ruleOf = done[0] ? cfg.rules.findIndex((r, j) => `rule:${ruleName(r, j)}` === done[0]!.requestedBy) : i;
    const index = ruleOf >= 0 ? ruleOf : i;
    if (index < 0) return undefined;
    const rule = cfg.rules[index]!;
    // A [queue] rule re-runs once the queue drained (auto-rerun.ts); here it only pages a re-run cancelled again.
    if (isRerunRule(rule)) return rerunHold(e, done, index, deps);
    const name = ruleName(rule, index);
    const retryAfter = rule.retryAfter ?? [];
    const retrySpanMs = retryAfter.reduce((a, b) => a + b, 0);
    const hold = (failures: number): PageAfter => ({
      failures,
      withinMs: Math.min(PAGE_AFTER_MAX_WINDOW_MS, retrySpanMs + SLACK_MS),
      from: `remediation.rules[${index}]`,
    });
    // A success of an incident remediation held: its recovery is judged against a threshold never reached (unpaged).
    // The cause's probe ran well: the tasks waiting for it are retried now.
    if (e.kind === "task.succeeded") await releaseWaiters(deps, e.incident.id, now);
    if (e.kind !== "task.failed") return done.length > 0 ? hold(done.length + 2) : undefined;
    if (done.length === 0 && i < 0) return undefined;
    const k = done.length;
    // A retry is still to come (this failure is another run's, e.g. its own trigger's): its page keeps waiting.
    if (done.some((a) => a.status === "pending" || a.status === "claimed" || a.status === "started")) return hold(k + 2);
    const node = e.execution?.executingNode ?? e.host ?? null;
    // Failures sharing a cause wait for its probe (cause-retry.ts): held, costing nothing.
    const facts = { incidentId: e.incident.id, taskId: e.task.id, taskName: e.task.name, node };
    const gate = k === 0 ? await causeGate(deps, e, name, facts, now, retrySpanMs) : { causeKey: undefined };
    if (gate === "waits") return hold(Math.max(2, e.incident.failures + 1));
    if (gate === "given up") return undefined;
    const why =
      k >= retryAfter.length ? `its ${k} retries are spent` : await stopper(cfg, deps, { taskId: e.task.id, enabled: e.task.enabled, node, event: e }, now);
    if (why) {
      await probeGaveUp(deps, e.incident.id, why, now);
      if (k < retryAfter.length)
        deps.audit.record({
          actor: { kind: "remediation", name: `rule:${name}` },
          action: "remediation.withheld",
          target: e.task.id,
          result: "denied",
          details: { incidentId: e.incident.id, reason: why },
        });
      return k === 0 ? undefined : hold(k + 1);
    }
    // The first failure of a cause is its probe (on a cluster, a failure another Steward made the probe first waits).
    const probe = gate.causeKey ? await deps.probes.openOrJoin({ causeKey: gate.causeKey, ruleName: name, ...facts }, now) : undefined;
    if (probe && probe.taskId !== e.task.id.toLowerCase()) {
      await deps.probes.wait(probe.id, facts, now);
      return hold(Math.max(2, e.incident.failures + 1));
    }
    const { added, action } = await deps.store.add({
      incidentId: e.incident.id,
      taskId: e.task.id,
      taskName: e.task.name,
      ...(e.execution?.executingNode || e.host ? { node: e.execution?.executingNode ?? e.host } : {}),
      kind: "retry",
      requestedBy: `rule:${name}`,
      requestedFrom: "rule",
      requestedAt: now,
      dueAt: now + retryAfter[k]!,
    });
    if (!added) {
      // A person's retry of the task is pending: theirs tells; the cause gets no probe from this failure.
      if (probe) await deps.probes.end(probe.id, "withheld", now);
      return k === 0 ? undefined : hold(k + 1);
    }
    deps.audit.record({
      actor: { kind: "remediation", name: `rule:${name}` },
      action: "remediation.request",
      target: e.task.id,
      result: "ok",
      details: { actionId: action.id, incidentId: e.incident.id, kind: "retry", from: "rule", attempt: k + 1, dueAt: new Date(action.dueAt).toISOString() },
    });
    await deps.poke();
    return hold(k + 2);
  };
}
