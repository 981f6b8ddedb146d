// A re-run covers its cause, not a moment: a run the queue cancels while a person's re-run of that cause is pending
// (asked for, not yet all ended) joins it, one action each, in chain order and then by when each was cancelled, after
// the ones already asked for, each task once. Looked for by the worker before each look for due actions, so a
// cancellation heard by any Steward of the site joins on whichever Steward looks next (the store's one unfinished
// action per task keeps two Stewards from adding it twice). A rule's pending re-run is joined as its rule decides
// (rule-rerun-join.ts).
import type { Logger } from "pino";
import type { AuditLog } from "../../platform/audit/audit-log";
import { describeError } from "../../platform/core/errors";
import { type RerunDeps, requestRerun } from "./rerun";
import type { RuleRerunJoin } from "./rule-rerun-join";

export interface RerunJoinDeps extends RerunDeps {
  audit: AuditLog;
  log: Logger;
  /** Joins a [queue] rule's pending re-run; absent without such a rule. */
  ruleJoin?: RuleRerunJoin;
}

/** Joins the runs cancelled since to every pending re-run; resolves to how many actions were added. */
export function createRerunJoin(deps: RerunJoinDeps): (now: number) => Promise<number> {
  const log = deps.log.child({ module: "remediation" });
  return async (now) => {
    let added = 0;
    for (const causeId of await deps.store.pendingRerunCauses()) {
      try {
        const actions = await deps.store.ofCause(causeId);
        // A person's re-run, if any, is the one joined (its tasks the rule's left alone); else the rule's, as it decides.
        const first = actions.find((a) => a.requestedFrom !== "rule");
        if (!first) {
          const joined = (await deps.ruleJoin?.(causeId, actions, now)) ?? [];
          if (joined.length === 0) continue;
          added += joined.length;
          deps.audit.record({
            actor: { kind: "remediation", name: joined[0]!.requestedBy },
            action: "remediation.request",
            target: `cause:${causeId}`,
            result: "ok",
            details: {
              kind: "rerun",
              from: "join",
              joins: actions[0]!.id,
              order: joined.map((x) => ({ actionId: x.id, taskId: x.taskId, taskName: x.taskName, rule: x.requestedBy })),
            },
          });
          log.info({ causeId, actions: joined.length }, "runs the queue cancelled since joined the rule's pending re-run of their cause");
          continue;
        }
        const have = new Set(actions.map((a) => a.taskId.toLowerCase()));
        const a = await requestRerun(deps, {
          causeId,
          by: first.requestedBy,
          from: first.requestedFrom === "link" ? "link" : "rest",
          // Joins a re-run already asked for (and approved, under the two-person rule): no approval step here.
          verified: true,
          ...(first.requestedIp ? { ip: first.requestedIp } : {}),
          now,
          join: { have, afterId: Math.max(...actions.map((x) => x.id)) },
        });
        if (!a.ok || a.actions.length === 0) continue;
        added += a.actions.length;
        deps.audit.record({
          actor: { kind: "remediation", name: first.requestedBy },
          action: "remediation.request",
          target: `cause:${causeId}`,
          result: "ok",
          details: {
            kind: "rerun",
            from: "join",
            joins: first.id,
            order: a.actions.map((x) => ({ actionId: x.id, taskId: x.taskId, taskName: x.taskName })),
          },
        });
        log.info({ causeId, actions: a.actions.length }, "runs the queue cancelled since joined the pending re-run of their cause");
      } catch (err) {
        log.warn({ causeId, err: describeError(err) }, "could not join the runs cancelled since to the pending re-run");
      }
    }
    return added;
  };
}
