// Automatic re-run of the runs the Scheduler's queue cancelled, off unless a rule's errorClasses is [queue]. When the
// watchdog sees a node's queue empty again (its task.on_track), the node's queue cause is re-run as a person's
// "Re-run the cancelled runs" would: one action per cancelled run still failing, in chain order, each waiting for the
// cause to close and for the one before it to end (the worker). Each run is asked for only where a [queue] rule
// matches its task and nothing stops it: a disabled task, a maintenance window covering the drain for that task, the
// budgets of the last hour, or a re-run of its incident already made (never a loop: rerun-hold.ts pages that one).
import type { Logger } from "pino";
import type { AuditLog } from "../../platform/audit/audit-log";
import { describeError } from "../../platform/core/errors";
import type { WatchdogEvent } from "../../platform/events/types";
import type { CauseStore } from "../../tell/grouping/cause-store";
import { nodeOf } from "../../tell/grouping/node-down";
import type { ActionStore } from "./action-store";
import type { RemediationConfig } from "./config";
import { type RerunDeps, requestRerun } from "./rerun";
import { rerunDecider } from "./rerun-decide";
import { HOUR, type StopDeps } from "./rule-match";

export interface AutoRerunDeps extends Omit<RerunDeps, "causes" | "store">, StopDeps {
  store: ActionStore;
  causes: Pick<CauseStore, "get" | "symptoms" | "openByKey" | "lastClosed">;
  audit: AuditLog;
  log: Logger;
  poke(): Promise<void>;
}

/** The handler of task.on_track, or undefined without a [queue] rule. */
export function createAutoRerun(cfg: RemediationConfig, deps: AutoRerunDeps): ((e: WatchdogEvent) => Promise<void>) | undefined {
  const decider = rerunDecider(cfg, deps);
  if (decider.rules.length === 0) return undefined;
  const log = deps.log.child({ module: "remediation" });

  return async (e) => {
    if (e.condition.type !== "queue_backlog") return;
    const now = deps.clock.now();
    const node = nodeOf(typeof e.data.node === "string" ? e.data.node : e.host);
    const key = `queue:${node}`;
    try {
      // The grouping closes the cause on this same event: it may have, or not yet (the worker waits for it to close).
      const cause = (await deps.causes.openByKey(key)) ?? (await deps.causes.lastClosed(key, now - HOUR));
      if (!cause) return;
      const ruleOf = new Map<string, string>();
      const a = await requestRerun(deps, {
        causeId: cause.id,
        by: "rule",
        from: "rule",
        verified: true,
        now,
        decide: async (c) => {
          const d = await decider.decide(e, node, c, now);
          if ("withheld" in d && d.rule) ruleOf.set(c.taskId, d.rule);
          return d;
        },
      });
      if (!a.ok) return;
      for (const w of a.withheld) {
        const rule = ruleOf.get(w.taskId);
        if (!rule) continue; // no rule of the queue's matches the task: a person's to re-run, nothing to say
        deps.audit.record({
          actor: { kind: "remediation", name: `rule:${rule}` },
          action: "remediation.withheld",
          target: w.taskId,
          result: "denied",
          details: { incidentId: w.incidentId, causeId: cause.id, kind: "rerun", reason: w.reason },
        });
      }
      if (a.actions.length === 0) return;
      deps.audit.record({
        actor: { kind: "remediation", name: a.actions[0]!.requestedBy },
        action: "remediation.request",
        target: `cause:${cause.id}`,
        result: "ok",
        details: {
          kind: "rerun",
          from: "rule",
          order: a.actions.map((x) => ({ actionId: x.id, taskId: x.taskId, taskName: x.taskName, rule: x.requestedBy })),
          joined: a.joined.map((x) => x.id),
        },
      });
      log.info({ causeId: cause.id, actions: a.actions.length }, "the queue drained: its cancelled runs are re-run by a rule");
      await deps.poke();
    } catch (err) {
      log.warn({ node, err: describeError(err) }, "could not ask for the automatic re-run of the queue's cancelled runs");
    }
  };
}
