// Whether a cause's page waits for a remediation rule (issue 101: a rule's hold is the incident's, not one route's): no
// page of it went out yet, and a failure among its symptoms is one a rule is retrying. Its symptoms (a chain stopped
// behind it, a stale app, a promise at risk) are then held on every route, as the failure is; the page the failure gets
// if the rule gives up lists them, and nothing is told if the rule heals it. The holds are read from the shared store,
// so on a cluster each Steward holds what any member's rule is retrying.
import type { CauseStore } from "./cause-store";
import type { PageTarget } from "./reach";

export function createRuleHeldCheck(
  store: Pick<CauseStore, "symptoms">,
  reached: (parentId: number) => Promise<PageTarget[]>,
  ruleHeldTasks: (() => Promise<ReadonlySet<string>>) | undefined,
) {
  return async (parentId: number): Promise<boolean> => {
    // The holds first: none on most sites most of the time (no rule, or nothing being retried), and no more is read.
    const held = ruleHeldTasks ? await ruleHeldTasks() : undefined;
    if (!held || held.size === 0 || (await reached(parentId)).length > 0) return false;
    const failures = (await store.symptoms(parentId)).filter((s) => s.kind === "task.failed" || s.kind === "task.aborted");
    return failures.some((s) => s.taskId !== null && held.has(s.taskId));
  };
}
