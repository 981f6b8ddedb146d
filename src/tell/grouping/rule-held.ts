// Whether a cause's page waits for a remediation rule (issue 101: a rule's hold is the incident's, not one route's): no
// page of it went out yet, and a failure among its symptoms is one a rule is retrying. Its symptoms (a chain stopped
// behind it, a stale app, a promise at risk) are then held on every route, as the failure is; the page the failure gets
// if the rule gives up lists them, and nothing is told if the rule heals it. The holds are read from the shared store,
// so on a cluster each Steward holds what any member's rule is retrying.
import { type DomainEvent, isTaskEvent } from "../../platform/events/types";
import { ruleHoldOf } from "../notify/page-after";
import type { CauseStore } from "./cause-store";
import type { PageTarget } from "./reach";

export function createRuleHeldCheck(
  store: Pick<CauseStore, "symptoms">,
  reached: (parentId: number) => Promise<PageTarget[]>,
  ruleHeldTasks: (() => Promise<ReadonlySet<string>>) | undefined,
) {
  return {
    /** Whether the symptom waits with the failure a rule is retrying (its cause paged nowhere yet). */
    async holds(parentId: number, symptom: DomainEvent): Promise<boolean> {
      // A task's failure no rule holds still pages (as the cause's page on its route): only what the watchdog and the
      // promises raise of the cause waits (a failure a rule holds is held by its own threshold already).
      if (isTaskEvent(symptom)) return false;
      // The holds first: none on most sites most of the time (no rule, or nothing being retried), and no more is read.
      const held = ruleHeldTasks ? await ruleHeldTasks() : undefined;
      if (!held || held.size === 0 || (await reached(parentId)).length > 0) return false;
      const failures = (await store.symptoms(parentId)).filter((s) => s.kind === "task.failed" || s.kind === "task.aborted");
      return failures.some((s) => s.taskId !== null && held.has(s.taskId));
    },
    /**
     * Whether this is the failure that pages once the rule gave up, and no page of its cause went out yet: it is the
     * cause's first page (its receivers kept for the cause's updates and recovery), also on the routes of its symptoms.
     */
    async gaveUpFirst(parentId: number, e: DomainEvent): Promise<boolean> {
      return ruleHoldOf(e) === "gave up" && (await reached(parentId)).length === 0;
    },
  };
}
