// Whether a [queue] rule re-runs one run the queue cancelled, and who: shared by the re-run asked when the queue
// drained (auto-rerun.ts) and the runs cancelled later that join it (rule-rerun-join.ts), so both keep the same rules,
// the budgets of the last hour, the maintenance windows and "re-run once, never a second time".
import type { WatchdogEvent } from "../../platform/events/types";
import type { ActionStore } from "./action-store";
import { isRerunRule, type RemediationConfig, type RemediationRule } from "./config";
import type { CancelledRun } from "./rerun";
import { ruleMatches, ruleName, type StopDeps, stopper } from "./rule-match";

export type RerunDecision = { by: string } | { withheld: string; rule?: string };

export interface RerunDecider {
  rules: Array<{ rule: RemediationRule; name: string }>;
  /** `drain`: the queue's task.on_track (or one made for a join) that a maintenance window is checked against. */
  decide(drain: WatchdogEvent, node: string, c: CancelledRun, now: number): Promise<RerunDecision>;
}

export function rerunDecider(cfg: RemediationConfig, deps: StopDeps & { store: Pick<ActionStore, "ofIncident" | "ruleCounts"> }): RerunDecider {
  const rules = cfg.rules.flatMap((rule, i) => (isRerunRule(rule) ? [{ rule, name: ruleName(rule, i) }] : []));
  return {
    rules,
    async decide(drain, node, c, now) {
      if (!c.task) return { withheld: "QRS no longer has this task" };
      const task = {
        id: c.task.id,
        name: c.task.name,
        tags: (c.task.tags ?? []).map((t) => t.name),
        customProperties: (c.task.customProperties ?? []).map((cp) => ({ name: cp.definition.name, value: cp.value })),
      };
      const hit = rules.find((r) => ruleMatches(r.rule, { errorClass: "queue", task }));
      if (!hit) return { withheld: "no [queue] rule matches the task" };
      const before = (await deps.store.ofIncident(c.incidentId)).find((a) => a.requestedFrom === "rule" && a.kind === "rerun");
      if (before) return { withheld: `re-run once already (action #${before.id}): not re-run a second time`, rule: hit.name };
      // The drain as it concerns this task: a window scoped to the task, its tags or its node covers it.
      const why = await stopper(cfg, deps, { taskId: c.taskId, enabled: c.task.enabled, node, event: { ...drain, task } }, now);
      return why ? { withheld: why, rule: hit.name } : { by: `rule:${hit.name}` };
    },
  };
}
