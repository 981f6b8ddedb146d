// A [queue] rule's re-run covers its cause, as a person's does (rerun-join.ts): a run the queue cancels while the
// rule's re-run of that cause is pending (heard after the drain, or waiting for a free engine) joins it, decided as
// the drain's were (rerun-decide.ts: the rule matching its task, the budgets of the last hour, the windows, once per
// incident), after the runs already asked for. A run withheld is looked at again at the next look (a budget may free)
// and audited once per Steward.
import type { AuditLog } from "../../platform/audit/audit-log";
import type { CauseStore } from "../../tell/grouping/cause-store";
import { watchdogEvent } from "../../watch/watchdog/watchdog-event";
import type { RemediationAction } from "./action-store";
import type { RemediationConfig } from "./config";
import { type RerunDeps, requestRerun } from "./rerun";
import { rerunDecider } from "./rerun-decide";
import type { StopDeps } from "./rule-match";

export interface RuleRerunJoinDeps extends Omit<RerunDeps, "causes">, Omit<StopDeps, "store"> {
  causes: Pick<CauseStore, "get" | "symptoms">;
  audit: AuditLog;
}

/** Joins the cause's runs cancelled since to its rule's pending re-run; resolves to the actions added. Undefined without a [queue] rule. */
export type RuleRerunJoin = (causeId: number, pending: readonly RemediationAction[], now: number) => Promise<RemediationAction[]>;

export function createRuleRerunJoin(cfg: RemediationConfig, deps: RuleRerunJoinDeps): RuleRerunJoin | undefined {
  const decider = rerunDecider(cfg, deps);
  if (decider.rules.length === 0) return undefined;
  const audited = new Set<string>();
  return async (causeId, pending, now) => {
    const cause = await deps.causes.get(causeId);
    if (!cause?.causeKey.startsWith("queue:")) return [];
    const node = cause.causeKey.slice("queue:".length);
    // The drain as the maintenance windows read it: the node's queue, its episode from the cause's opening to now.
    const drain = watchdogEvent({
      kind: "task.on_track",
      condition: { type: "queue_backlog", key: cause.causeKey, openedAtMs: cause.openedAt, closedAtMs: now },
      nowMs: now,
      host: node,
      details: { node },
    });
    const ruleOf = new Map<string, string>();
    const a = await requestRerun(deps, {
      causeId,
      by: "rule",
      from: "rule",
      verified: true,
      now,
      join: { have: new Set(pending.map((x) => x.taskId.toLowerCase())), afterId: Math.max(...pending.map((x) => x.id)) },
      decide: async (c) => {
        const d = await decider.decide(drain, node, c, now);
        if ("withheld" in d && d.rule) ruleOf.set(c.taskId, d.rule);
        return d;
      },
    });
    if (!a.ok) return [];
    for (const w of a.withheld) {
      const rule = ruleOf.get(w.taskId);
      const once = `${causeId}|${w.taskId.toLowerCase()}|${w.reason}`;
      if (!rule || audited.has(once)) continue;
      audited.add(once);
      deps.audit.record({
        actor: { kind: "remediation", name: `rule:${rule}` },
        action: "remediation.withheld",
        target: w.taskId,
        result: "denied",
        details: { incidentId: w.incidentId, causeId, kind: "rerun", reason: w.reason, from: "join" },
      });
    }
    return a.actions;
  };
}
