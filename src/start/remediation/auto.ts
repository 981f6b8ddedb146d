// Automatic remediation, off unless `remediation.rules` has a rule: the incidents service asks it about each failure
// of an open incident (FailureHold) before the failure reaches the bus. A failure a rule matches is retried after the
// rule's next delay, and its page waits: the failure gets a "page after N failures" threshold one above the failures so
// far, so it is held, and a retry that heals recovers an incident nobody was told of (no page). When the rule's retries
// are spent (or the budget, a maintenance window or a disabled task stops the next one), the threshold is the failures
// so far: this failure pages once, with every attempt. Never a loop: an incident gets at most the rule's retries.
import type { AuditLog } from "../../platform/audit/audit-log";
import type { Clock } from "../../platform/core/clock";
import type { TaskEvent } from "../../platform/events/types";
import { PAGE_AFTER_MAX_WINDOW_MS, type PageAfter } from "../../tell/notify/page-after";
import type { FailureHold } from "../../tell/incidents";
import type { ActionStore } from "./action-store";
import type { RemediationConfig, RemediationRule } from "./config";

const HOUR = 3_600_000;
/** The window the held failures are counted in: the retries' delays, plus their runs and the intake's lateness. */
const SLACK_MS = 6 * HOUR;

export interface AutoDeps {
  store: ActionStore;
  clock: Clock;
  audit: AuditLog;
  /** The maintenance window covering the event now, if any (tell/maintenance). */
  inMaintenance(e: TaskEvent, now: number): { window: string } | undefined;
  /** Looks for due actions and arms the timer for the new one. */
  poke(): Promise<void>;
}

const low = (s: string) => s.toLowerCase();

function matches(r: RemediationRule, e: TaskEvent): boolean {
  if (!e.errorClass || !r.errorClasses.includes(e.errorClass)) return false;
  if (r.taskIds && !r.taskIds.some((id) => low(id) === low(e.task.id))) return false;
  if (r.tags && !r.tags.some((t) => e.task.tags.some((x) => low(x) === low(t)))) return false;
  if (
    r.customProperties &&
    !r.customProperties.some((cp) => e.task.customProperties.some((x) => low(x.name) === low(cp.name) && low(x.value) === low(cp.value)))
  )
    return false;
  return true;
}

/** Why the next retry is not made now, or undefined when it may be. */
async function stopper(cfg: RemediationConfig, deps: AutoDeps, e: TaskEvent, now: number): Promise<string | undefined> {
  if (e.task.enabled === false) return "the task is disabled";
  const w = deps.inMaintenance(e, now);
  if (w) return `maintenance window ${w.window} is on`;
  const node = e.execution?.executingNode ?? e.host ?? null;
  const n = await deps.store.ruleCounts(now - HOUR, e.task.id, node);
  if (n.task >= cfg.budget.perTask) return `the task's budget of ${cfg.budget.perTask} automatic retries an hour is used`;
  if (node && n.node >= cfg.budget.perNode) return `node ${node}'s budget of ${cfg.budget.perNode} automatic retries an hour is used`;
  if (n.site >= cfg.budget.perSite) return `the site's budget of ${cfg.budget.perSite} automatic retries an hour is used`;
  return undefined;
}

export function createFailureHold(cfg: RemediationConfig, deps: AutoDeps): FailureHold | undefined {
  if (cfg.rules.length === 0) return undefined;
  return async (e) => {
    if (e.source === "test" || !e.incident) return undefined;
    const now = deps.clock.now();
    // This run may be the one a retry started: its action ends now, before the next is decided (the bus hears it later).
    const outcome = e.kind === "task.succeeded" ? "succeeded" : e.kind === "task.failed" ? "failed" : "aborted";
    await deps.store.ended(e.task.id, now, outcome, e.errorLine ?? null);
    const done = (await deps.store.ofIncident(e.incident.id)).filter((a) => a.requestedFrom === "rule");
    const i = cfg.rules.findIndex((r) => matches(r, e));
    const ruleOf = done[0] ? cfg.rules.findIndex((r, j) => `rule:${r.name ?? `rules[${j}]`}` === done[0]!.requestedBy) : i;
    const index = ruleOf >= 0 ? ruleOf : i;
    if (index < 0) return undefined;
    const rule = cfg.rules[index]!;
    const name = rule.name ?? `rules[${index}]`;
    const hold = (failures: number): PageAfter => ({
      failures,
      withinMs: Math.min(PAGE_AFTER_MAX_WINDOW_MS, rule.retryAfter.reduce((a, b) => a + b, 0) + SLACK_MS),
      from: `remediation.rules[${index}]`,
    });
    // A success of an incident remediation held: its recovery is judged against a threshold never reached (unpaged).
    if (e.kind !== "task.failed") return done.length > 0 ? hold(done.length + 2) : undefined;
    if (done.length === 0 && i < 0) return undefined;
    const k = done.length;
    // A retry is still to come (this failure is another run's, e.g. its own trigger's): its page keeps waiting.
    if (done.some((a) => a.status === "pending" || a.status === "claimed" || a.status === "started")) return hold(k + 2);
    const why = k >= rule.retryAfter.length ? `its ${k} retries are spent` : await stopper(cfg, deps, e, now);
    if (why) {
      if (k < rule.retryAfter.length)
        deps.audit.record({
          actor: { kind: "remediation", name: `rule:${name}` },
          action: "remediation.withheld",
          target: e.task.id,
          result: "denied",
          details: { incidentId: e.incident.id, reason: why },
        });
      return k === 0 ? undefined : hold(k + 1);
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
      dueAt: now + rule.retryAfter[k]!,
    });
    if (!added) return k === 0 ? undefined : hold(k + 1); // a person's retry of the task is pending: theirs tells
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
