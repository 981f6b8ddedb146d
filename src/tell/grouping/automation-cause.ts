// A Qlik Cloud chain broken by a Qlik Automate automation is one cause: its failed run (or its being disabled) opens a
// parent listing the automation as waiting, so what then does not happen (the freshness warning and breach of a promise
// waiting on it) joins that parent through the upstream rule instead of paging again. The run that finishes after it
// (cloud.automation.recovered), or enabling it again, ends the cause. Events of src/hear/cloud/automation-watch.ts.
import { automationAppId } from "../../platform/events/cloud-events";
import type { DomainEvent } from "../../platform/events/types";
import type { CauseStore } from "./cause-store";
import { afterRecovery, type CauseDecision, symptomReason } from "./decision";

const OPENS = new Set(["cloud.automation.failed", "cloud.automation.disabled"]);
const ENDS = new Set(["cloud.automation.recovered", "cloud.automation.enabled"]);

export function createAutomationRule(store: CauseStore) {
  return {
    async review(e: DomainEvent, now: number, pageTo?: string): Promise<CauseDecision | undefined> {
      if (!OPENS.has(e.kind) && !ENDS.has(e.kind)) return undefined;
      const data = "data" in e ? e.data : undefined;
      const id = typeof data?.automationId === "string" ? data.automationId : undefined;
      if (!id) return undefined;
      const name = typeof data?.automation === "string" ? data.automation : id;
      const subject = `automation:${String(data?.tenant ?? "")}:${id.toLowerCase()}`;
      if (ENDS.has(e.kind)) return afterRecovery(await store.recover(subject, now), "automation(s) still failing");
      const title = e.kind === "cloud.automation.disabled" ? `${name} is disabled: what it feeds waits` : `${name} failed: what it feeds waits`;
      const { parentId, opened } = await store.attach({ key: subject, title }, { subject, kind: e.kind, eventId: e.id }, now, pageTo);
      await store.addWaiting(
        parentId,
        [{ subject: `app:${automationAppId(id)}`, kind: "app.waiting", eventId: e.id, appId: automationAppId(id), appName: name }],
        now,
      );
      return opened ? { action: "pass", parentId } : { action: "suppress", parentId, reason: symptomReason(parentId, title) };
    },
  };
}
