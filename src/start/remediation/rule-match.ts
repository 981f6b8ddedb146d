// Which automatic rule a failure falls under, and what stops one now: shared by the retries (auto.ts, on each failure)
// and the re-runs of the queue's cancellations (auto-rerun.ts, once the queue drained).
import type { Clock } from "../../platform/core/clock";
import type { NameValue } from "../../platform/events/event-parts";
import type { DomainEvent } from "../../platform/events/types";
import type { ActionStore } from "./action-store";
import type { RemediationConfig, RemediationRule } from "./config";

export const HOUR = 3_600_000;

/** What a rule looks at: the failure's likely cause and its task. */
export interface RuleFacts {
  errorClass: string | undefined;
  task: { id: string; tags: readonly string[]; customProperties: readonly NameValue[] };
}

const low = (s: string) => s.toLowerCase();

export function ruleMatches(r: RemediationRule, f: RuleFacts): boolean {
  if (!f.errorClass || !(r.errorClasses as readonly string[]).includes(f.errorClass)) return false;
  if (r.taskIds && !r.taskIds.some((id) => low(id) === low(f.task.id))) return false;
  if (r.tags && !r.tags.some((t) => f.task.tags.some((x) => low(x) === low(t)))) return false;
  if (
    r.customProperties &&
    !r.customProperties.some((cp) => f.task.customProperties.some((x) => low(x.name) === low(cp.name) && low(x.value) === low(cp.value)))
  )
    return false;
  return true;
}

export const ruleName = (r: RemediationRule, index: number) => r.name ?? `rules[${index}]`;

export interface StopDeps {
  store: Pick<ActionStore, "ruleCounts">;
  clock: Clock;
  /** The maintenance window covering the event now, if any (tell/maintenance). */
  inMaintenance(e: DomainEvent, now: number): { window: string } | undefined;
}

/**
 * Why an automatic action on the task is not asked for now, or undefined when it may be: the task disabled, a
 * maintenance window covering `e` (the failure, or the queue's drain naming the task), a budget of the last hour used.
 */
export async function stopper(
  cfg: RemediationConfig,
  deps: StopDeps,
  t: { taskId: string; enabled: boolean | null | undefined; node: string | null; event: DomainEvent },
  now: number,
): Promise<string | undefined> {
  if (t.enabled === false) return "the task is disabled";
  const w = deps.inMaintenance(t.event, now);
  if (w) return `maintenance window ${w.window} is on`;
  const n = await deps.store.ruleCounts(now - HOUR, t.taskId, t.node);
  if (n.task >= cfg.budget.perTask) return `the task's budget of ${cfg.budget.perTask} automatic retries an hour is used`;
  if (t.node && n.node >= cfg.budget.perNode) return `node ${t.node}'s budget of ${cfg.budget.perNode} automatic retries an hour is used`;
  if (n.site >= cfg.budget.perSite) return `the site's budget of ${cfg.budget.perSite} automatic retries an hour is used`;
  return undefined;
}
