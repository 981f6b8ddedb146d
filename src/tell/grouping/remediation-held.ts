// Whether a cause's symptoms wait for what is being done on its failure (issue 101: the hold is the incident's, not one
// route's, whoever asked). A failure among its symptoms has a retry, re-run, Engine reload of its app or restart of its
// chain (from it or a task before it) due or running: asked by a person (who got the cause's page and acted on it), or
// by a remediation rule while no page of the cause went out yet. Its symptoms (a stale app down the chain, a promise at
// risk) are then held on every route: nothing is told if it heals them; if it fails, the failure's page (a rule giving
// up) or the next symptom (a person's action) tells them once per route.
// The holds are read from the shared store, so on a cluster each Steward holds what any member or person started.
import { type DomainEvent, isTaskEvent } from "../../platform/events/types";
import { ruleHoldOf } from "../notify/page-after";
import type { CauseStore } from "./cause-store";
import type { PageTarget } from "./reach";
import type { HeldBy } from "../incidents/remediation-holds";

/** Why a symptom is held, as the delivery log says it. */
export const HELD_WHILE_REMEDIED = "a retry, re-run, Engine reload or chain restart of the failure that causes it is due or running: paged only if it fails";

export function createRemediationHeldCheck(
  store: Pick<CauseStore, "symptoms">,
  reached: (parentId: number) => Promise<PageTarget[]>,
  heldTasks: (() => Promise<ReadonlyMap<string, HeldBy>>) | undefined,
) {
  return {
    /** Whether the symptom waits with a failure being retried (by a person, or by a rule while its cause paged nowhere). */
    async holds(parentId: number, symptom: DomainEvent): Promise<boolean> {
      // A task's failure still pages (as the cause's page on its route): only what the watchdog and the promises raise
      // of the cause waits (a failure a rule holds is held by its own threshold already).
      if (isTaskEvent(symptom)) return false;
      // The holds first: none on most sites most of the time (nothing being retried), and no more is read.
      const held = heldTasks ? await heldTasks() : undefined;
      if (!held || held.size === 0) return false;
      const failures = (await store.symptoms(parentId)).filter((s) => s.kind === "task.failed" || s.kind === "task.aborted");
      const by = new Set(failures.flatMap((s) => (s.taskId !== null && held.has(s.taskId) ? [held.get(s.taskId)!] : [])));
      if (by.has("person")) return true;
      return by.has("rule") && (await reached(parentId)).length === 0;
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
