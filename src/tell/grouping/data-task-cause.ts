// A Qlik Talend Cloud data task that failed or was stopped is one cause: its datasets were not updated, so the
// on-dataset-updated Scheduling Tasks that would reload the apps they feed will not start. Its page (the
// cloud.datatask.failed event, at the failure) lists those tasks and apps as waiting, so the freshness promises on the
// apps are named at risk there, and their later warnings and breaches join it through the upstream rule instead of
// paging again. The run that completes after it (cloud.datatask.recovered) ends the cause. Events of
// src/hear/cloud/data-task-watch.ts.
import { dataTaskSubject } from "../../platform/events/cloud-events";
import type { DomainEvent } from "../../platform/events/types";
import type { CauseStore } from "./cause-store";
import type { SymptomInput } from "./cause-rows";
import type { CloudChains } from "./cloud-chains";
import { afterRecovery, type CauseDecision, symptomReason } from "./decision";

/** The event's field holding the apps the data task feeds (src/hear/cloud/data-task-events.ts FED_APPS_FIELD). */
const FED_APPS_FIELD = "fedAppsJson";

interface FedApp {
  taskId: string;
  taskName: string;
  appId: string;
  appName?: string;
}

/** The fed apps as the event carries them; an entry in another shape is left out (the page's text still names it). */
function fedApps(raw: unknown): FedApp[] {
  if (typeof raw !== "string") return [];
  try {
    const list = JSON.parse(raw) as unknown;
    return Array.isArray(list)
      ? list.filter((a): a is FedApp => typeof a?.taskId === "string" && typeof a?.taskName === "string" && typeof a?.appId === "string")
      : [];
  } catch {
    return [];
  }
}

export function createDataTaskRule(store: CauseStore, chains: Pick<CloudChains, "waiting">) {
  return {
    async review(e: DomainEvent, now: number, pageTo?: string): Promise<CauseDecision | undefined> {
      if (e.kind !== "cloud.datatask.failed" && e.kind !== "cloud.datatask.recovered") return undefined;
      const data = "data" in e ? e.data : undefined;
      const id = typeof data?.dataTaskId === "string" ? data.dataTaskId : undefined;
      if (!id) return undefined;
      const subject = dataTaskSubject(String(data?.tenant ?? ""), id);
      if (e.kind === "cloud.datatask.recovered") return afterRecovery(await store.recover(subject, now), "data task(s) still failing");
      const name = typeof data?.dataTask === "string" ? data.dataTask : id;
      const title = `${name} ${data?.status === "stopped" ? "was stopped" : "failed"}: the apps its datasets feed will be stale`;
      const { parentId, opened } = await store.attach({ key: subject, title }, { subject, kind: e.kind, eventId: e.id }, now, pageTo);
      const waiting: SymptomInput[] = [];
      for (const a of fedApps(data?.[FED_APPS_FIELD])) {
        const appName = a.appName ?? a.appId;
        waiting.push(
          {
            subject: `cloud-task:${a.taskId.toLowerCase()}`,
            kind: "task.waiting",
            eventId: e.id,
            taskName: a.taskName,
            taskId: a.taskId,
            appId: a.appId,
            appName,
          },
          { subject: `app:${a.appId.toLowerCase()}`, kind: "app.waiting", eventId: e.id, appId: a.appId, appName },
          // The tasks chained after the app's reload wait too (as the watchdog last read the tenant's tasks).
          ...(await chains.waiting(e.host, a.appId, e.id)),
        );
      }
      if (waiting.length > 0) await store.addWaiting(parentId, waiting, now);
      return opened ? { action: "pass", parentId } : { action: "suppress", parentId, reason: symptomReason(parentId, title) };
    },
  };
}
